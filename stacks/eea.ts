/**
 * The EEA-style topology: MariaDB in the cluster, Matomo on top.
 */
import * as pulumi from "@pulumi/pulumi";
import type { EeaConfig } from "../components/config";
import { MariaDb } from "../components/database/mariadb";
import { Credentials } from "../components/secrets/credentials";
import { databaseBackups } from "./backups";
import { pulledImage, secretOf, type StackContext, type StackOutputs } from "./context";
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
    const outputs = deployMatomo(
        ctx,
        mariadb.endpoint,
        credentials,
        databaseBackups(ctx, mariadb.endpoint, db.backup && { ...db.backup, image: db.image }),
    );
    return { ...outputs, services: { ...outputs.services, database: mariadb.serviceHost } };
}
