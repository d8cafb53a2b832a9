/**
 * Resolves the workload sections of the config (archivers, scheduled tasks, deletion, LDAP, GeoIP,
 * mail) into what the program builds, and checks the rules that span their keys: which features
 * are on, site selections that do not overlap, PHP limits inside container limits, and settings
 * that would have no effect.
 */
import type { Field, Issue } from "./schema/fields";
import type { SecretValue } from "./schema/secretValue";
import { checkPhpMemoryFitsContainer, checkRequestsWithinLimits } from "./rules";
import { formatBytes, phpSizeBytes } from "../k8s/units";
import type { workloads } from "./workloadsSchema";

type Values<F> = F extends Field<infer T> ? T : never;
type Parsed = { readonly [K in keyof typeof workloads]: Values<(typeof workloads)[K]> };

type Archiver = Parsed["matomocronArchive"][number];
type Resolved<T, Drop extends keyof T> = Omit<T, Drop | "image">;

/** An archiver with its name resolved: `archive`, `archive-<name>` or `archive-<index>`, its CronJob's suffix. */
export type ArchiverConfig = Resolved<Archiver, "name"> & { readonly name: string };
export type ScheduledTasksConfig = Parsed["matomocronScheduledTasks"];
export type DeleteDataConfig = Resolved<Parsed["matomocronDeleteData"], "environment"> & {
    readonly phpMemoryLimit: string;
    readonly sites: "all" | readonly number[];
    readonly daysToKeep: number;
};
export type LdapServerConfig = Omit<Parsed["ldap"]["servers"][number], "adminPassword"> & { readonly adminPassword: SecretValue };
export type LdapConfig = Omit<Parsed["ldap"], "servers"> & { readonly servers: readonly LdapServerConfig[] };
export type LdapSyncConfig = Resolved<Parsed["matomocronLdapSync"], never>;
export type GeoIpConfig = Omit<Parsed["geoipupdate"], "accountId" | "licenseKey" | "existingSecret" | "storage" | "storageClassName"> & {
    /** Credentials set in the stack (secret), or a Secret managed elsewhere. */
    readonly credentials: { readonly accountId: SecretValue; readonly licenseKey: SecretValue } | { readonly existingSecret: string };
};
export type MailConfig = Omit<Parsed["postfix"], "relay" | "senderAddress" | "password" | "existingSecret" | "environment"> & {
    readonly relay: string;
    readonly senderAddress: string;
    /** The relay's password at the SMTP server: set in the stack (secret), or a Secret managed elsewhere. */
    readonly password: { readonly value: SecretValue } | { readonly existingSecret: string };
};
export type JobsConfig = Parsed["jobs"];

/** The resolved workloads; a feature that is off is undefined. */
export interface WorkloadsConfig {
    readonly archivers: readonly ArchiverConfig[];
    readonly scheduledTasks: ScheduledTasksConfig;
    readonly deleteData?: DeleteDataConfig;
    readonly ldap?: LdapConfig;
    readonly ldapSync?: LdapSyncConfig;
    readonly geoip?: GeoIpConfig;
    readonly mail?: MailConfig;
    readonly jobs: JobsConfig;
}

/** Image repositories of the official Matomo image, which does not ship the LoginLdap plugin. */
const STOCK_MATOMO_IMAGES = new Set(["matomo", "library/matomo", "docker.io/matomo", "docker.io/library/matomo", "index.docker.io/library/matomo"]);

const KEY = "matomo:";

/** Site-selection rules: each site archived by exactly one archiver. */
function archiverIssues(archivers: readonly ArchiverConfig[], key: (i: number) => string): Issue[] {
    const issues: Issue[] = [];
    const names = new Map<string, number>();
    archivers.forEach((a, i) => {
        if (names.has(a.name)) issues.push({ key: `${key(i)}.name`, message: `names the CronJob matomo-${a.name}, as archiver ${names.get(a.name)} does; archivers need distinct names` });
        names.set(a.name, i);
        if (a.forceIdSites.length > 0 && a.skipIdSites.length > 0) {
            issues.push({ key: key(i), message: "sets both forceIdSites and skipIdSites; an archiver takes either some sites or all but some" });
        }
    });
    const forced = new Map<number, number>();
    archivers.forEach((a, i) =>
        a.forceIdSites.forEach((site) => {
            if (forced.has(site)) {
                issues.push({ key: `${key(i)}.forceIdSites`, message: `site ${site} is also forced by archiver ${forced.get(site)}; each site must have one archiver` });
            }
            forced.set(site, i);
        }),
    );
    const catchAll = archivers.map((a, i) => [a, i] as const).filter(([a]) => a.forceIdSites.length === 0);
    if (catchAll.length > 1) {
        issues.push({
            key: key(catchAll[1][1]),
            message: `archivers ${catchAll.map(([, i]) => i).join(" and ")} both archive every site; give all but one of them forceIdSites`,
        });
    }
    for (const [a, i] of catchAll.slice(0, 1)) {
        const missing = [...forced.keys()].filter((site) => !a.skipIdSites.includes(site));
        if (missing.length > 0 && archivers.length > 1) {
            issues.push({
                key: `${key(i)}.skipIdSites`,
                message:
                    missing.length === 1
                        ? `must list ${missing[0]}, which has its own archiver; otherwise it is archived twice`
                        : `must list ${missing.join(", ")}, which have their own archivers; otherwise they are archived twice`,
            });
        }
    }
    return issues;
}

