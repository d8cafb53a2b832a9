/** The typed configuration every component is built from: every default resolved, every rule checked. */
import type { CronJobHistory } from "../k8s/jobs";
import type { ArchiverConfig } from "./sections/archivers";
import type { CloudSqlConfig } from "./sections/cloudsql";
import type { BudgetLine } from "./sections/connections";
import type { ExternalDatabaseConfig } from "./sections/external";
import type { ConsoleJobConfig, DeleteDataConfig } from "./sections/consoleJobs";
import type { PvcConfig } from "./sections/general";
import type { GeoIpConfig } from "./sections/geoip";
import type { IngressConfig } from "./sections/ingress";
import type { LdapConfig, LdapSyncConfig } from "./sections/ldap";
import type { LogImportConfig } from "./sections/logImport/resolve";
import type { MailConfig } from "./sections/mail";
import type { MaintenanceConfig } from "./sections/maintenance";
import type { MariaDbConfig } from "./sections/mariadb";
import type { MatomoTierConfig } from "./sections/matomo";
import type { MonitoringConfig } from "./sections/monitoring";
import type { NetworkPolicyConfig } from "./sections/networkPolicy";
import type { PodsConfig } from "./sections/pods";
import type { PrivacyConfig } from "./sections/privacy";
import type { WebServerConfig } from "./sections/webServer";

/** What every topology is configured with. */
export interface CommonConfig {
    readonly namespace: string;
    readonly createNamespace: boolean;
    /** IANA time zone of every container and every CronJob schedule. */
    readonly timezone: string;
    /** Pull secrets every pod lists, besides those of the images it runs (each image's `pullSecrets`). */
    readonly imagePullSecrets: readonly string[];
    readonly pvc: PvcConfig;
    readonly maintenance: MaintenanceConfig;
    /** Privacy settings Matomo keeps in its database, applied on every run of the install Job. */
    readonly privacy: PrivacyConfig;
    readonly matomo: MatomoTierConfig;
    /** The web pods' server: workers sized to the container's memory limit, recycling, keep-alive. */
    readonly webServer: WebServerConfig;
    readonly ingress: IngressConfig;
    /** The NetworkPolicies' peers; undefined when `securityEnabled` is false (no policies). */
    readonly networkPolicy?: NetworkPolicyConfig;
    readonly archivers: readonly ArchiverConfig[];
    readonly scheduledTasks: ConsoleJobConfig;
    /** The optional workloads: undefined when their config leaves them off. */
    readonly deleteData?: DeleteDataConfig;
    readonly ldap?: LdapConfig;
    readonly ldapSync?: LdapSyncConfig;
    readonly geoip?: GeoIpConfig;
    readonly mail?: MailConfig;
    /** Web-server logs fetched over SSH and imported; on when sources are configured. */
    readonly logImport?: LogImportConfig;
    /** Scrape targets for the cluster's Prometheus; on when `monitoring.enabled`. */
    readonly monitoring?: MonitoringConfig;
    /** History and starting deadline of every CronJob. */
    readonly jobs: CronJobHistory;
    /** Where each workload group's pods run and their extra labels and annotations (`database` only with MariaDB). */
    readonly pods: PodsConfig;
}

/** What every topology resolves to: the common config and the database connections it may open. */
interface BudgetedConfig extends CommonConfig {
    /** The most database connections the installation holds at once, line by line (`max_connections` covers it). */
    readonly connectionBudget: readonly BudgetLine[];
}

/** Topology `eea`: MariaDB in the cluster. */
export interface EeaConfig extends BudgetedConfig {
    readonly topology: "eea";
    readonly mariadb: MariaDbConfig;
}

/** Topology `google`: Cloud SQL through the Cloud SQL Auth Proxy. */
export interface GoogleConfig extends BudgetedConfig {
    readonly topology: "google";
    readonly cloudsql: CloudSqlConfig;
}

/** Topology `external`: a MySQL 8 or MariaDB server run elsewhere, reached directly. */
export interface ExternalConfig extends BudgetedConfig {
    readonly topology: "external";
    readonly external: ExternalDatabaseConfig;
}

/** The typed configuration every component is built from. */
export type MatomoConfig = EeaConfig | GoogleConfig | ExternalConfig;
