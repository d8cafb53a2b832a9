/**
 * The Cloud SQL instance this program creates (`matomo:cloudsql` without `existingInstance`): its
 * keys and the rules among them.
 *
 * Defaults follow Google's recommendations for a production MySQL 8 instance (reference
 * google-topology.md §0): explicit Enterprise edition, backups with binary logging (MySQL's
 * point-in-time recovery), only connections through the Auth Proxy, encrypted transport.
 */
import { boolean, integer, oneOf, string, type ValueOf } from "../../schema/fields";
import { object, record } from "../../schema/structures";
import { checkFlagName, checkInstanceName, checkNetwork, checkTier, checkTimeOfDay } from "./gcpValues";

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

/** The instance's keys, in the order the config reference lists them. */
export const instanceFields = {
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
                check: (v) =>
                    /^[a-z]+(-[a-z]+\d+)?$/.test(v) ? undefined : "expected a region or multi-region such as eu or europe-west1",
            }),
        },
        {
            doc: "Automated backups and point-in-time recovery.",
            switches: {
                enabled: {
                    governs: ["startTime", "retainedBackups", "transactionLogRetentionDays", "location"],
                    off: "Cloud SQL takes no backup",
                },
                binaryLog: {
                    governs: ["transactionLogRetentionDays"],
                    off: "there are no binary logs to keep for point-in-time recovery",
                },
            },
        },
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
};

/** Keys that configure the instance itself, meaningless when the instance is managed elsewhere. */
export const INSTANCE_KEYS = Object.keys(instanceFields).filter((key) => key !== "privateNetwork");

type InstanceValues = { readonly [K in keyof typeof instanceFields]: ValueOf<(typeof instanceFields)[K]> };

/** The instance to create, every default resolved. */
export interface CloudSqlInstanceConfig {
    /** Instance name; undefined for a Pulumi-generated one. */
    readonly name?: string;
    readonly databaseVersion: string;
    readonly edition: "ENTERPRISE" | "ENTERPRISE_PLUS";
    readonly tier: string;
    readonly availabilityType: "ZONAL" | "REGIONAL";
    readonly diskType: "PD_SSD" | "PD_HDD";
    /** GB. */
    readonly diskSize: number;
    readonly diskAutoresize: boolean;
    /** GB; 0 for no limit. */
    readonly diskAutoresizeLimit: number;
    readonly backups: {
        readonly enabled: boolean;
        readonly binaryLog: boolean;
        /** UTC, HH:MM. */
        readonly startTime: string;
        readonly retainedBackups: number;
        readonly transactionLogRetentionDays: number;
        readonly location?: string;
    };
    readonly maintenanceWindow: { readonly day: number; readonly hour: number; readonly updateTrack: "stable" | "canary" | "week5" };
    /** Database flags: the defaults merged with `flags`. */
    readonly flags: Readonly<Record<string, string>>;
    readonly queryInsights: boolean;
    readonly sslMode: "ENCRYPTED_ONLY" | "ALLOW_UNENCRYPTED_AND_ENCRYPTED" | "TRUSTED_CLIENT_CERTIFICATE_REQUIRED";
    readonly connectorEnforcement: "REQUIRED" | "NOT_REQUIRED";
    /** VPC network of a private IP. */
    readonly privateNetwork?: string;
    readonly publicIp: boolean;
}

/** The instance settings, with the defaults that depend on other keys. */
export function resolveInstance(value: InstanceValues): CloudSqlInstanceConfig {
    return {
        name: value.instanceName,
        databaseVersion: value.databaseVersion,
        edition: value.edition,
        tier: value.tier,
        availabilityType: value.availabilityType,
        diskType: value.diskType,
        diskSize: value.diskSize,
        diskAutoresize: value.diskAutoresize,
        diskAutoresizeLimit: value.diskAutoresizeLimit,
        backups: value.backups,
        maintenanceWindow: value.maintenanceWindow,
        flags: { ...DEFAULT_DATABASE_FLAGS, ...value.flags },
        queryInsights: value.queryInsights,
        sslMode: value.sslMode,
        connectorEnforcement: value.connectorEnforcement,
        privateNetwork: value.privateNetwork,
        publicIp: value.publicIp ?? value.privateNetwork === undefined,
    };
}
