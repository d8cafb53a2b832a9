/**
 * The Google-style topology: Cloud SQL for MySQL reached through the Cloud SQL Auth Proxy, Matomo
 * on top. This module (and through it `@pulumi/gcp`) is loaded only for `topology: google`.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { GoogleConfig } from "../components/config";
import { CloudSqlDatabase } from "../components/database/cloudSql";
import { Credentials } from "../components/secrets/credentials";
import { pulledImage, secretOf, type StackContext, type StackOutputs } from "./context";
import { deployMatomo } from "./matomo";

export interface GoogleOutputs extends StackOutputs {
    readonly cloudSql: {
        readonly connectionName: pulumi.Output<string>;
        readonly instanceName: pulumi.Output<string>;
        readonly database: string;
        readonly user: string;
    };
    /** The Google service account the Cloud SQL Auth Proxy runs as. */
    readonly serviceAccountEmail: pulumi.Output<string>;
}

export function deployGoogle(ctx: StackContext<GoogleConfig>): GoogleOutputs {
    const { cfg } = ctx;
    const s = cfg.cloudsql;
    const credentials = new Credentials("credentials", {
        superuserPassword: secretOf(cfg.matomo.password),
        salt: secretOf(cfg.matomo.salt),
    });
    const cloudSql = new CloudSqlDatabase("cloudsql", {
        namespace: ctx.namespace,
        instance: ctx.instance,
        project: s.project,
        region: s.region,
        sqlInstance: s.instance,
        deletionProtection: s.deletionProtection,
        database: s.database,
        collation: s.collation,
        user: s.user,
        password: credentials.databasePassword,
        identity: s.identity,
        serviceAccountId: s.serviceAccountId,
        kubernetesServiceAccount: s.kubernetesServiceAccount,
        workloadIdentityPool: s.workloadIdentityPool,
        privateIp: s.privateIp,
        proxy: { ...s.proxy, image: pulledImage(cfg, s.proxy.image) },
    });
    return {
        ...deployMatomo(ctx, cloudSql.endpoint, credentials),
        cloudSql: {
            connectionName: cloudSql.connectionName,
            instanceName: cloudSql.instanceName,
            database: s.database,
            user: s.user,
        },
        serviceAccountEmail: cloudSql.serviceAccountEmail,
    };
}
