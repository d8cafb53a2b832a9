/**
 * The Matomo tier, composed the same way on every topology: the shared config, the setup Jobs, the
 * web tier, the console CronJobs, the GeoIP updater and the log import when configured, on top of
 * whichever database the topology provides; and the stack outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import type { WebServerConfig } from "../components/config";
import type { SmtpPassword } from "../components/config/sections/mail";
import type { DatabaseEndpoint } from "../components/database/endpoint";
import type { EgressFlow } from "../components/k8s/egress";
import type { ImageRef } from "../components/k8s/image";
import type { ScheduledCronJob } from "../components/k8s/jobs";
import { MatomoConsoleJobs } from "../components/jobs/console";
import { smtpEncryption } from "../components/matomo/configIni";
import { managedOptions } from "../components/matomo/options";
import { MatomoRuntime } from "../components/matomo/runtime";
import { MatomoSetup } from "../components/matomo/setup";
import { MatomoWeb } from "../components/matomo/web";
import type { WebServerArgs } from "../components/matomo/webPod";
import type { Credentials } from "../components/secrets/credentials";
import { alertRulesFor } from "./alerts";
import { maintenanceOf, pulledImage, secretOf, type StackContext, type StackOutputs } from "./context";
import { networkPoliciesFor } from "./networkPolicies";
import { geoipUpdateFor, logImportFor } from "./optional";

/** Fixed Service name: an interface that config.ini.php and the archivers name. */
const WEB_SERVICE = "matomo";

/** The web server's component args: its sizing, and nginx for the fpm variant. */
function webServerArgs(server: WebServerConfig, pulled: (image: ImageRef) => ImageRef): WebServerArgs {
    const { variant, workers, spareWorkers, maxRequestsPerWorker, keepAliveTimeout, nginx } = server;
    const sizing = { workers, spareWorkers, maxRequestsPerWorker, keepAliveTimeout };
    return variant === "fpm" && nginx
        ? { ...sizing, variant, nginx: { ...nginx, image: pulled(nginx.image) } }
        : { ...sizing, variant: "apache" };
}

/** The SMTP password for the runtime: a stack secret, or the Secret named in `postfix.existingSecret`. */
function smtpPasswordOf(password: SmtpPassword): { readonly value: pulumi.Output<string> } | { readonly existingSecret: string } {
    return "existingSecret" in password ? { existingSecret: password.existingSecret } : { value: secretOf(password.value) };
}

/**
 * What a topology adds beside the Matomo tier (e.g. its database's backups), given the tier's
 * shared objects: its CronJobs, and the connections out of the installation its pods open.
 */
export type TierExtras = (tier: { readonly miscClaimName: pulumi.Output<string>; readonly miscSubPath?: string }) => {
    readonly cronJobs?: pulumi.Output<string[]>;
    /** Those that run by themselves, with their schedules (for the alert rules). */
    readonly scheduled?: pulumi.Output<ScheduledCronJob[]>;
    readonly egress?: readonly EgressFlow[];
};

/**
 * The Matomo tier on top of `database`, with the installation's `credentials`, and what the
 * topology adds beside it (`extras`); the stack outputs.
 */
