/**
 * `matomo:cloudsql`: Cloud SQL for MySQL and the Cloud SQL Auth Proxy (topology `google`): where
 * the instance is (project and region from the `gcp:` provider config unless set here), the
 * instance to create or one managed elsewhere, Matomo's database and user, and the proxy's identity.
 * Deletion protection in Pulumi and in GCP, Workload Identity instead of key files.
 */
import type { ContainerResources } from "../../../k8s/resources";
import { boolean, oneOf, string, type ValueOf } from "../../schema/fields";
import { object } from "../../schema/structures";
import { image, resources, type Image } from "../../schema/parts";
import { checkDatabaseName, checkDatabaseUser, checkDnsLabel } from "../../schema/validators";
import { report, writtenFields, type ResolveContext } from "../context";
import { checkConnectionName, checkProjectId, checkRegion, checkServiceAccountId, parseConnectionName } from "./gcpValues";
import { INSTANCE_KEYS, instanceFields, resolveInstance, type CloudSqlInstanceConfig } from "./instance";
import { instanceIssues } from "./instanceRules";
import { checkMysqlCollation, collationVersionIssue } from "./collations";

export type { CloudSqlInstanceConfig } from "./instance";

export const PROXY_IMAGE = { repository: "gcr.io/cloud-sql-connectors/cloud-sql-proxy", tag: "2.25.3" } as const;

export const cloudsqlKey = object(
    {
        project: string({
            doc: "Project of the Cloud SQL instance and the service account. Defaults to the `gcp:project` provider setting.",
            optional: true,
            defaultDoc: "`gcp:project`",
            check: checkProjectId,
        }),
        region: string({
            doc: "Region of the instance. Defaults to the `gcp:region` provider setting.",
            optional: true,
            defaultDoc: "`gcp:region`",
            check: checkRegion,
        }),
        existingInstance: string({
            doc: "Connection name (`project:region:instance`) of an instance managed elsewhere. When set, no instance is created; the program only manages the database, the user and the identity on it.",
            optional: true,
            check: checkConnectionName,
        }),
        ...instanceFields,
        deletionProtection: boolean({
            doc: "Protect the instance from deletion in Pulumi (`deletionProtection`) and in GCP (`deletionProtectionEnabled`), and keep the database when it is removed from the stack.",
            default: true,
        }),
        database: string({ doc: "Name of Matomo's database.", default: "matomo", check: checkDatabaseName }),
        collation: string({
            doc: "Collation of the database (and Matomo's `[database] collation`): a utf8mb4 collation of MySQL 8.0 or 8.4 (`SHOW COLLATION WHERE Charset = 'utf8mb4'`); MariaDB's `utf8mb4_uca1400_*` ones do not exist there.",
            default: "utf8mb4_0900_ai_ci",
            check: checkMysqlCollation,
        }),
        user: string({ doc: "Database user Matomo connects as (its password is generated).", default: "matomo", check: checkDatabaseUser }),
        identity: oneOf(["workloadIdentity", "serviceAccountKey"], {
            doc: "How the proxy authenticates: `workloadIdentity` (GKE Workload Identity, no key) or `serviceAccountKey` (a generated JSON key in a Secret, for clusters without Workload Identity).",
            default: "workloadIdentity",
        }),
        serviceAccountId: string({
            doc: "ID of the Google service account the proxy runs as. Unset: `matomo-<stack>`.",
            optional: true,
            defaultDoc: "`matomo-<stack>`",
            check: checkServiceAccountId,
        }),
        kubernetesServiceAccount: string({
            doc: "Kubernetes service account of every pod that talks to the database.",
            default: "matomo",
            check: checkDnsLabel,
        }),
        workloadIdentityPool: string({
            doc: "Workload Identity pool of the GKE cluster, with `identity: workloadIdentity`. Unset: `<project>.svc.id.goog` (set it when the cluster lives in another project).",
            optional: true,
            defaultDoc: "`<project>.svc.id.goog`",
            check: (v) => (/^[a-z][a-z0-9-]{4,28}[a-z0-9]\.svc\.id\.goog$/.test(v) ? undefined : "expected <cluster-project>.svc.id.goog"),
        }),
        proxy: object(
            {
                image: image("the Cloud SQL Auth Proxy (v2)", PROXY_IMAGE.repository, PROXY_IMAGE.tag),
                resources: resources("Cloud SQL Auth Proxy", { requestMemory: "64Mi", requestCpu: "50m", limitMemory: "256Mi" }),
            },
            { doc: "The Cloud SQL Auth Proxy sidecar." },
        ),
    },
    {
        doc: "Cloud SQL for MySQL and the Cloud SQL Auth Proxy (topology `google`).",
        switches: { diskAutoresize: { governs: ["diskAutoresizeLimit"], off: "the disk never grows" } },
    },
);

