/**
 * The parts every topology composes the same way: the namespace, the credentials, the Matomo tier
 * on top of whichever database the topology provides, and the stack outputs.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { MatomoConfig } from "../components/config";
import { imageReference } from "../components/k8s/image";
import type { DatabaseEndpoint } from "../components/database/endpoint";
import { MatomoConsoleJobs } from "../components/jobs/console";
import { standardLabels } from "../components/k8s/labels";
import { RELAY_PORT } from "../components/mail/relay";
import { managedOptions } from "../components/matomo/options";
import { MatomoRuntime } from "../components/matomo/runtime";
import { MatomoSetup } from "../components/matomo/setup";
import { MatomoWeb } from "../components/matomo/web";
import type { Credentials } from "../components/secrets/credentials";
import { geoipUpdateFor, mailRelayFor } from "./optional";

/** Fixed Service names: interfaces that config.ini.php and the archivers name. */
const WEB_SERVICE = "matomo";
const MAIL_SERVICE = "postfix";

/** What a topology's composition starts from. */
export interface StackContext {
    readonly cfg: MatomoConfig;
    /** Installation name (`<project>-<stack>`), the `app.kubernetes.io/instance` label. */
    readonly instance: string;
    /** The namespace every object goes to (an output of the Namespace when the stack creates it). */
    readonly namespace: pulumi.Output<string>;
}

/** The stack outputs, the same for every topology (topologies may add their own). */
export interface StackOutputs {
    /** Public URL of Matomo. */
    readonly url: pulumi.Output<string>;
    /** Tracking endpoint for the JavaScript tracker and the HTTP API (`matomo.php`). */
    readonly trackerUrl: pulumi.Output<string>;
    /** URL of the JavaScript tracker (`matomo.js`). */
    readonly trackerJsUrl: pulumi.Output<string>;
    readonly namespace: pulumi.Output<string>;
    /** In-cluster DNS names of the Services. */
    readonly services: {
        readonly web: pulumi.Output<string>;
        readonly database?: pulumi.Output<string>;
        /** The mail relay, when there is one. */
        readonly mail?: pulumi.Output<string>;
    };
    /** Names of the CronJobs, for `kubectl create job --from=cronjob/<name>`. */
    readonly cronJobs: pulumi.Output<string[]>;
    /** Host Matomo connects to for its database. */
    readonly databaseHost: pulumi.Output<string>;
    readonly superuserLogin: string;
    /** Superuser password (secret): `pulumi stack output superuserPassword --show-secrets`. */
    readonly superuserPassword: pulumi.Output<string>;
}

/**
 * The namespace, created with the Pod Security `restricted` level enforced (every pod of this
 * program complies, except the mail relay, whose Postfix starts as root: with the relay, the
 * namespace enforces `baseline` and still warns and audits at `restricted`), unless the stack
 * deploys into an existing one. When claims are kept on delete, so is the namespace: deleting a
 * namespace deletes every claim in it.
 */
export function namespaceFor(cfg: MatomoConfig, instance: string): pulumi.Output<string> {
    if (!cfg.createNamespace) return pulumi.output(cfg.namespace);
    const enforce = cfg.mail ? "baseline" : "restricted";
    const ns = new k8s.core.v1.Namespace(
        "namespace",
        {
            metadata: {
                name: cfg.namespace,
                labels: {
                    ...standardLabels({ name: "matomo", component: "namespace", instance }),
                    "pod-security.kubernetes.io/enforce": enforce,
                    "pod-security.kubernetes.io/warn": "restricted",
                    "pod-security.kubernetes.io/audit": "restricted",
                },
            },
        },
        { retainOnDelete: cfg.pvc.resourcePolicyKeep },
    );
    return ns.metadata.name;
}

/**
 * The Matomo tier on top of a database (shared config, setup Jobs, web, console CronJobs) with the
 * GeoIP updater and the mail relay when configured, and the stack outputs.
 */