export function deployMatomo(ctx: StackContext, database: DatabaseEndpoint, credentials: Credentials, extras?: TierExtras): StackOutputs {
    const { cfg, instance, namespace } = ctx;
    const webServiceHost = `${WEB_SERVICE}.${cfg.namespace}.svc`;
    const base = `${cfg.ingress.tls ? "https" : "http"}://${cfg.matomo.hostname}`;

    const runtime = new MatomoRuntime("matomo", {
        namespace,
        instance,
        hostname: cfg.matomo.hostname,
        serviceHost: webServiceHost,
        tls: cfg.ingress.tls,
        database,
        salt: credentials.salt,
        superuser: { login: cfg.matomo.username, password: credentials.superuserPassword },
        php: { ...cfg.matomo.php, timezone: cfg.timezone },
        maintenance: cfg.maintenance,
        // The NetworkPolicies let Matomo's pods reach nothing outside but the SMTP server.
        internetFeatures: cfg.networkPolicy === undefined,
        plugins: cfg.matomo.plugins,
        tablesPrefix: cfg.matomo.tablesPrefix,
        options: managedOptions({ geoip: cfg.geoip !== undefined, baseUrl: `${base}/`, privacy: cfg.privacy }),
        mail: cfg.mail && {
            host: cfg.mail.host,
            port: cfg.mail.port,
            encryption: smtpEncryption(cfg.mail.tlsSecurityLevel, cfg.mail.port),
            login: cfg.mail.login && {
                username: cfg.mail.login.user,
                authType: cfg.mail.login.authType,
                password: smtpPasswordOf(cfg.mail.login.password),
            },
            senderAddress: cfg.mail.senderAddress,
            senderName: cfg.mail.senderName,
        },
        ldap: cfg.ldap && {
            ...cfg.ldap,
            servers: cfg.ldap.servers.map((server) => ({ ...server, adminPassword: secretOf(server.adminPassword) })),
        },
        misc: cfg.matomo.existingClaim
            ? { existingClaim: cfg.matomo.existingClaim }
            : {
                  storage: cfg.matomo.storage,
                  storageClassName: cfg.matomo.storageClassName,
                  accessMode: cfg.matomo.storageAccessMode,
                  retain: cfg.pvc.resourcePolicyKeep,
              },
    });

    // What every Matomo workload runs: this image, this runtime, this database, in this zone.
    const workload = { namespace, instance, image: pulledImage(cfg, cfg.matomo.image), runtime, database, timezone: cfg.timezone };

    const setup = new MatomoSetup("matomo-setup", {
        ...workload,
        resources: cfg.matomo.resources,
        superuserEmail: cfg.matomo.email,
        site: { name: cfg.matomo.siteName, url: cfg.matomo.siteUrl },
        placement: cfg.pods.setup,
    });

    const geoip = geoipUpdateFor(ctx, runtime);

    const web = new MatomoWeb("matomo-web", {
        ...workload,
        replicas: cfg.matomo.replicaCount,
        resources: cfg.matomo.resources,
        server: webServerArgs(cfg.webServer, (image) => pulledImage(cfg, image)),
        sharedStorage: cfg.matomo.storageAccessMode === "ReadWriteMany",
        serviceName: WEB_SERVICE,
        // Not on the first GeoIP download: an optional enrichment never holds the web tier (a
        // failing download fails `pulumi up` on its own Job instead).
        dependsOn: setup.completed,
        trackingDisabled: cfg.maintenance.disableTracking,
        placement: cfg.pods.web,
        metrics: cfg.monitoring && {
            image: pulledImage(cfg, cfg.monitoring.webExporter.image),
            resources: cfg.monitoring.webExporter.resources,
            monitor: { form: cfg.monitoring.form, interval: cfg.monitoring.interval, labels: cfg.monitoring.monitorLabels },
        },
        ingress: cfg.ingress.enabled
            ? {
                  hostname: cfg.matomo.hostname,
                  className: cfg.ingress.className,
                  tlsSecretName: cfg.ingress.tls ? cfg.ingress.certificate : undefined,
                  clusterIssuer: cfg.ingress.clusterIssuer,
                  nginx: cfg.ingress.nginx,
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
        history: cfg.jobs,
        maintenance: maintenanceOf(cfg),
        dependsOn: setup.completed,
        placement: {
            archive: cfg.pods.archive,
            scheduledTasks: cfg.pods.scheduledTasks,
            deleteData: cfg.pods.deleteData,
            ldapSync: cfg.pods.ldapSync,
        },
    });
    // The importer talks to the web Service inside the cluster: its token never crosses the ingress.
    const logImport = logImportFor(ctx, database, `http://${webServiceHost}/`, credentials.salt);
    const added = extras?.(runtime);
    alertRulesFor(ctx, [consoleJobs.scheduled, geoip?.scheduled, logImport?.scheduled, added?.scheduled]);
    networkPoliciesFor(ctx, database, [
        ...web.egress,
        ...setup.egress,
        ...consoleJobs.egress,
        ...(logImport?.egress ?? []),
        ...(geoip?.egress ?? []),
        ...(added?.egress ?? []),
    ]);

    return {
        url: pulumi.output(`${base}/`),
        trackerUrl: pulumi.output(`${base}/matomo.php`),
        trackerJsUrl: pulumi.output(`${base}/matomo.js`),
        namespace,
        services: { web: web.serviceHost },
        cronJobs: pulumi
            .all([pulumi.all(Object.values(consoleJobs.cronJobNames)), geoip?.cronJobName, logImport?.cronJobNames, added?.cronJobs])
            .apply(([consoleNames, geoipName, logNames, addedNames]) => [
                ...consoleNames,
                ...(geoipName ? [geoipName] : []),
                ...(logNames ?? []),
                ...(addedNames ?? []),
            ]),
        ...(logImport ? { logImport: { publicKey: logImport.publicKey } } : {}),
        databaseHost: database.host,
        superuserLogin: cfg.matomo.username,
        superuserPassword: pulumi.secret(credentials.superuserPassword),
    };
}
