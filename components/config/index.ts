/**
 * The one place that turns stack configuration into a typed, fully defaulted, validated object.
 *
 * `parseConfig` is pure (it reads a {@link ConfigSource}, not Pulumi's runtime) and collects every
 * problem; `loadConfig` throws them all as one {@link ConfigError}, whose message lists one problem
 * per line, each naming the key, the value and what is allowed. Nothing else in the program reads
 * configuration. Each subject's keys, defaults, resolution and rules live in `sections/`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { CronJobHistory } from "../k8s/jobs";
import { schema, type SchemaValues } from "./keys";
import type { Issue } from "./schema/fields";
import { foreignKeyIssues, parseKeys, type ConfigSource } from "./schema/parse";
import { resolveArchivers, type ArchiverConfig } from "./sections/archivers";
import { resolveCloudSql, type CloudSqlConfig } from "./sections/cloudsql";
import { resolveDeleteData, resolveScheduledTasks, type ConsoleJobConfig, type DeleteDataConfig } from "./sections/consoleJobs";
import { CONFIG_NAMESPACE, rawValue, report, type ResolveContext } from "./sections/context";
import type { PvcConfig, Topology } from "./sections/general";
import { resolveGeoIp, type GeoIpConfig } from "./sections/geoip";
import { resolveIngress, type IngressConfig } from "./sections/ingress";
import { resolveLdap, type LdapConfig, type LdapSyncConfig } from "./sections/ldap";
import { resolveMail, type MailConfig } from "./sections/mail";
import type { MaintenanceConfig } from "./sections/maintenance";
import { bufferPoolIssues, mariadbResourceIssues, resolveMariaDb, type MariaDbConfig } from "./sections/mariadb";
import { matomoImageIssues, matomoResourceIssues, matomoStorageIssues, resolveMatomo, type MatomoTierConfig } from "./sections/matomo";
import { resolvePrivacy, type PrivacyConfig } from "./sections/privacy";

export type { Issue } from "./schema/fields";
export type { ConfigSource } from "./schema/parse";
export { SecretValue } from "./schema/secretValue";
export type { Image } from "./schema/parts";
export type { ArchiverConfig } from "./sections/archivers";
export type { CloudSqlConfig, CloudSqlInstanceConfig } from "./sections/cloudsql";
export type { ConsoleJobConfig, DeleteDataConfig } from "./sections/consoleJobs";
export type { GeoIpConfig } from "./sections/geoip";
export type { IngressConfig } from "./sections/ingress";
export type { LdapConfig, LdapServerConfig, LdapSyncConfig } from "./sections/ldap";
export type { MailConfig } from "./sections/mail";
export type { MariaDbConfig } from "./sections/mariadb";
export type { MatomoTierConfig } from "./sections/matomo";
export type { PrivacyConfig } from "./sections/privacy";
export { CONFIG_NAMESPACE };

/** The namespaces of the configuration the program reads: its own, its providers' and Pulumi's. */
const CONFIG_NAMESPACES = [CONFIG_NAMESPACE, "kubernetes", "gcp", "pulumi"];

/** What every topology is configured with. */
interface CommonConfig {
    readonly namespace: string;
    readonly createNamespace: boolean;
    /** IANA time zone of every container and every CronJob schedule. */
    readonly timezone: string;
    readonly pvc: PvcConfig;
    readonly maintenance: MaintenanceConfig;
    /** Privacy settings Matomo keeps in its database, applied on every run of the install Job. */
    readonly privacy: PrivacyConfig;
    readonly matomo: MatomoTierConfig;
    readonly ingress: IngressConfig;
    readonly archivers: readonly ArchiverConfig[];
    readonly scheduledTasks: ConsoleJobConfig;
    /** The optional workloads: undefined when their config leaves them off. */
    readonly deleteData?: DeleteDataConfig;
    readonly ldap?: LdapConfig;
    readonly ldapSync?: LdapSyncConfig;
    readonly geoip?: GeoIpConfig;
    readonly mail?: MailConfig;
    /** History and starting deadline of every CronJob. */
    readonly jobs: CronJobHistory;
}

/** Topology `eea`: MariaDB in the cluster. */
export interface EeaConfig extends CommonConfig {
    readonly topology: "eea";
    readonly mariadb: MariaDbConfig;
}

