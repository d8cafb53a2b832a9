/**
 * What every Matomo pod shares: the generated `config.ini.php` (in a Secret: it holds the database
 * password and the salt), the php.ini overrides (a ConfigMap), the `misc/` volume (GeoIP
 * databases, uploaded logos), the superuser's credentials (a Secret the install Job reads) and the
 * install and upgrade scripts (a ConfigMap).
 *
 * `checksum` changes whenever a generated file changes; workloads put it on their pod template so
 * that `pulumi up` rolls them after a configuration change.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseEndpoint } from "../database/endpoint";
import { checksumOf } from "../k8s/checksum";
import type { InstallationArgs } from "../k8s/installation";
import { standardLabels } from "../k8s/labels";
import { secretNameFor } from "../k8s/secrets";
import { renderConfigIni, type LdapIniSettings, type SmtpIniSettings } from "./configIni";
import { renderPhpIni, type PhpSettings } from "./phpIni";
import { SMTP_PASSWORD_KEY } from "./configVolume";
import type { MatomoEgress, MatomoRuntimeRef } from "./podBuilder";
import { TABLES_PREFIX } from "./scripts";
import { scriptsConfigMapFiles } from "./scripts/configMapFiles";

export interface MatomoRuntimeArgs extends InstallationArgs {
    /** Public hostname: Matomo's first trusted host. */
    readonly hostname: string;
    /** In-cluster DNS name of the web Service, which the archivers use: trusted too. */
    readonly serviceHost: string;
    /** TLS ends at the ingress (Matomo generates https URLs). */
    readonly tls: boolean;
    /** The database Matomo's config.ini.php points at. */
    readonly database: DatabaseEndpoint;
    /** Matomo's salt (secret). */
    readonly salt: pulumi.Input<string>;
    /** The superuser the install Job creates (its password secret). */
    readonly superuser: { readonly login: string; readonly password: pulumi.Input<string> };
    /** php.ini settings of every Matomo container. */
    readonly php: PhpSettings;
    /** Maintenance switches: UI and API answer 503; the tracker answers 503 and drops hits. */
    readonly maintenance: { readonly disableUi: boolean; readonly disableTracking: boolean };
    /** Whether Matomo may reach the internet itself (false under NetworkPolicies). Defaults to true. */
    readonly internetFeatures?: boolean;
    /**
     * The SMTP server Matomo sends through, and the password of its login: set in the stack (a
     * secret, kept in a Secret of its own) or a Secret managed elsewhere with the key `password`.
     * Defaults to none (Matomo sends no mail).
     */
    readonly mail?: Omit<SmtpIniSettings, "login"> & {
        readonly login?: SmtpIniSettings["login"] & {
            readonly password: { readonly value: pulumi.Input<string> } | { readonly existingSecret: string };
        };
    };
    /** Plugins active besides the image's defaults; each must be in the image. Defaults to none. */
    readonly plugins?: readonly string[];
    /** Matomo's table prefix. Defaults to `matomo_`; an existing installation brings its own. */
    readonly tablesPrefix?: string;
    /**
     * LDAP login, with its bind passwords as secrets; activates the LoginLdap plugin. Defaults to
     * none.
     */
    readonly ldap?: Omit<LdapIniSettings, "servers"> & {
        readonly servers: readonly (Omit<LdapIniSettings["servers"][number], "adminPassword"> & {
            readonly adminPassword: pulumi.Input<string>;
        })[];
    };
    /**
     * Options Matomo keeps in its database that the install Job sets on every run (see
     * `managedOptions`). Part of {@link MatomoRuntime.checksum}: web pods regenerate matomo.js from
     * them when they start, so they roll when the options change.
     */
    readonly options: Readonly<Record<string, string>>;
    /**
     * The `misc/` volume: a claim this component creates, or one that exists already (an earlier
     * installation's), with the directory inside it that is `misc/` (its root when undefined).
     */
    readonly misc:
        | {
              /** Size, e.g. `1Gi`. */
              readonly storage: string;
              /** StorageClass. Defaults to the cluster's default class. */
              readonly storageClassName?: string;
              /** `ReadWriteMany` is needed for several web replicas. */
              readonly accessMode: "ReadWriteOnce" | "ReadWriteMany";
              /** Keep the claim (and its data) when it is deleted from the stack. */
              readonly retain: boolean;
          }
        | { readonly existingClaim: { readonly name: string; readonly subPath?: string } };
}

export class MatomoRuntime extends pulumi.ComponentResource implements MatomoRuntimeRef {
    readonly configSecretName: pulumi.Output<string>;
    readonly phpConfigMapName: pulumi.Output<string>;
    readonly miscClaimName: pulumi.Output<string>;
    readonly miscSubPath?: string;
    readonly superuserSecretName: pulumi.Output<string>;
    readonly smtpPasswordSecretName?: pulumi.Input<string>;
    readonly databasePasswordSecret?: { readonly name: pulumi.Input<string>; readonly key: string };
    /** ConfigMap holding the install, upgrade and deletion scripts. */
    readonly scriptsConfigMapName: pulumi.Output<string>;
    readonly plugins: readonly string[];
    readonly tablesPrefix: string;
    /** The database-stored options the install Job sets. */
    readonly options: Readonly<Record<string, string>>;
    readonly egress: MatomoEgress;
    /** Hash of every generated file and the managed options, for pod-template annotations. */
    readonly checksum: pulumi.Output<string>;

