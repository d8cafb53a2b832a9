/**
 * The external topology: a MySQL 8 or MariaDB server run elsewhere (Amazon RDS, Azure Database for
 * MySQL, an on-premises server), Matomo on top. No database workload: the pods connect to the
 * server directly; the scheduled logical backup of topology eea can be switched on.
 */
import type { ExternalConfig } from "../components/config";
import { MariaDbBackup } from "../components/database/backup";
import { ExternalDatabase } from "../components/database/external";
import { selectorLabels } from "../components/k8s/labels";
import { webIdentity } from "../components/matomo/web";
import { Credentials } from "../components/secrets/credentials";
import { maintenanceOf, secretOf, type StackContext, type StackOutputs } from "./context";
import { deployMatomo } from "./matomo";

export function deployExternal(ctx: StackContext<ExternalConfig>): StackOutputs {
    const { cfg } = ctx;
    const x = cfg.external;
    const credentials = new Credentials("credentials", {
        superuserPassword: secretOf(cfg.matomo.password),
        salt: secretOf(cfg.matomo.salt),
    });
    const database = new ExternalDatabase("external-database", {
        namespace: ctx.namespace,
        instance: ctx.instance,
        host: x.host,
        port: x.port,
        database: x.database,
        user: x.user,
        password: "value" in x.password ? { value: secretOf(x.password.value) } : x.password,
        collation: x.collation,
        tls: x.tls,
    });
    const backup = x.backup;
    return deployMatomo(ctx, database.endpoint, credentials, (tier) => {
        if (!backup) return {};
        const backups = new MariaDbBackup("mariadb-backup", {
            namespace: ctx.namespace,
            instance: ctx.instance,
            image: backup.image,
            database: database.endpoint,
            tablesPrefix: cfg.matomo.tablesPrefix,
            schedule: backup.schedule,
            timezone: cfg.timezone,
            keep: backup.keep,
            storage: { size: backup.storage, storageClassName: backup.storageClassName, retain: cfg.pvc.resourcePolicyKeep },
            resources: backup.resources,
            activeDeadlineSeconds: backup.activeDeadlineSeconds,
            history: cfg.jobs,
            maintenance: maintenanceOf(cfg),
            offsite: backup.offsite,
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
        return { cronJobs: backups.cronJobNames, egress: backups.egress };
    });
}