/** Topology `google`: Cloud SQL through the Cloud SQL Auth Proxy. */
export interface GoogleConfig extends CommonConfig {
    readonly topology: "google";
    readonly cloudsql: CloudSqlConfig;
}

/** The typed configuration every component is built from. */
export type MatomoConfig = EeaConfig | GoogleConfig;

/** Invalid configuration. A `RunError`, so `pulumi up` prints the message without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(readonly issues: readonly Issue[]) {
        super(
            `Invalid stack configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
                issues.map((i) => `  - ${i.key}: ${i.message}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** A section of the other topology would be configuration without effect. */
function otherTopologyIssues(topology: Topology, ctx: ResolveContext): void {
    const other = topology === "google" ? "mariadb" : "cloudsql";
    if (rawValue(ctx, other) === undefined) return;
    report(
        ctx,
        other,
        other === "mariadb"
            ? 'configures the in-cluster MariaDB, which topology "google" does not deploy; remove it (Cloud SQL is configured in matomo:cloudsql)'
            : 'configures Cloud SQL, which topology "eea" does not use; remove it or set matomo:topology to "google"',
    );
}

/**
 * Parses and validates configuration; returns every issue instead of throwing. Keys are parsed one
 * by one first; then the sections are resolved and the rules that span keys are checked.
 */
export function parseConfig(source: ConfigSource): { config?: MatomoConfig; issues: Issue[] } {
    const issues: Issue[] = foreignKeyIssues(source, CONFIG_NAMESPACES);
    if (!source.keys().some((k) => k.startsWith(`${CONFIG_NAMESPACE}:`))) {
        issues.push({
            key: `${CONFIG_NAMESPACE}:*`,
            message:
                `none is set: this program's settings go under config: in Pulumi.${source.stack}.yaml, each section named with the ` +
                `project's namespace (matomo:matomo: with hostname under it, matomo:mariadb:, ...); a values.yaml pasted as it is is not read`,
        });
    }
    const values = parseKeys(schema, CONFIG_NAMESPACE, source, issues) as SchemaValues;
    if (issues.length > 0) return { issues };
    const ctx: ResolveContext = { issues, source };

    const matomo = resolveMatomo(values.matomo);
    const mariadb = resolveMariaDb(values.mariadb);
    const ingress = resolveIngress(values.ingress, matomo.hostname, ctx);
    const privacy = resolvePrivacy(values.privacy, ctx);
    otherTopologyIssues(values.topology, ctx);
    const archivers = resolveArchivers(values.matomocronArchive, ctx);
    const scheduledTasks = resolveScheduledTasks(values.matomocronScheduledTasks, ctx);
    const deleteData = resolveDeleteData(values.matomocronDeleteData, ctx);
    const ldap = resolveLdap({ ldap: values.ldap, sync: values.matomocronLdapSync }, matomo.image.repository, ctx);
    const geoip = resolveGeoIp(values.geoipupdate, ctx);
    const mail = resolveMail(values.postfix, matomo.hostname, ctx);
    const cloudsql = values.topology === "google" ? resolveCloudSql(values.cloudsql, ctx) : undefined;
    issues.push(
        ...matomoImageIssues(matomo.image),
        ...matomoResourceIssues(matomo),
        ...mariadbResourceIssues(mariadb),
        ...(values.topology === "eea" ? bufferPoolIssues(mariadb) : []),
        ...matomoStorageIssues(matomo),
    );
    if (issues.length > 0) return { issues };

    const common: CommonConfig = {
        namespace: values.namespace,
        createNamespace: values.createNamespace,
        timezone: values.timezone,
        pvc: values.pvc,
        maintenance: values.maintenance,
        privacy,
        matomo,
        ingress,
        archivers,
        scheduledTasks,
        deleteData,
        ldap: ldap.ldap,
        ldapSync: ldap.sync,
        geoip,
        mail,
        jobs: values.jobs,
    };
    const config: MatomoConfig =
        values.topology === "eea" ? { ...common, topology: "eea", mariadb } : { ...common, topology: "google", cloudsql: cloudsql! };
    return { config, issues };
}

/** Parses and validates configuration, or throws a {@link ConfigError} listing every problem. */
export function loadConfig(source: ConfigSource): MatomoConfig {
    const { config, issues } = parseConfig(source);
    if (!config) throw new ConfigError(issues);
    return config;
}
