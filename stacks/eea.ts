/**
 * The EEA-style topology: MariaDB in the cluster, Matomo on top.
 */
import * as pulumi from "@pulumi/pulumi";
import { MariaDb } from "../components/database/mariadb";
import { Credentials } from "../components/secrets/credentials";
import { imageOf, secretOf, type StackContext, type StackOutputs } from "./context";
import { deployMatomo } from "./matomo";

export function deployEea(ctx: StackContext): StackOutputs {
    const { cfg } = ctx;
    const credentials = new Credentials("credentials", {
        databasePassword: secretOf(cfg.mariadb.password),
        superuserPassword: secretOf(cfg.matomo.password),
        salt: secretOf(cfg.matomo.salt),
    });
    const mariadb = new MariaDb("mariadb", {
        namespace: ctx.namespace,
        instance: ctx.instance,
        image: imageOf(cfg.mariadb.image),
        database: cfg.mariadb.database,
        user: cfg.mariadb.user,
        password: credentials.databasePassword,
        rootPassword: secretOf(cfg.mariadb.rootPassword),
        // The Credentials component generated the root password before MariaDb owned it; the
        // alias keeps that password (the data directory was initialised with it).
        rootPasswordAliases: [
            pulumi.createUrn("credentials-database-root-password", "random:index/randomPassword:RandomPassword", pulumi.createUrn("credentials", "matomo:index:Credentials")),
        ],
        serverOptions: cfg.mariadb.serverOptions,
        storage: cfg.mariadb.storage,
        storageClassName: cfg.mariadb.storageClassName || undefined,
        resources: cfg.mariadb.resources,
        timezone: cfg.timezone,
        retainStorage: cfg.pvc.resourcePolicyKeep,
    });
    const outputs = deployMatomo(ctx, mariadb.endpoint, credentials);
    return { ...outputs, services: { ...outputs.services, database: mariadb.serviceHost } };
}
