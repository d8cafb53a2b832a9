/**
 * Resolves `matomo:cloudsql` into the settings the Google topology is built from: project and
 * region from the `gcp:` provider config when not set here, derived names, merged database flags,
 * and the rules that involve several Cloud SQL keys.
 */
import type { Field, Issue } from "./schema/fields";
import type { cloudsql } from "./cloudsqlSchema";
import { DEFAULT_DATABASE_FLAGS, MIN_MAX_ALLOWED_PACKET } from "./cloudsqlSchema";
import { checkProjectId, checkRegion, checkServiceAccountId, parseConnectionName, parseTier, type ConnectionName } from "./gcp";

type ParsedCloudSql = typeof cloudsql extends Field<infer T> ? T : never;

/** Cloud SQL settings with every default resolved. */
export interface CloudSqlConfig
    extends Omit<ParsedCloudSql, "project" | "region" | "serviceAccountId" | "workloadIdentityPool" | "publicIp" | "flags" | "existingInstance"> {
    readonly project: string;
    readonly region: string;
    /** The instance managed elsewhere, when `existingInstance` is set. */
    readonly existingInstance?: ConnectionName;
    readonly serviceAccountId: string;
    readonly workloadIdentityPool: string;
    readonly publicIp: boolean;
    /** Database flags: the defaults merged with `flags`. */
    readonly flags: Readonly<Record<string, string>>;
}

/** Keys that configure the instance itself, meaningless when the instance is managed elsewhere. */
const INSTANCE_KEYS = [
    "instanceName",
    "databaseVersion",
    "edition",
    "tier",
    "availabilityType",
    "diskType",
    "diskSize",
    "diskAutoresize",
    "diskAutoresizeLimit",
    "backups",
    "maintenanceWindow",
    "flags",
    "queryInsights",
    "sslMode",
    "connectorEnforcement",
    "publicIp",
] as const;

const KEY = "matomo:cloudsql";

/**
 * The resolved settings, or the issues that prevent them.
 * `explicitKeys` are the fields the stack sets (as opposed to defaults); `providerConfig` reads
 * `gcp:project` and `gcp:region`; `stack` names the default service account.
 */
export function resolveCloudSql(
    parsed: ParsedCloudSql,
    explicitKeys: readonly string[],
    providerConfig: (key: "gcp:project" | "gcp:region") => string | undefined,
    stack: string,
): { config?: CloudSqlConfig; issues: Issue[] } {
    const issues: Issue[] = [];
    const issue = (key: string, message: string) => issues.push({ key: `${KEY}${key ? `.${key}` : ""}`, message });

    const existing = parsed.existingInstance === undefined ? undefined : parseConnectionName(parsed.existingInstance);
    if (existing) {
        for (const key of INSTANCE_KEYS.filter((k) => explicitKeys.includes(k))) {
            issue(key, `has no effect with existingInstance (${parsed.existingInstance}): that instance is managed elsewhere; remove the key`);
        }
        if (parsed.project !== undefined && parsed.project !== existing.project) {
            issue("project", `got "${parsed.project}", but existingInstance is in project "${existing.project}"`);
        }
        if (parsed.region !== undefined && parsed.region !== existing.region) {
            issue("region", `got "${parsed.region}", but existingInstance is in region "${existing.region}"`);
        }
    }

    const fromProvider = (name: "project" | "region", check: (v: string) => string | undefined): string | undefined => {
        const own = parsed[name] ?? existing?.[name];
        if (own !== undefined) return own;
        const value = providerConfig(`gcp:${name}`);
        if (value === undefined) {
            issue(name, `is required for topology "google": set it with \`pulumi config set gcp:${name} <${name}>\` or \`pulumi config set --path cloudsql.${name} <${name}>\``);
            return undefined;
        }
        const reason = check(value);
        if (reason !== undefined) issues.push({ key: `gcp:${name}`, message: `got ${JSON.stringify(value)}; ${reason}` });
        return value;
    };
    const project = fromProvider("project", checkProjectId);
    const region = fromProvider("region", checkRegion);

    const serviceAccountId = parsed.serviceAccountId ?? `matomo-${stack}`.toLowerCase();
    if (parsed.serviceAccountId === undefined && checkServiceAccountId(serviceAccountId) !== undefined) {
        issue("serviceAccountId", `the default "${serviceAccountId}" (matomo-<stack>) is not a valid service account ID (6-30 lower-case letters, digits or '-'); set one`);
    }

    const tier = parseTier(parsed.tier);
    if (typeof tier !== "string" && tier.edition !== parsed.edition) {
        issue("tier", `got "${parsed.tier}", a ${tier.edition} tier, but edition is ${parsed.edition}; ${parsed.edition === "ENTERPRISE_PLUS" ? "Enterprise Plus takes db-perf-optimized-N-* tiers" : "use edition ENTERPRISE_PLUS for db-perf-optimized tiers"}`);
    }
    const backups = parsed.backups;
    if (parsed.availabilityType === "REGIONAL" && !(backups.enabled && backups.binaryLog)) {
        issue("availabilityType", 'got "REGIONAL", which needs backups.enabled and backups.binaryLog to be true');
    }
    if (backups.binaryLog && !backups.enabled) {
        issue("backups.binaryLog", "is true, but binary logging (point-in-time recovery) needs backups.enabled");
    }
    if (parsed.edition === "ENTERPRISE" && backups.transactionLogRetentionDays > 7) {
        issue("backups.transactionLogRetentionDays", `got ${backups.transactionLogRetentionDays}; edition ENTERPRISE keeps at most 7 days of binary logs`);
    }
    const publicIp = parsed.publicIp ?? parsed.privateNetwork === undefined;
    if (!publicIp && parsed.privateNetwork === undefined) {
        issue("publicIp", "is false, but without privateNetwork the instance would have no IP at all; set privateNetwork or leave publicIp on");
    }

    const flags = { ...DEFAULT_DATABASE_FLAGS, ...parsed.flags };
    const packet = Number(flags.max_allowed_packet);
    if (!/^\d+$/.test(flags.max_allowed_packet) || packet < MIN_MAX_ALLOWED_PACKET) {
        issue("flags.max_allowed_packet", `got "${flags.max_allowed_packet}"; Matomo needs at least ${MIN_MAX_ALLOWED_PACKET} bytes (64 MB), written in bytes`);
    }

    if (issues.length > 0 || project === undefined || region === undefined) return { issues };
    const { project: _p, region: _r, serviceAccountId: _s, workloadIdentityPool, publicIp: _i, flags: _f, existingInstance: _e, ...rest } = parsed;
    return {
        config: {
            ...rest,
            project,
            region,
            existingInstance: existing,
            serviceAccountId,
            workloadIdentityPool: workloadIdentityPool ?? `${project}.svc.id.goog`,
            publicIp,
            flags,
        },
        issues,
    };
}