/**
 * Resolves the workloads. `present` tells whether a top-level key is set in the stack (to report
 * settings without effect); `archiversAsList` whether matomocronArchive was written as a list (for
 * the keys in messages); `matomoImage` is the web tier's image repository; `hostname` is the public
 * hostname (for the sender address).
 */
export function resolveWorkloads(
    parsed: Parsed,
    present: (key: keyof Parsed) => boolean,
    archiversAsList: boolean,
    matomoImage: string,
    hostname: string,
): { config?: WorkloadsConfig; issues: Issue[] } {
    const issues: Issue[] = [];
    const archiverKey = (i: number) => `${KEY}matomocronArchive${archiversAsList ? `[${i}]` : ""}`;
    const archivers: ArchiverConfig[] = parsed.matomocronArchive.map(({ image: _image, ...a }, i) => ({
        ...a,
        name: a.name !== undefined ? `archive-${a.name}` : parsed.matomocronArchive.length === 1 ? "archive" : `archive-${i}`,
    }));
    issues.push(...archiverIssues(archivers, archiverKey));
    archivers.forEach((a, i) => issues.push(...memoryIssues(archiverKey(i), a), ...archiverMemoryFloor(archiverKey(i), a.environment.PHP_MEMORY_LIMIT)));

    const scheduledTasks = parsed.matomocronScheduledTasks;
    issues.push(...memoryIssues(`${KEY}matomocronScheduledTasks`, scheduledTasks));

    let deleteData: DeleteDataConfig | undefined;
    const del = parsed.matomocronDeleteData;
    if (del.environment.siteToDelete !== undefined) {
        const { image: _image, environment, ...rest } = del;
        deleteData = { ...rest, phpMemoryLimit: environment.PHP_MEMORY_LIMIT, sites: environment.siteToDelete!, daysToKeep: environment.daysToKeep };
        issues.push(...memoryIssues(`${KEY}matomocronDeleteData`, del));
    } else if (present("matomocronDeleteData")) {
        issues.push({
            key: `${KEY}matomocronDeleteData.environment.siteToDelete`,
            message: 'is not set, so the deletion job does not run and the other matomocronDeleteData settings have no effect; set it ("all", a site ID or a list) or remove them',
        });
    }

    let ldap: LdapConfig | undefined;
    let ldapSync: LdapSyncConfig | undefined;
    if (parsed.ldap.servers.length > 0) {
        const servers: LdapServerConfig[] = [];
        parsed.ldap.servers.forEach((server, i) => {
            if (server.adminPassword === undefined) {
                issues.push({
                    key: `${KEY}ldap.servers[${i}].adminPassword`,
                    message: `is required; set it with \`pulumi config set --secret --path 'ldap.servers[${i}].adminPassword' <password>\``,
                });
            } else servers.push({ ...server, adminPassword: server.adminPassword });
            if (parsed.ldap.servers.findIndex((s) => s.name === server.name) !== i) {
                issues.push({ key: `${KEY}ldap.servers[${i}].name`, message: `"${server.name}" is used twice; server names must be unique` });
            }
        });
        if (STOCK_MATOMO_IMAGES.has(matomoImage)) {
            issues.push({
                key: `${KEY}ldap`,
                message:
                    `needs the LoginLdap plugin, which the official image ("${matomoImage}") does not contain: build an image FROM matomo ` +
                    "with plugins/LoginLdap in it and set matomo.image.repository (and tag) to it (see README, LDAP)",
            });
        }
        ldap = { ...parsed.ldap, servers };
        const { image: _image, ...sync } = parsed.matomocronLdapSync;
        ldapSync = sync;
        issues.push(...memoryIssues(`${KEY}matomocronLdapSync`, sync));
    } else {
        for (const key of ["matomocronLdapSync"] as const) {
            if (present(key)) issues.push({ key: `${KEY}${key}`, message: "has no effect without LDAP servers; configure matomo:ldap.servers or remove it" });
        }
        if (present("ldap")) issues.push({ key: `${KEY}ldap.servers`, message: "is empty, so the other ldap settings have no effect; add a server or remove them" });
    }

    let geoip: GeoIpConfig | undefined;
    const g = parsed.geoipupdate;
    const { accountId, licenseKey, existingSecret, storage: _s, storageClassName: _c, ...geoRest } = g;
    if (existingSecret !== undefined) {
        if (accountId !== undefined || licenseKey !== undefined) {
            issues.push({ key: `${KEY}geoipupdate.existingSecret`, message: "is set together with accountId/licenseKey; use one or the other" });
        }
        geoip = { ...geoRest, credentials: { existingSecret } };
    } else if (accountId !== undefined && licenseKey !== undefined) {
        geoip = { ...geoRest, credentials: { accountId, licenseKey } };
    } else if (accountId !== undefined || licenseKey !== undefined || present("geoipupdate")) {
        issues.push({
            key: `${KEY}geoipupdate`,
            message:
                "needs MaxMind credentials to run: `pulumi config set --secret --path geoipupdate.accountId <account id>` and " +
                "`pulumi config set --secret --path geoipupdate.licenseKey <license key>` (or geoipupdate.existingSecret)",
        });
    }
    if (geoip) issues.push(...checkRequestsWithinLimits(`${KEY}geoipupdate`, g.resources));

    let mail: MailConfig | undefined;
    const p = parsed.postfix;
    if (p.relay !== undefined) {
        const { relay, password, existingSecret, senderAddress, environment: _env, ...rest } = p;
        if (password !== undefined && existingSecret !== undefined) {
            issues.push({ key: `${KEY}postfix.existingSecret`, message: "is set together with password; use one or the other" });
        }
        const login = password !== undefined ? { value: password } : existingSecret !== undefined ? { existingSecret } : undefined;
        if (login) {
            mail = { ...rest, relay, senderAddress: senderAddress ?? `noreply@${hostname}`, password: login };
        } else {
            // eeacms/postfix relays only with a login; without one it delivers directly to the
            // recipients' servers, which reject mail from cluster addresses as spam.
            issues.push({
                key: `${KEY}postfix.password`,
                message:
                    `is required with a relay: the relay logs in at ${relay} as postfix.user ("${p.user}"); ` +
                    "`pulumi config set --secret --path postfix.password <password>` (or set postfix.existingSecret)",
            });
        }
        issues.push(...checkRequestsWithinLimits(`${KEY}postfix`, p.resources));
    } else if (present("postfix")) {
        issues.push({ key: `${KEY}postfix.relay`, message: "is not set, so there is no mail relay and the other postfix settings have no effect; set the SMTP server to relay to" });
    }

    if (issues.length > 0) return { issues };
    return {
        config: { archivers, scheduledTasks, deleteData, ldap, ldapSync, geoip, mail, jobs: parsed.jobs },
        issues,
    };
}

