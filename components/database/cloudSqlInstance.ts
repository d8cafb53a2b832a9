/**
 * The Cloud SQL for MySQL instance this program creates, as a pure function of its settings:
 * explicit edition and tier, backups with binary logging, only connections through the Auth Proxy,
 * encrypted transport, deletion protection in Pulumi and in GCP.
 */
import type * as sql from "@pulumi/gcp/sql";

/** The instance's settings (`matomo:cloudsql` without `existingInstance`). */
export interface CloudSqlInstanceSettings {
    /** Instance name. Defaults to a Pulumi-generated `<resource name>-<random>` (a name cannot be reused for a week after deletion). */
    readonly name?: string;
    /** `MYSQL_8_0` (optionally minor-pinned) or `MYSQL_8_4`. */
    readonly databaseVersion: string;
    /** Always explicit: the API's default differs by version. */
    readonly edition: "ENTERPRISE" | "ENTERPRISE_PLUS";
    /** Machine tier, e.g. `db-custom-2-8192`. */
    readonly tier: string;
    /** `REGIONAL` keeps a standby in a second zone. */
    readonly availabilityType: "ZONAL" | "REGIONAL";
    /** SSD or HDD persistent disk. */
    readonly diskType: "PD_SSD" | "PD_HDD";
    /** Initial disk size in GB. */
    readonly diskSize: number;
    /** Grow the disk automatically when it fills up. */
    readonly diskAutoresize: boolean;
    /** Largest size in GB automatic growth may reach; 0 for no limit. */
    readonly diskAutoresizeLimit: number;
    /** Automated daily backups and point-in-time recovery. */
    readonly backups: {
        readonly enabled: boolean;
        /** Binary logging: point-in-time recovery. */
        readonly binaryLog: boolean;
        /** Start of the daily backup window, UTC `HH:MM`. */
        readonly startTime: string;
        readonly retainedBackups: number;
        readonly transactionLogRetentionDays: number;
        /** Region or multi-region of the backups. Defaults to the instance's multi-region. */
        readonly location?: string;
    };
    /** When Google may restart the instance: day 1 (Monday) to 7, hour (UTC), release track. */
    readonly maintenanceWindow: { readonly day: number; readonly hour: number; readonly updateTrack: string };
    /** Database flags by name. */
    readonly flags: Readonly<Record<string, string>>;
    /** Query Insights (query statistics in the console). */
    readonly queryInsights: boolean;
    /** Which connections the instance accepts, e.g. `ENCRYPTED_ONLY`. */
    readonly sslMode: string;
    /** `REQUIRED`: only the Auth Proxy and connectors may connect. */
    readonly connectorEnforcement: string;
    /** VPC network for a private IP (`projects/<p>/global/networks/<n>`). Defaults to none. */
    readonly privateNetwork?: string;
    /** A public IP (reached only through the proxy when connectors are enforced). */
    readonly publicIp: boolean;
}

/** A GCP label value: lower-case letters, digits, '-' and '_', at most 63 characters. */
export function gcpLabelValue(text: string): string {
    return text
        .toLowerCase()
        .replace(/[^a-z0-9_-]/g, "-")
        .slice(0, 63);
}

/** The instance's arguments. `deletionProtection` applies in Pulumi and in GCP. */
export function instanceArgs(
    s: CloudSqlInstanceSettings,
    where: { readonly project: string; readonly region: string; readonly installation: string; readonly deletionProtection: boolean },
): sql.DatabaseInstanceArgs {
    return {
        project: where.project,
        region: where.region,
        name: s.name,
        databaseVersion: s.databaseVersion,
        // Pulumi refuses to delete the instance while this is true.
        deletionProtection: where.deletionProtection,
        settings: {
            edition: s.edition,
            tier: s.tier,
            availabilityType: s.availabilityType,
            diskType: s.diskType,
            diskSize: s.diskSize,
            diskAutoresize: s.diskAutoresize,
            diskAutoresizeLimit: s.diskAutoresizeLimit,
            // GCP refuses deletion from every surface (console, gcloud, API) while this is true.
            deletionProtectionEnabled: where.deletionProtection,
            backupConfiguration: {
                enabled: s.backups.enabled,
                binaryLogEnabled: s.backups.binaryLog,
                startTime: s.backups.startTime,
                location: s.backups.location,
                transactionLogRetentionDays: s.backups.transactionLogRetentionDays,
                backupRetentionSettings: { retainedBackups: s.backups.retainedBackups, retentionUnit: "COUNT" },
            },
            ipConfiguration: {
                ipv4Enabled: s.publicIp,
                privateNetwork: s.privateNetwork,
                sslMode: s.sslMode,
            },
            connectorEnforcement: s.connectorEnforcement,
            databaseFlags: Object.entries(s.flags).map(([flag, value]) => ({ name: flag, value })),
            insightsConfig: { queryInsightsEnabled: s.queryInsights },
            maintenanceWindow: {
                day: s.maintenanceWindow.day,
                hour: s.maintenanceWindow.hour,
                updateTrack: s.maintenanceWindow.updateTrack,
            },
            userLabels: { app: "matomo", installation: gcpLabelValue(where.installation), "managed-by": "pulumi" },
        },
    };
}
