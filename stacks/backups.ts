/**
 * The scheduled dumps of a database the stack can dump itself (the in-cluster MariaDB of topology
 * eea, a server of topology external), the same CronJobs on both, given the Matomo tier's shared
 * objects (`deployMatomo`'s `TierExtras`).
 */
import type { BackupConfig } from "../components/config/sections/backup";
import { MariaDbBackup } from "../components/database/backup";
import type { DatabaseEndpoint } from "../components/database/endpoint";
import type { ImageRef } from "../components/k8s/image";
import { selectorLabels } from "../components/k8s/labels";
import { webIdentity } from "../components/matomo/web";
import { maintenanceOf, pulledImage, type StackContext } from "./context";
import type { TierExtras } from "./matomo";

/** The dumps of `database` with the clients of `backup.image`, as the tier's extras; nothing without `backup`. */
export function databaseBackups(
    ctx: StackContext,
    database: DatabaseEndpoint,
    backup?: BackupConfig & { readonly image: ImageRef },
): TierExtras {
    const { cfg } = ctx;
    return (tier) => {
        if (!backup) return {};
        const backups = new MariaDbBackup("mariadb-backup", {
            namespace: ctx.namespace,
            instance: ctx.instance,
            image: pulledImage(cfg, backup.image),
            database,
            tablesPrefix: cfg.matomo.tablesPrefix,
            schedule: backup.schedule,
            timezone: cfg.timezone,
            keep: backup.keep,
            storage: { size: backup.storage, storageClassName: backup.storageClassName, retain: cfg.pvc.resourcePolicyKeep },
            resources: backup.resources,
            activeDeadlineSeconds: backup.activeDeadlineSeconds,
            history: cfg.jobs,
            maintenance: maintenanceOf(cfg),
            offsite: backup.offsite && { ...backup.offsite, image: pulledImage(cfg, backup.offsite.image) },
            placement: cfg.pods.backup,
            uploads: backup.uploads
                ? {
                      claimName: tier.miscClaimName,
                      subPath: tier.miscSubPath,
                      // A ReadWriteOnce claim mounts on one node only: the web pod's.
                      colocateWith:
                          cfg.matomo.storageAccessMode === "ReadWriteOnce" ? selectorLabels(webIdentity(ctx.instance)) : undefined,
                  }
                : undefined,
        });
        return { cronJobs: backups.cronJobNames, scheduled: backups.scheduled, egress: backups.egress };
    };
}
