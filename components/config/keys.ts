/**
 * Every stack config key of the project, in the order the config reference lists them.
 *
 * Keys keep the seed Helm chart's names and paths under the `matomo:` namespace, so a `values.yaml`
 * translates one to one: seed `mariadb.storage` is stack key `matomo:mariadb`, field `storage`
 * (`pulumi config set --path mariadb.storage 20Gi`). Defaults are the seed's unless the seed's
 * default was insecure or broken; docs/seed-parameters.md records each such change and why.
 * Each key is defined, with its resolution and rules, in the section of `sections/` named below;
 * the config reference in docs/configuration.md is generated from this table (`npm run docs`).
 */
import type { ValueOf } from "./schema/fields";
import { archiversKey } from "./sections/archivers";
import { cloudsqlKey } from "./sections/cloudsql";
import { deleteDataKey, scheduledTasksKey } from "./sections/consoleJobs";
import { externalKey } from "./sections/external";
import { generalKeys } from "./sections/general";
import { geoipKey } from "./sections/geoip";
import { ingressKey } from "./sections/ingress";
import { jobsKey } from "./sections/jobs";
import { ldapKey, ldapSyncKey } from "./sections/ldap";
import { logImportKeys } from "./sections/logImport";
import { mailKey } from "./sections/mail";
import { maintenanceKey } from "./sections/maintenance";
import { mariadbKey } from "./sections/mariadb";
import { networkPolicyKey, securityEnabledKey } from "./sections/networkPolicy";
import { matomoKey } from "./sections/matomo";
import { podsKey } from "./sections/pods";
import { monitoringKey } from "./sections/monitoring";
import { privacyKey } from "./sections/privacy";
import { imagePullSecretsKey } from "./sections/pullSecrets";

export const schema = {
    ...generalKeys,
    imagePullSecrets: imagePullSecretsKey,
    matomo: matomoKey,
    mariadb: mariadbKey,
    cloudsql: cloudsqlKey,
    external: externalKey,
    maintenance: maintenanceKey,
    privacy: privacyKey,
    ingress: ingressKey,
    securityEnabled: securityEnabledKey,
    networkPolicy: networkPolicyKey,
    matomocronArchive: archiversKey,
    matomocronScheduledTasks: scheduledTasksKey,
    matomocronDeleteData: deleteDataKey,
    matomocronLdapSync: ldapSyncKey,
    ldap: ldapKey,
    geoipupdate: geoipKey,
    postfix: mailKey,
    jobs: jobsKey,
    pods: podsKey,
    monitoring: monitoringKey,
    ...logImportKeys,
} as const;

export type Schema = typeof schema;

/** The parsed value of every key. */
export type SchemaValues = { readonly [K in keyof Schema]: ValueOf<Schema[K]> };