/** The container limit must exceed PHP's memory_limit, and requests stay within limits. */
function memoryIssues(
    key: string,
    job: {
        readonly environment: { readonly PHP_MEMORY_LIMIT: string };
        readonly resources: Parameters<typeof checkRequestsWithinLimits>[1];
    },
): Issue[] {
    return [
        ...checkPhpMemoryFitsContainer(`${key}.environment.PHP_MEMORY_LIMIT`, job.environment.PHP_MEMORY_LIMIT, `${key}.resources.limits.memory`, job.resources.limits.memory),
        ...checkRequestsWithinLimits(key, job.resources),
    ];
}

/** Matomo's `minimum_memory_limit_when_archiving` (MB): archiving raises a lower memory_limit to it. */
const ARCHIVING_MEMORY_FLOOR = "768M";

/**
 * Matomo raises an archiver's memory_limit to 768M when it is lower, so a lower setting would
 * not be what runs, and the container limit check would compare against the wrong number.
 */
function archiverMemoryFloor(key: string, phpLimit: string): Issue[] {
    const floor = phpSizeBytes(ARCHIVING_MEMORY_FLOOR);
    return phpSizeBytes(phpLimit) < floor
        ? [
              {
                  key: `${key}.environment.PHP_MEMORY_LIMIT`,
                  message: `got "${phpLimit}"; archiving needs at least ${ARCHIVING_MEMORY_FLOOR} (${formatBytes(floor)}): Matomo raises a lower memory_limit to that (minimum_memory_limit_when_archiving)`,
              },
          ]
        : [];
}