export function deployMatomo(ctx: StackContext, database: DatabaseEndpoint, credentials: Credentials): StackOutputs {
    const { cfg, instance, namespace } = ctx;
    const image = imageReference(cfg.matomo.image);
    const webServiceHost = `${WEB_SERVICE}.${cfg.namespace}.svc`;

    const runtime = new MatomoRuntime("matomo", {
        namespace,
        instance,
        hostname: cfg.matomo.hostname,
        serviceHost: webServiceHost,
        tls: cfg.ingress.tls,
        database,
        salt: credentials.salt,
        superuser: { login: cfg.matomo.username, password: credentials.superuserPassword },
        php: {
            memoryLimit: cfg.matomo.environment.PHP_MEMORY_LIMIT,
            maxExecutionTime: cfg.matomo.environment.PHP_MAX_EXECUTION_TIME,
            maxInputTime: cfg.matomo.environment.PHP_MAX_INPUT_TIME,
            timezone: cfg.timezone,
        },
        maintenance: cfg.maintenance,
        mail: cfg.mail && {
            host: `${MAIL_SERVICE}.${cfg.namespace}.svc`,
            port: RELAY_PORT,
            senderAddress: cfg.mail.senderAddress,
            senderName: cfg.mail.senderName,
        },
        ldap: cfg.ldap && {
            ...cfg.ldap,
            servers: cfg.ldap.servers.map((server) => ({ ...server, adminPassword: pulumi.secret(server.adminPassword.reveal()) })),
        },
        misc: {
            storage: cfg.matomo.storage,
            storageClassName: cfg.matomo.storageClassName || undefined,
            accessMode: cfg.matomo.storageAccessMode,
            retain: cfg.pvc.resourcePolicyKeep,
        },
    });

    // What every Matomo workload runs: this image, this runtime, this database, in this zone.
    const workload = { namespace, instance, image, imagePullPolicy: cfg.matomo.image.pullPolicy, runtime, database, timezone: cfg.timezone };

    const setup = new MatomoSetup("matomo-setup", {
        ...workload,
        resources: cfg.matomo.resources,
        superuserEmail: cfg.matomo.email,
        site: { name: cfg.matomo.siteName, url: cfg.matomo.siteUrl },
        options: managedOptions({ geoip: cfg.geoip !== undefined }),
    });

    const geoip = geoipUpdateFor(ctx, runtime.miscClaimName);

    const web = new MatomoWeb("matomo-web", {
        ...workload,
        replicas: cfg.matomo.replicaCount,
        resources: cfg.matomo.resources,
        sharedStorage: cfg.matomo.storageAccessMode === "ReadWriteMany",
        serviceName: WEB_SERVICE,
        // A new installation geolocates from its first visit.
        dependsOn: [...setup.completed, ...(geoip ? [geoip.initialRun] : [])],
        trackingDisabled: cfg.maintenance.disableTracking,
        ingress: cfg.ingress.enabled
            ? {
                  hostname: cfg.matomo.hostname,
                  className: cfg.ingress.className || undefined,
                  tlsSecretName: cfg.ingress.tls ? cfg.ingress.certificate : undefined,
                  clusterIssuer: cfg.ingress.letsencrypt || undefined,
                  nginx: cfg.ingress.configuration,
                  annotations: cfg.ingress.annotations,
              }
            : undefined,
    });

    const consoleJobs = new MatomoConsoleJobs("matomo-cron", {
        ...workload,
        webUrl: `http://${webServiceHost}/`,
        archivers: cfg.archivers,
        scheduledTasks: cfg.scheduledTasks,
        deleteData: cfg.deleteData,
        ldapSync: cfg.ldapSync,
        jobs: cfg.jobs,
        dependsOn: setup.completed,
    });
    const mail = mailRelayFor(ctx, MAIL_SERVICE);

    const base = `${cfg.ingress.tls ? "https" : "http"}://${cfg.matomo.hostname}`;
    return {
        url: pulumi.output(`${base}/`),
        trackerUrl: pulumi.output(`${base}/matomo.php`),
        trackerJsUrl: pulumi.output(`${base}/matomo.js`),
        namespace,
        services: { web: web.serviceHost, ...(mail ? { mail: mail.serviceHost } : {}) },
        cronJobs: pulumi.all([...Object.values(consoleJobs.cronJobNames), ...(geoip ? [geoip.cronJobName] : [])]),
        databaseHost: database.host,
        superuserLogin: cfg.matomo.username,
        superuserPassword: pulumi.secret(credentials.superuserPassword),
    };
}
