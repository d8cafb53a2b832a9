/**
 * The optional workloads beside the Matomo tier, each created only when its config turns it on:
 * the GeoIP updater (MaxMind credentials set) and the log import (log sources set).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseEndpoint } from "../components/database/endpoint";
import { GeoIpUpdate } from "../components/jobs/geoip";
import type { LogImport } from "../components/jobs/logImport";
import { selectorLabels } from "../components/k8s/labels";
import { webIdentity } from "../components/matomo/web";
import { maintenanceOf, pulledImage, secretOf, type StackContext } from "./context";

/** MaxMind's geoipupdate writing into Matomo's misc/ claim; undefined without credentials. */
export function geoipUpdateFor(
    ctx: StackContext,
    misc: { readonly miscClaimName: pulumi.Input<string>; readonly miscSubPath?: string },
): GeoIpUpdate | undefined {
    const { cfg, instance, namespace } = ctx;
    const geoip = cfg.geoip;
    if (!geoip) return undefined;
    const credentials = geoip.credentials;
    return new GeoIpUpdate("geoipupdate", {
        namespace,
        instance,
        image: pulledImage(cfg, geoip.image),
        timezone: cfg.timezone,
        credentials:
            "existingSecret" in credentials
                ? { existingSecret: credentials.existingSecret }
                : { accountId: secretOf(credentials.accountId), licenseKey: secretOf(credentials.licenseKey) },
        editionIds: geoip.editionIds,
        verbose: geoip.verbose,
        schedule: geoip.schedule,
        resources: geoip.resources,
        history: cfg.jobs,
        maintenance: maintenanceOf(cfg),
        miscClaimName: misc.miscClaimName,
        miscSubPath: misc.miscSubPath,
        // A ReadWriteOnce claim mounts on one node only: the web pod's.
        colocateWith: cfg.matomo.storageAccessMode === "ReadWriteOnce" ? selectorLabels(webIdentity(instance)) : undefined,
        placement: cfg.pods.geoip,
    });
}

/** The log fetch and import CronJobs; undefined without log sources. */
export function logImportFor(
    ctx: StackContext,
    database: DatabaseEndpoint,
    matomoUrl: string,
    salt: pulumi.Input<string>,
): LogImport | undefined {
    const { cfg, instance, namespace } = ctx;
    const logs = cfg.logImport;
    if (!logs) return undefined;
    // Loaded on demand, like the Google topology: only a stack with log sources loads @pulumi/tls.
    const { LogImport } = require("../components/jobs/logImport") as typeof import("../components/jobs/logImport");
    const { fetch, importer } = logs;
    return new LogImport("log-import", {
        namespace,
        instance,
        image: pulledImage(cfg, cfg.matomo.image),
        database,
        timezone: cfg.timezone,
        tablesPrefix: cfg.matomo.tablesPrefix,
        sources: logs.sources,
        storage: {
            size: fetch.storage,
            storageClassName: fetch.storageClassName,
            accessMode: fetch.accessMode,
            retain: cfg.pvc.resourcePolicyKeep,
        },
        fetch: {
            image: pulledImage(cfg, fetch.image),
            schedule: fetch.schedule,
            resources: fetch.resources,
            activeDeadlineSeconds: fetch.activeDeadlineSeconds,
            timeoutSeconds: fetch.timeoutSeconds,
            key: fetch.key && { privateKey: secretOf(fetch.key.privateKey), publicKey: fetch.key.publicKey },
            knownHosts: fetch.knownHosts,
            sshConfig: fetch.sshConfig,
            verifyHostKeys: fetch.verifyHostKeys,
        },
        importer: {
            image: pulledImage(cfg, importer.image),
            schedule: importer.schedule,
            resources: importer.resources,
            activeDeadlineSeconds: importer.activeDeadlineSeconds,
            options: importer.options,
            maxAttempts: importer.maxAttempts,
            matomoUrl,
            credentials: importer.token
                ? { token: secretOf(importer.token) }
                : { login: importer.login, email: `${importer.login}@${cfg.matomo.hostname}`, salt },
        },
        nodeLabels: logs.nodeLabels,
        placement: cfg.pods.logImport,
        history: cfg.jobs,
        maintenance: maintenanceOf(cfg),
    });
}
