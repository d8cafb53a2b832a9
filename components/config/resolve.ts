/**
 * Resolves parsed keys into the typed configuration: each section's defaults and rules, then the
 * rules that span sections.
 */
import type { SchemaValues } from "./keys";
import type { CommonConfig, MatomoConfig } from "./model";
import type { Issue } from "./schema/fields";
import type { ConfigSource } from "./schema/parse";
import { resolveArchivers } from "./sections/archivers";
import { offsiteIssues } from "./sections/backup";
import { cloudSqlWithBudget, connectionBudget, externalBudgetIssues, mariadbWithBudget } from "./sections/connections";
import { resolveCloudSql } from "./sections/cloudsql";
import { resolveDeleteData, resolveScheduledTasks } from "./sections/consoleJobs";
import { existingClaimIssues } from "./sections/existingClaims";
import { writtenFields, type ResolveContext } from "./sections/context";
import { resolveExternal } from "./sections/external";
import { namespaceIssues } from "./sections/general";
import { resolveGeoIp } from "./sections/geoip";
import { resolveIngress } from "./sections/ingress";
import { parseLdapAddress, resolveLdap } from "./sections/ldap";
import { importUserIssues } from "./sections/logImport/importUser";
import { resolveLogImport } from "./sections/logImport/resolve";
import { resolveMail } from "./sections/mail";
import { bufferPoolIssues, mariadbResourceIssues, resolveMariaDb } from "./sections/mariadb";
import { mariadbImageIssues } from "./sections/mariadbImage";
import { matomoResourceIssues, matomoStorageIssues, resolveMatomo, superuserEmailIssues } from "./sections/matomo";
import { matomoImageIssues } from "./sections/matomoImage";
import { resolveMonitoring } from "./sections/monitoring";
import { resolveNetworkPolicy, type PolicyNeeds } from "./sections/networkPolicy";
import { resolvePods, type RunningGroups } from "./sections/pods";
import type { NeededHost } from "./sections/policyNeeds";
import { imageKeys, pullSecretIssues } from "./sections/pullSecrets";
import { otherTopologyIssues } from "./sections/topologySections";
import { resolveWebServer, unusedNginxIssues } from "./sections/webServer";