    constructor(name: string, args: MatomoRuntimeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("matomo:index:MatomoRuntime", name, {}, opts);
        this.tablesPrefix = args.tablesPrefix ?? TABLES_PREFIX;
        const labels = standardLabels({ name: "matomo", component: "runtime", instance: args.instance });
        const db = args.database;

        const ldapPasswords = (args.ldap?.servers ?? []).map((server) => server.adminPassword);
        const configIni = pulumi.secret(
            pulumi.all([db.host, db.password, args.salt, pulumi.all(ldapPasswords)]).apply(([host, password, salt, ldapPass]) =>
                renderConfigIni({
                    database: {
                        host,
                        port: db.port,
                        username: db.user,
                        password,
                        dbname: db.database,
                        tablesPrefix: this.tablesPrefix,
                        charset: db.charset,
                        collation: db.collation,
                        schema: db.schema,
                        tls: db.tls,
                    },
                    salt,
                    trustedHosts: [args.hostname, args.serviceHost],
                    assumeSecureProtocol: args.tls,
                    loadDataInfile: db.loadDataInfile,
                    maintenanceMode: args.maintenance.disableUi,
                    recordStatistics: !args.maintenance.disableTracking,
                    internetFeatures: args.internetFeatures ?? true,
                    mail: args.mail && {
                        ...args.mail,
                        login: args.mail.login && { username: args.mail.login.username, authType: args.mail.login.authType },
                    },
                    ldap: args.ldap && {
                        ...args.ldap,
                        servers: args.ldap.servers.map((server, i) => ({ ...server, adminPassword: ldapPass[i] })),
                    },
                }),
            ),
        );
        const phpIni = renderPhpIni(args.php);

        const configSecret = new k8s.core.v1.Secret(
            `${name}-config`,
            {
                metadata: { namespace: args.namespace, labels },
                type: "Opaque",
                stringData: { "config.ini.php": configIni },
            },
            { parent: this },
        );
        const phpConfig = new k8s.core.v1.ConfigMap(
            `${name}-php`,
            { metadata: { namespace: args.namespace, labels }, data: { "php.ini": phpIni } },
            { parent: this },
        );
        const scripts = new k8s.core.v1.ConfigMap(
            `${name}-scripts`,
            {
                metadata: { namespace: args.namespace, labels },
                data: scriptsConfigMapFiles(),
            },
            { parent: this },
        );
        const superuser = new k8s.core.v1.Secret(
            `${name}-superuser`,
            {
                metadata: { name: `${name}-superuser`, namespace: args.namespace, labels },
                type: "Opaque",
                stringData: { login: args.superuser.login, password: args.superuser.password },
            },
            { parent: this },
        );
        // An existing claim is only named: the stack neither creates nor owns it.
        const miscClaimName =
            "existingClaim" in args.misc
                ? pulumi.output(args.misc.existingClaim.name)
                : new k8s.core.v1.PersistentVolumeClaim(
                      `${name}-misc`,
                      {
                          metadata: { name: `${name}-misc`, namespace: args.namespace, labels },
                          spec: {
                              accessModes: [args.misc.accessMode],
                              storageClassName: args.misc.storageClassName,
                              resources: { requests: { storage: args.misc.storage } },
                          },
                      },
                      // retainOnDelete: removing the claim from the stack (or destroying the stack) leaves it,
                      // and the GeoIP databases and logos on it, in the cluster.
                      { parent: this, retainOnDelete: args.misc.retain },
                  ).metadata.name;

        const smtpPassword = args.mail?.login?.password;
        if (smtpPassword) {
            this.smtpPasswordSecretName = secretNameFor(
                `${name}-smtp`,
                "existingSecret" in smtpPassword
                    ? smtpPassword
                    : { stringData: { [SMTP_PASSWORD_KEY]: pulumi.secret(smtpPassword.value) } },
                { namespace: args.namespace, labels },
                { parent: this },
            );
        }

        // A password only in a Secret managed elsewhere: the pods append it to their copy of config.ini.php.
        this.databasePasswordSecret = db.password === undefined ? db.passwordSecret : undefined;
        this.configSecretName = configSecret.metadata.name;
        this.phpConfigMapName = phpConfig.metadata.name;
        this.miscClaimName = miscClaimName;
        this.miscSubPath = "existingClaim" in args.misc ? args.misc.existingClaim.subPath : undefined;
        this.superuserSecretName = superuser.metadata.name;
        this.scriptsConfigMapName = scripts.metadata.name;
        this.plugins = [...new Set([...(args.plugins ?? []), ...(args.ldap ? ["LoginLdap"] : [])])];
        this.options = args.options;
        this.egress = {
            mail: args.mail && { name: "smtp", to: { destination: "smtp" }, ports: [args.mail.port] },
            ldap: args.ldap && { name: "ldap", to: { destination: "ldap" }, ports: [...new Set(args.ldap.servers.map((s) => s.port))] },
        };
        // A password set in the stack is hashed together with config.ini.php (which holds the salt).
        const passwordInput = smtpPassword && "value" in smtpPassword ? [smtpPassword.value] : [];
        this.checksum = checksumOf(configIni, phpIni, JSON.stringify(args.options), ...passwordInput);
        this.registerOutputs({
            configSecretName: this.configSecretName,
            phpConfigMapName: this.phpConfigMapName,
            miscClaimName: this.miscClaimName,
            superuserSecretName: this.superuserSecretName,
            scriptsConfigMapName: this.scriptsConfigMapName,
        });
    }
}
