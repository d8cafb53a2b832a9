/**
 * The Google-style topology: Cloud SQL for MySQL reached through the Cloud SQL Auth Proxy, Matomo
 * on top. This module (and through it `@pulumi/gcp`) is loaded only for `topology: google`.
 */
import * as pulumi from "@pulumi/pulumi";
import { imageReference } from "../components/k8s/image";
import { CloudSqlDatabase } from "../components/database/cloudSql";
import { Credentials } from "../components/secrets/credentials";
import type { StackContext, StackOutputs } from "./context";
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

export function deployGoogle(ctx: StackContext): GoogleOutputs {
    const { cfg } = ctx;
    const settings = cfg.cloudsql!;
    const credentials = new Credentials("credentials", {
        superuserPassword: cfg.matomo.password,
        salt: cfg.matomo.salt,
    });
    const cloudSql = new CloudSqlDatabase("cloudsql", {
        namespace: ctx.namespace,
        instance: ctx.instance,
        settings,
        password: credentials.databasePassword,
        proxy: {
            image: imageReference(settings.proxy.image),
            imagePullPolicy: settings.proxy.image.pullPolicy,
            resources: settings.proxy.resources,
        },
    });
    return {
        ...deployMatomo(ctx, cloudSql.endpoint, credentials),
        cloudSql: {
            connectionName: cloudSql.connectionName,
            instanceName: cloudSql.instanceName,
            database: settings.database,
            user: settings.user,
        },
        serviceAccountEmail: cloudSql.serviceAccountEmail,
    };
}