/** The configuration of valid keys, or the problems of the rules that span keys and sections. */
export function resolveConfig(values: SchemaValues, source: ConfigSource): { config?: MatomoConfig; issues: Issue[] } {
    const issues: Issue[] = [];
    const ctx: ResolveContext = { issues, source };

    const matomo = resolveMatomo(values.matomo);
    const mariadb = resolveMariaDb(values.mariadb);
    const ingress = resolveIngress(values.ingress, matomo.hostname, ctx);
    otherTopologyIssues(values.topology, ctx);
    const archivers = resolveArchivers(values.matomocronArchive, ctx);
    const scheduledTasks = resolveScheduledTasks(values.matomocronScheduledTasks, ctx);
    const deleteData = resolveDeleteData(values.matomocronDeleteData, ctx);
    const ldap = resolveLdap({ ldap: values.ldap, sync: values.matomocronLdapSync }, matomo.image.repository, ctx);
    const geoip = resolveGeoIp(values.geoipupdate, ctx);
    const mail = resolveMail(values.postfix, matomo.hostname, ctx);
    const cloudsql = values.topology === "google" ? resolveCloudSql(values.cloudsql, ctx) : undefined;
    const external = values.topology === "external" ? resolveExternal(values.external, ctx) : undefined;
    const logImport = resolveLogImport(
        { rsync: values.rsyncAnalytics, importer: values.matomoAnalytics, labels: values.logsHostLabels, token: matomo.token },
        ctx,
    );
    const backupOffsite = values.topology === "eea" ? mariadb.backup?.offsite : external?.backup?.offsite;
    const offsite = backupOffsite && { ...backupOffsite, section: values.topology === "eea" ? "mariadb" : "external" };
    // From what the stack sets, not from what resolved: a section with a problem still connects.
    const google = values.topology === "google";
    const existingInstance = google ? values.cloudsql.existingInstance : undefined;
    const needs: PolicyNeeds = {
        ingress: ingress.enabled ? { className: ingress.className } : undefined,
        ownAddresses:
            google && existingInstance === undefined
                ? {
                      cloudSql:
                          "the stack creates the Cloud SQL instance (cloudsql.existingInstance is not set) and allows the proxy its address alone",
                  }
                : {},
        destinations: {
            ...(mail ? { smtp: [{ name: mail.host, key: "postfix.relay" }] } : {}),
            ...(values.ldap.servers.length > 0 ? { ldap: values.ldap.servers.map(ldapHost) } : {}),
            ...(geoip ? { maxmind: [{ name: "updates.maxmind.com", key: "geoipupdate" }] } : {}),
            ...(logImport
                ? { logSources: logImport.sources.map((s, i) => ({ name: s.host, key: logSourceKey(values, i) })) }
                : values.rsyncAnalytics.rsyncCommands !== undefined
                  ? { logSources: [] } // commands it could not read: their hosts are unknown
                  : {}),
            ...(google ? { googleApis: [{ name: "sqladmin.googleapis.com", key: "cloudsql" }] } : {}),
            ...(existingInstance !== undefined
                ? { cloudSql: [{ name: `the Cloud SQL instance ${existingInstance}`, key: "cloudsql.existingInstance" }] }
                : {}),
            ...(offsite ? { offsite: [offsiteHost(offsite)] } : {}),
            ...(values.topology === "external" && values.external.host !== undefined
                ? { database: [{ name: values.external.host, key: "external.host" }] }
                : {}),
        },
    };
    const networkPolicy = resolveNetworkPolicy(values.securityEnabled, values.networkPolicy, needs, ctx);
    const pods = resolvePods(
        values.pods,
        runningGroups(values, { deleteData, ldapSync: ldap.sync, geoip, logImport }),
        values.logsHostLabels,
        ctx,
    );
    const monitoring = resolveMonitoring(
        values.monitoring,
        { variant: values.matomo.webServer.variant, networkPolicies: networkPolicy !== undefined },
        ctx,
    );
    const matomoResources = matomoResourceIssues(matomo);
    // Sized only when PHP fits the container at all (otherwise that is the one problem to report).
    const web =
        matomoResources.length === 0
            ? resolveWebServer({
                  server: values.matomo.webServer,
                  phpMemoryLimit: matomo.php.memoryLimit,
                  memoryLimit: matomo.resources.limits.memory,
              })
            : { issues: [] };
    issues.push(
        ...namespaceIssues(values.namespace, values.createNamespace),
        ...pullSecretIssues(values.imagePullSecrets, imageKeys(values)),
        ...matomoImageIssues(matomo.image, values.matomo.webServer.variant, values.topology),
        ...matomoResources,
        ...web.issues,
        ...unusedNginxIssues(writtenFields(ctx, "matomo", "webServer"), values.matomo.webServer.variant),
        ...mariadbResourceIssues(mariadb),
        ...(values.topology === "eea"
            ? [...mariadbImageIssues(mariadb.image), ...bufferPoolIssues(mariadb), ...offsiteIssues(values.mariadb.backup)]
            : []),
        ...(values.topology === "external" ? offsiteIssues(values.external.backup, "external") : []),
        ...matomoStorageIssues(matomo),
        ...existingClaimIssues(values, values.topology === "eea", ctx),
        ...superuserEmailIssues(values.matomo),
        ...pods.issues,
        ...(logImport ? importUserIssues(logImport.importer, matomo, writtenFields(ctx, "matomoAnalytics").includes("login")) : []),
    );
    if (issues.length > 0) return { issues };

    const common: CommonConfig = {
        namespace: values.namespace,
        createNamespace: values.createNamespace,
        timezone: values.timezone,
        imagePullSecrets: values.imagePullSecrets,
        pvc: values.pvc,
        maintenance: values.maintenance,
        privacy: values.privacy,
        matomo,
        webServer: web.config!,
        ingress,
        networkPolicy,
        archivers,
        scheduledTasks,
        deleteData,
        ldap: ldap.ldap,
        ldapSync: ldap.sync,
        geoip,
        mail,
        logImport,
        monitoring,
        jobs: values.jobs,
        pods: pods.pods,
    };
    const budget = connectionBudget({
        webReplicas: matomo.replicaCount,
        webWorkers: common.webServer.workers,
        rollingSurge: matomo.storageAccessMode === "ReadWriteMany",
        archivers: archivers.map((a) => ({ name: a.name, concurrentRequestsPerWebsite: a.concurrentRequestsPerWebsite })),
        consoleJobs: [
            ...consoleJobNames(common),
            ...((values.topology === "eea" ? mariadb.backup : external?.backup) ? ["database backup"] : []),
        ],
    });
    if (values.topology === "eea") {
        const budgeted = mariadbWithBudget(mariadb, budget);
        return budgeted.issues.length > 0
            ? { issues: budgeted.issues }
            : { config: { ...common, topology: "eea", mariadb: budgeted.mariadb, connectionBudget: budget }, issues };
    }
    if (values.topology === "external") {
        const budgetIssues = externalBudgetIssues(external!, budget);
        return budgetIssues.length > 0
            ? { issues: budgetIssues }
            : { config: { ...common, topology: "external", external: external!, connectionBudget: budget }, issues };
    }
    const budgeted = cloudSqlWithBudget(cloudsql!, budget);
    return budgeted.issues.length > 0
        ? { issues: budgeted.issues }
        : { config: { ...common, topology: "google", cloudsql: budgeted.cloudsql, connectionBudget: budget }, issues };
}