/** Cloud SQL settings with every default resolved. */
export interface CloudSqlConfig {
    readonly project: string;
    readonly region: string;
    /** The instance to create, or the name of one managed elsewhere (in `project` and `region`). */
    readonly instance: { readonly create: CloudSqlInstanceConfig } | { readonly existing: string };
    /** Deletion protection of the instance; the database and user are abandoned, not dropped, when removed. */
    readonly deletionProtection: boolean;
    /** The proxy dials the instance's private IP (`privateNetwork` is set). */
    readonly privateIp: boolean;
    readonly database: string;
    readonly collation: string;
    readonly user: string;
    readonly identity: "workloadIdentity" | "serviceAccountKey";
    readonly serviceAccountId: string;
    readonly kubernetesServiceAccount: string;
    readonly workloadIdentityPool: string;
    readonly proxy: { readonly image: Image; readonly resources: ContainerResources };
}

/**
 * The resolved settings, or undefined with the problems reported. Reads `gcp:project` and
 * `gcp:region` when the section does not set them, and names the default service account after
 * the stack.
 */
export function resolveCloudSql(value: ValueOf<typeof cloudsqlKey>, ctx: ResolveContext): CloudSqlConfig | undefined {
    const before = ctx.issues.length;
    const explicitKeys = writtenFields(ctx, "cloudsql");

    const existing = value.existingInstance === undefined ? undefined : parseConnectionName(value.existingInstance);
    if (existing) {
        for (const key of INSTANCE_KEYS.filter((k) => explicitKeys.includes(k))) {
            report(
                ctx,
                `cloudsql.${key}`,
                `has no effect with existingInstance (${value.existingInstance}): that instance is managed elsewhere; remove the key`,
            );
        }
        if (value.project !== undefined && value.project !== existing.project) {
            report(ctx, "cloudsql.project", `got "${value.project}", but existingInstance is in project "${existing.project}"`);
        }
        if (value.region !== undefined && value.region !== existing.region) {
            report(ctx, "cloudsql.region", `got "${value.region}", but existingInstance is in region "${existing.region}"`);
        }
    }

    const fromProvider = (name: "project" | "region", check: (v: string) => string | undefined): string | undefined => {
        const own = value[name] ?? existing?.[name];
        if (own !== undefined) return own;
        const provided = ctx.source.get(`gcp:${name}`);
        if (provided === undefined) {
            report(
                ctx,
                `cloudsql.${name}`,
                `is required for topology "google": set it with \`pulumi config set gcp:${name} <${name}>\` or \`pulumi config set --path cloudsql.${name} <${name}>\``,
            );
            return undefined;
        }
        const reason = check(provided);
        if (reason !== undefined) ctx.issues.push({ key: `gcp:${name}`, message: `got ${JSON.stringify(provided)}; ${reason}` });
        return provided;
    };
    const project = fromProvider("project", checkProjectId);
    const region = fromProvider("region", checkRegion);

    if (value.identity === "serviceAccountKey" && value.workloadIdentityPool !== undefined) {
        report(
            ctx,
            "cloudsql.workloadIdentityPool",
            'has no effect with identity "serviceAccountKey": the proxy authenticates with a key, and no Workload Identity binding is made; remove it, or set identity to "workloadIdentity"',
        );
    }

    const serviceAccountId = value.serviceAccountId ?? `matomo-${ctx.source.stack}`.toLowerCase();
    if (value.serviceAccountId === undefined && checkServiceAccountId(serviceAccountId) !== undefined) {
        report(
            ctx,
            "cloudsql.serviceAccountId",
            `the default "${serviceAccountId}" (matomo-<stack>) is not a valid service account ID (6-30 lower-case letters, digits or '-'); set one`,
        );
    }

    const instance = resolveInstance(value);
    ctx.issues.push(...instanceIssues(instance));
    const versionIssue = existing ? undefined : collationVersionIssue(value.collation, instance.databaseVersion);
    if (versionIssue) report(ctx, "cloudsql.collation", versionIssue);

    if (ctx.issues.length > before || project === undefined || region === undefined) return undefined;
    return {
        project,
        region,
        instance: existing ? { existing: existing.instance } : { create: instance },
        deletionProtection: value.deletionProtection,
        privateIp: value.privateNetwork !== undefined,
        database: value.database,
        collation: value.collation,
        user: value.user,
        identity: value.identity,
        serviceAccountId,
        kubernetesServiceAccount: value.kubernetesServiceAccount,
        workloadIdentityPool: value.workloadIdentityPool ?? `${project}.svc.id.goog`,
        proxy: value.proxy,
    };
}
