/**
 * `matomo:cloudsql`: Cloud SQL for MySQL and the Cloud SQL Auth Proxy (topology `google`).
 *
 * Defaults follow Google's recommendations for a production MySQL 8 instance (reference
 * google-topology.md §0): explicit Enterprise edition, backups with binary logging (MySQL's
 * point-in-time recovery), only connections through the Auth Proxy, encrypted transport, deletion
 * protection in Pulumi and in GCP, Workload Identity instead of key files.
 */
import { boolean, integer, oneOf, string } from "./schema/fields";
import { object, record } from "./schema/structures";
import {
    checkConnectionName,
    checkFlagName,
    checkInstanceName,
    checkNetwork,
    checkProjectId,
    checkRegion,
    checkServiceAccountId,
    checkTier,
    checkTimeOfDay,
} from "./gcp";
import { image, resources } from "./schema/parts";
import { checkDatabaseName, checkDatabaseUser, checkDnsLabel } from "./schema/validators";

/**
 * Database flags every instance gets unless `cloudsql.flags` sets them otherwise: Matomo's system
 * check wants `max_allowed_packet` of at least 64 MB (128 MB as the seed's MariaDB had); long
 * archiving queries get the seed's network timeouts; `local_infile` stays off (CIS benchmark),
 * since Matomo is told not to use `LOAD DATA INFILE` on Cloud SQL anyway.
 */
export const DEFAULT_DATABASE_FLAGS = {
    max_allowed_packet: "134217728",
    net_read_timeout: "120",
    net_write_timeout: "180",
    local_infile: "off",
} as const;

/** Matomo's system check warns below this `max_allowed_packet` (bytes). */
export const MIN_MAX_ALLOWED_PACKET = 64 * 2 ** 20;

export const PROXY_IMAGE = { repository: "gcr.io/cloud-sql-connectors/cloud-sql-proxy", tag: "2.25.3" } as const;