/** The host an LDAP server's hostname names, configured with or without the rest it needs. */
function ldapHost(server: { readonly hostname: string }, index: number): NeededHost {
    return { name: parseLdapAddress(server.hostname)?.host ?? server.hostname, key: `ldap.servers[${index}].hostname` };
}

/** The key of the `index`th log source: the structured ones come first, then the seed's commands. */
function logSourceKey(values: SchemaValues, index: number): string {
    return index < values.rsyncAnalytics.sources.length ? `rsyncAnalytics.sources[${index}].host` : "rsyncAnalytics.rsyncCommands";
}

/** The host the off-site copy connects to: the S3-compatible endpoint's, or the bucket's. */
function offsiteHost(offsite: { readonly url: string; readonly endpoint?: string; readonly section: string }): NeededHost {
    return offsite.endpoint
        ? { name: new URL(offsite.endpoint).hostname.replace(/^\[|\]$/g, ""), key: `${offsite.section}.backup.offsite.endpoint` }
        : { name: offsite.url, key: `${offsite.section}.backup.offsite.url` };
}

/** Which workload groups have pods in this stack; for the others, what would run them. */
function runningGroups(
    values: SchemaValues,
    optional: Readonly<Record<"deleteData" | "ldapSync" | "geoip" | "logImport", unknown>>,
): RunningGroups {
    const eea = values.topology === "eea";
    const on = (group: keyof typeof optional, off: string) => (optional[group] !== undefined ? true : off);
    return {
        web: true,
        setup: true,
        archive: true,
        scheduledTasks: true,
        database:
            eea ||
            (values.topology === "google"
                ? 'topology "google" runs no database pod (Cloud SQL is outside the cluster)'
                : 'topology "external" runs no database pod (the server is run elsewhere)'),
        backup:
            (eea ? values.mariadb.backup.enabled : values.topology === "external" && values.external.backup.enabled) ||
            "no scheduled database backups (mariadb.backup on topology eea, external.backup on topology external)",
        deleteData: on("deleteData", "no raw-data deletion (matomocronDeleteData.environment.siteToDelete)"),
        ldapSync: on("ldapSync", "no LDAP user sync (matomocronLdapSync, with ldap.servers)"),
        geoip: on("geoip", "no GeoIP updater (geoipupdate credentials)"),
        logImport: on("logImport", "no log import (rsyncAnalytics sources)"),
    };
}

/** The console CronJobs besides the archivers, each one connection while it runs. */
function consoleJobNames(cfg: CommonConfig): string[] {
    return [
        "scheduled tasks",
        ...(cfg.deleteData ? ["raw-data deletion"] : []),
        ...(cfg.ldapSync ? ["LDAP user sync"] : []),
        ...(cfg.logImport && !cfg.logImport.importer.token ? ["log import (its user's grants)"] : []),
    ];
}
