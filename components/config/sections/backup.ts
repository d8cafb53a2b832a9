/**
 * `matomo:mariadb.backup`: scheduled dumps of the in-cluster MariaDB (topology `eea`), on by
 * default there. Cloud SQL keeps its own backups (`matomo:cloudsql.backups`).
 */
import type { ContainerResources } from "../../k8s/resources";
import { checkByteQuantity } from "../../k8s/units";
import { boolean, integer, string, type ValueOf } from "../schema/fields";
import { cronSchedule, deadline, resources } from "../schema/parts";
import { object } from "../schema/structures";
import { checkOptionalDnsSubdomain } from "../schema/validators";

export const backupKey = object(
    {
        enabled: boolean({ doc: "Dump the Matomo database on a schedule onto a volume of its own.", default: true }),
        cronSchedule: cronSchedule("When the database is dumped (in matomo:timezone).", "30 1 * * *"),
        keep: integer({
            doc: "Complete backups kept; older ones are deleted only after a new one succeeded.",
            default: 7,
            min: 1,
            max: 366,
        }),
        uploads: boolean({
            doc: "Also archive Matomo's uploaded logos (`misc/user`, the one part of `misc/` that cannot be downloaded again).",
            default: true,
        }),
        storage: string({ doc: "Size of the backup volume (about `keep` compressed dumps).", default: "10Gi", check: checkByteQuantity }),
        storageClassName: string({
            doc: "StorageClass of the backup volume; empty for the cluster default. A backup on the database's cluster is not a disaster-recovery copy: see docs/backup-restore.md.",
            default: "",
            check: checkOptionalDnsSubdomain,
        }),
        activeDeadlineSeconds: deadline("backup", 6 * 3600),
        resources: resources("backup", { requestMemory: "64Mi", requestCpu: "100m", limitMemory: "512Mi" }),
    },
    { doc: "Scheduled dumps of the MariaDB database (topology `eea`)." },
);

/** The backups, when enabled. */
export interface BackupConfig {
    readonly schedule: string;
    readonly keep: number;
    readonly uploads: boolean;
    readonly storage: string;
    readonly storageClassName?: string;
    readonly activeDeadlineSeconds: number;
    readonly resources: ContainerResources;
}

export function resolveBackup(value: ValueOf<typeof backupKey>): BackupConfig | undefined {
    if (!value.enabled) return undefined;
    return {
        schedule: value.cronSchedule,
        keep: value.keep,
        uploads: value.uploads,
        storage: value.storage,
        storageClassName: value.storageClassName || undefined,
        activeDeadlineSeconds: value.activeDeadlineSeconds,
        resources: value.resources,
    };
}
