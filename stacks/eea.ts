/**
 * The EEA-style topology: MariaDB in the cluster, Matomo on top.
 */
import * as pulumi from "@pulumi/pulumi";
import type { EeaConfig } from "../components/config";
import { MariaDbBackup } from "../components/database/backup";
import { MariaDb } from "../components/database/mariadb";
import { selectorLabels } from "../components/k8s/labels";
import { webIdentity } from "../components/matomo/web";
import { Credentials } from "../components/secrets/credentials";
import { maintenanceOf, pulledImage, secretOf, type StackContext, type StackOutputs } from "./context";
import { deployMatomo } from "./matomo";

export function deployEea(ctx: StackContext<EeaConfig>): StackOutputs {
    const { cfg } = ctx;
    const db = cfg.mariadb;
    const credentials = new Credentials("credentials", {
        databasePassword: secretOf(db.password),
        superuserPassword: secretOf(cfg.matomo.password),
        salt: secretOf(cfg.matomo.salt),
    });
    const mariadb = new MariaDb("mariadb", {
        namespace: ctx.namespace,
        instance: ctx.instance,
        image: pulledImage(cfg, db.image),
        database: db.database,
        user: db.user,
        password: credentials.databasePassword,
        rootPassword: secretOf(db.rootPassword),
        // The Credentials component generated the root password before MariaDb owned it; the
        // alias keeps that password (the data directory was initialised with it).
        rootPasswordAliases: [
            pulumi.createUrn(
                "credentials-database-root-password",
                "random:index/randomPassword:RandomPassword",
                pulumi.createUrn("credentials", "matomo:index:Credentials"),
            ),
        ],
        serverOptions: db.serverOptions,
        storage: db.storage,
        storageClassName: db.storageClassName,
        existingClaim: db.existingClaim,
        resources: db.resources,
        timezone: cfg.timezone,
        retainStorage: cfg.pvc.resourcePolicyKeep,
        placement: cfg.pods.database,
    });
    const backup = db.backup;
    const outputs = deployMatomo(ctx, mariadb.endpoint, credentials, (tier) => {
        if (!backup) return {};
        const backups = new MariaDbBackup("mariadb-backup", {
            namespace: ctx.namespace,
            instance: ctx.instance,
            image: pulledImage(cfg, db.image),
            database: mariadb.endpoint,
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
        return { cronJobs: backups.cronJobNames, egress: backups.egress };
    });
    return { ...outputs, services: { ...outputs.services, database: mariadb.serviceHost } };
}