export const cloudsql = object(
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
        instanceName: string({
            doc: "Name of the created instance. Unset: Pulumi names it `cloudsql-instance-<random>` (a name cannot be reused for a week after its instance is deleted).",
            optional: true,
            check: checkInstanceName,
        }),
        databaseVersion: string({
            doc: "MySQL version: `MYSQL_8_0` (optionally minor-pinned, `MYSQL_8_0_41`) or `MYSQL_8_4`. MySQL 5.7 is refused: Cloud SQL 5.7 rejects the temporary tables Matomo's archiving creates inside transactions.",
            default: "MYSQL_8_0",
            check: (v) =>
                /^MYSQL_5_/.test(v)
                    ? "MySQL 5.x is not supported: Cloud SQL 5.7 refuses CREATE TEMPORARY TABLE inside transactions (GTID), which Matomo's archiving uses; use MYSQL_8_0 or MYSQL_8_4"
                    : /^MYSQL_8_0(_\d+)?$|^MYSQL_8_4$/.test(v)
                      ? undefined
                      : "expected MYSQL_8_0, MYSQL_8_0_<minor> or MYSQL_8_4",
        }),
        edition: oneOf(["ENTERPRISE", "ENTERPRISE_PLUS"], {
            doc: "Cloud SQL edition, always explicit (the API's default differs by version). `ENTERPRISE_PLUS` takes `db-perf-optimized-N-*` tiers.",
            default: "ENTERPRISE",
        }),
        tier: string({
            doc: "Machine tier, e.g. `db-custom-2-8192` (2 vCPUs, 8 GB) or, for Enterprise Plus, `db-perf-optimized-N-4`.",
            default: "db-custom-2-8192",
            check: checkTier,
        }),
        availabilityType: oneOf(["ZONAL", "REGIONAL"], {
            doc: "`REGIONAL` keeps a standby in a second zone (needs backups and binary logging).",
            default: "ZONAL",
        }),
        diskType: oneOf(["PD_SSD", "PD_HDD"], { doc: "Disk type.", default: "PD_SSD" }),
        diskSize: integer({ doc: "Initial disk size in GB.", default: 20, min: 10, max: 65536 }),
        diskAutoresize: boolean({ doc: "Grow the disk automatically when it fills up.", default: true }),
        diskAutoresizeLimit: integer({
            doc: "Largest size in GB automatic growth may reach; 0 for no limit.",
            default: 0,
            min: 0,
            max: 65536,
        }),
        backups: object(
            {
                enabled: boolean({ doc: "Daily automated backups.", default: true }),
                binaryLog: boolean({
                    doc: "Binary logging: MySQL's point-in-time recovery (needs backups).",
                    default: true,
                }),
                startTime: string({ doc: "Start of the daily backup window (UTC, HH:MM).", default: "02:00", check: checkTimeOfDay }),
                retainedBackups: integer({ doc: "Number of daily backups kept.", default: 14, min: 1, max: 365 }),
                transactionLogRetentionDays: integer({
                    doc: "Days of binary logs kept for point-in-time recovery (1-7 on Enterprise, up to 35 on Enterprise Plus).",
                    default: 7,
                    min: 1,
                    max: 35,
                }),
                location: string({
                    doc: "Where backups are stored (a region or multi-region such as `eu`); unset for the instance's multi-region.",
                    optional: true,
                    check: (v) => (/^[a-z]+(-[a-z]+\d+)?$/.test(v) ? undefined : "expected a region or multi-region such as eu or europe-west1"),
                }),
            },
            { doc: "Automated backups and point-in-time recovery." },
        ),
        maintenanceWindow: object(
            {
                day: integer({ doc: "Day of the week for maintenance, 1 (Monday) to 7 (Sunday).", default: 7, min: 1, max: 7 }),
                hour: integer({ doc: "Hour of the maintenance window (UTC), 0-23.", default: 3, min: 0, max: 23 }),
                updateTrack: oneOf(["stable", "canary", "week5"], {
                    doc: "When in the release cycle maintenance comes.",
                    default: "stable",
                }),
            },
            { doc: "When Google may restart the instance for maintenance." },
        ),
        flags: record(string({ doc: "Flag value.", required: true }), {
            doc: `Database flags, merged over the defaults (${Object.entries(DEFAULT_DATABASE_FLAGS)
                .map(([k, v]) => `\`${k}=${v}\``)
                .join(", ")}).`,
            default: {},
            defaultDoc: "defaults only",
            checkKey: checkFlagName,
        }),
        queryInsights: boolean({ doc: "Query Insights (query statistics in the console).", default: true }),
        sslMode: oneOf(["ENCRYPTED_ONLY", "ALLOW_UNENCRYPTED_AND_ENCRYPTED", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"], {
            doc: "Which connections the instance accepts; the Auth Proxy always encrypts.",
            default: "ENCRYPTED_ONLY",
        }),
        connectorEnforcement: oneOf(["REQUIRED", "NOT_REQUIRED"], {
            doc: "`REQUIRED`: only the Cloud SQL Auth Proxy and connectors may connect.",
            default: "REQUIRED",
        }),
        privateNetwork: string({
            doc: "VPC network for a private IP (`projects/<p>/global/networks/<n>`); needs private services access set up on it. The proxy then dials the private IP.",
            optional: true,
            check: checkNetwork,
        }),
        publicIp: boolean({
            doc: "Give the instance a public IP (reached only through the proxy when connectorEnforcement is REQUIRED). Defaults to true without privateNetwork, false with it.",
            optional: true,
            defaultDoc: "not `privateNetwork`",
        }),
        deletionProtection: boolean({
            doc: "Protect the instance from deletion in Pulumi (`deletionProtection`) and in GCP (`deletionProtectionEnabled`), and keep the database when it is removed from the stack.",
            default: true,
        }),
        database: string({ doc: "Name of Matomo's database.", default: "matomo", check: checkDatabaseName }),
        collation: string({
            doc: "Collation of the database (and Matomo's `[database] collation`).",
            default: "utf8mb4_0900_ai_ci",
            check: (v) => (/^utf8mb4_[a-z0-9_]+$/.test(v) ? undefined : "expected a utf8mb4 collation such as utf8mb4_0900_ai_ci"),
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
            doc: "Workload Identity pool of the GKE cluster. Unset: `<project>.svc.id.goog` (set it when the cluster lives in another project).",
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
    { doc: "Cloud SQL for MySQL and the Cloud SQL Auth Proxy (topology `google`)." },
);
