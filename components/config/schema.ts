/**
 * Every stack config key of the project, with its type, default and meaning.
 *
 * Keys keep the seed Helm chart's names and paths under the `matomo:` namespace, so a `values.yaml`
 * translates one to one: seed `mariadb.storage` is stack key `matomo:mariadb`, field `storage`
 * (`pulumi config set --path mariadb.storage 20Gi`). Defaults are the seed's unless the seed's
 * default was insecure or broken; docs/seed-parameters.md records each such change and why.
 * The README's config reference is generated from this file (`npm run docs`).
 */
import { parseServerOption } from "../database/serverOptions";
import { cloudsql } from "./cloudsqlSchema";
import { workloads } from "./workloadsSchema";
import { boolean, integer, oneOf, rejected, secret, string } from "./schema/fields";
import { list, object, record } from "./schema/structures";
import { image, notYet, phpSize, resources, seconds } from "./schema/parts";
import { checkByteQuantity } from "../k8s/units";
import {
    checkAnnotationKey,
    checkDatabaseName,
    checkDatabaseUser,
    checkDnsLabel,
    checkEmail,
    checkHostname,
    checkIniSafeSecret,
    checkMatomoLogin,
    checkNginxSize,
    checkOptionalDnsSubdomain,
    checkSeconds,
    checkTimezone,
    checkWebsiteUrl,
} from "./schema/validators";

/** The seed chart's `mariadb.commands`, with the buffer pool left to the memory-based default. */
export const SEED_SERVER_OPTIONS: readonly string[] = [
    "--max_allowed_packet=128M",
    "--wait_timeout=999999",
    "--interactive_timeout=999999",
    "--net_read_timeout=120",
    "--net_write_timeout=180",
    "--connect_timeout=20",
    "--innodb_flush_log_at_trx_commit=2",
    "--max_connections=300",
    "--table_open_cache=800",
    "--table_definition_cache=800",
    "--innodb_log_file_size=1G",
    "--query_cache_size=0",
    "--query_cache_type=0",
];

/**
 * Options this program adds to the seed's: an explicit utf8mb4 character set and collation, so
 * the database the image creates and Matomo's `[database] collation` agree (MariaDB 10.11 would
 * otherwise create it as latin1).
 */
export const ADDED_SERVER_OPTIONS: readonly string[] = [
    "--character_set_server=utf8mb4",
    "--collation_server=utf8mb4_general_ci",
];

/** The seed chart's ingress-nginx settings (its later, valid timeouts: ingress-nginx needs whole seconds). */
export const NGINX_DEFAULTS = {
    "proxy-body-size": "256m",
    "proxy-read-timeout": "1200",
    "proxy-send-timeout": "1200",
} as const;

/** Share of the MariaDB memory limit the InnoDB buffer pool gets when not set explicitly. */
export const DEFAULT_BUFFER_POOL_SHARE = 0.7;
/** Largest share of the memory limit an explicit buffer pool may take (the rest is connections, logs, sort buffers). */
export const MAX_BUFFER_POOL_SHARE = 0.75;

export const schema = {
    topology: oneOf(["eea", "google"], {
        doc: "Which topology the stack deploys: `eea` (MariaDB StatefulSet in the cluster) or `google` (Cloud SQL for MySQL through the Cloud SQL Auth Proxy).",
        default: "eea",
    }),
    namespace: string({
        doc: "Kubernetes namespace for every object of the stack.",
        default: "matomo",
        check: checkDnsLabel,
    }),
    createNamespace: boolean({
        doc: "Create the namespace (with Pod Security `restricted` labels). Set to false to deploy into a namespace managed elsewhere.",
        default: true,
    }),
    timezone: string({
        doc: "Time zone of the deployment (IANA name): `TZ` of every container and PHP's `date.timezone`.",
        default: "Europe/Copenhagen",
        check: checkTimezone,
    }),
    pvc: object(
        {
            resourcePolicyKeep: boolean({
                doc: "Keep PersistentVolumeClaims (and the namespace that holds them) when the stack is destroyed or the resource is removed: Pulumi's `retainOnDelete`, and `Retain` for the MariaDB StatefulSet's claims.",
                default: true,
            }),
        },
        { doc: "Persistent volume claim policy." },
    ),
    matomo: object(
        {
            hostname: string({
                doc: "Public hostname of Matomo: the Ingress host and Matomo's `trusted_hosts[]`. Required (the seed defaulted to EEA's own host).",
                required: true,
                check: checkHostname,
            }),
            image: image("Matomo (the official `matomo` image, Apache variant)", "matomo", "5.11.2-apache"),
            replicaCount: integer({
                doc: "Number of Matomo web pods. More than 1 needs `storageAccessMode: ReadWriteMany`.",
                default: 1,
                min: 1,
                max: 50,
            }),
            username: string({
                doc: "Login of the Matomo superuser.",
                default: "admin",
                check: checkMatomoLogin,
            }),
            email: string({
                doc: "E-mail address of the Matomo superuser. Unset: `admin@<hostname>`.",
                optional: true,
                defaultDoc: "`admin@<hostname>`",
                check: checkEmail,
            }),
            siteName: string({
                doc: "Name of the first website, created by the install Job. Unset: the hostname.",
                optional: true,
                defaultDoc: "`<hostname>`",
                check: (v) => (v.trim() === "" || v.length > 90 ? "expected 1-90 characters" : undefined),
            }),
            siteUrl: string({
                doc: "URL of the first website. Unset: `https://<hostname>`.",
                optional: true,
                defaultDoc: "`https://<hostname>`",
                check: checkWebsiteUrl,
            }),
            password: secret({
                doc: "Password of the Matomo superuser. Generated when unset; read it with `pulumi stack output superuserPassword --show-secrets`.",
                check: checkIniSafeSecret,
            }),
            salt: secret({
                doc: "Matomo's `[General] salt`. Generated once when unset and never changed; set it only to keep the salt of an existing installation (it hashes API tokens and sessions), and once set, keep it set.",
                check: checkIniSafeSecret,
            }),
            token: notYet("Log import", "API token for the log importer."),
            storage: string({
                doc: "Size of the volume for Matomo's `misc/` directory (GeoIP databases, uploaded logos). Code never lives on a volume.",
                default: "1Gi",
                check: checkByteQuantity,
            }),
            storageClassName: string({
                doc: "StorageClass of the `misc/` volume; empty for the cluster default.",
                default: "",
                check: checkOptionalDnsSubdomain,
            }),
            storageAccessMode: oneOf(["ReadWriteOnce", "ReadWriteMany"], {
                doc: "Access mode of the `misc/` volume. `ReadWriteOnce` works everywhere for one replica (rollouts then use the Recreate strategy); several replicas need `ReadWriteMany`.",
                default: "ReadWriteOnce",
            }),
            environment: object(
                {
                    PHP_MEMORY_LIMIT: phpSize(
                        "PHP `memory_limit` of the web pods. Must stay below the container memory limit.",
                        "4096M",
                    ),
                    PHP_MAX_EXECUTION_TIME: seconds("PHP `max_execution_time` of the web pods (0: no limit).", "0"),
                    PHP_MAX_INPUT_TIME: seconds("PHP `max_input_time` of the web pods (0: no limit).", "0"),
                    APACHE_HTTP_PORT_NUMBER: rejected({
                        doc: "Apache port (Bitnami images only).",
                        reason: "the official image's Apache listens on port 80 (the pods may bind it without root); the Service always exposes port 80",
                    }),
                },
                { doc: "PHP settings of the web pods, written to a php.ini the pods load." },
            ),
            resources: resources("Matomo web", { requestMemory: "2Gi", requestCpu: "250m", limitMemory: "5Gi" }),
        },
        { doc: "The Matomo web tier." },
    ),
    mariadb: object(
        {
            image: image("MariaDB", "mariadb", "10.11.18"),
            user: string({ doc: "Database user Matomo connects as.", default: "eea_matomo", check: checkDatabaseUser }),
            database: string({ doc: "Database Matomo uses.", default: "eea_matomo_db", check: checkDatabaseName }),
            password: secret({
                doc: "Password of the database user. Generated when unset.",
                check: checkIniSafeSecret,
            }),
            rootPassword: secret({
                doc: "Password of MariaDB's root user (which may only log in from inside the pod). Generated when unset.",
                check: checkIniSafeSecret,
            }),
            environment: object(
                {
                    MYSQL_ALLOW_EMPTY_PASSWORD: string({
                        doc: 'Only `"no"` is accepted: the root password is always set. (The seed passed `"no"` to the image, which treats any non-empty value as yes.)',
                        default: "no",
                        check: (v) =>
                            v === "no" || v === "false"
                                ? undefined
                                : 'only "no" is accepted; an empty root password is never allowed',
                    }),
                },
                { doc: "Environment of the MariaDB container." },
            ),
            storage: string({ doc: "Size of the MariaDB data volume.", default: "10Gi", check: checkByteQuantity }),
            storageClassName: string({
                doc: "StorageClass of the MariaDB data volume; empty for the cluster default.",
                default: "",
                check: checkOptionalDnsSubdomain,
            }),
            resources: resources("MariaDB", { requestMemory: "7Gi", requestCpu: "500m", limitMemory: "10Gi" }),
            commands: list(
                string({
                    doc: "A server option `--name=value`.",
                    required: true,
                    check: (v) => {
                        const parsed = parseServerOption(v);
                        return typeof parsed === "string" ? parsed : undefined;
                    },
                }),
                {
                    doc:
                        "MariaDB server options (`--name=value`), written to a config file so that every one takes effect. " +
                        "Options listed here replace the default of the same name; the defaults (the seed's list plus utf8mb4) stay otherwise. " +
                        `Without \`--innodb_buffer_pool_size\` the buffer pool is ${DEFAULT_BUFFER_POOL_SHARE * 100}% of the memory limit.`,
                    default: [],
                    defaultDoc: `seed list (${SEED_SERVER_OPTIONS.length + 1} options) + utf8mb4, see docs/seed-parameters.md`,
                    maxItems: 200,
                },
            ),
        },
        { doc: "The in-cluster MariaDB (topology `eea`)." },
    ),
    cloudsql,
    maintenance: object(
        {
            disableUi: boolean({
                doc: "Maintenance mode for the UI and the API (`[General] maintenance_mode = 1`): they answer 503 with a maintenance page, without touching the database. Console jobs keep working.",
                default: false,
            }),
            disableTracking: boolean({
                doc: "Stop recording visits (`[Tracker] record_statistics = 0`): the tracker answers 503 and hits are lost. Use it only when the database must be completely quiet (restores).",
                default: false,
            }),
        },
        { doc: "Maintenance switches, applied by `pulumi up` with a rollout of the web pods (replacing the seed's sed-and-restart procedure)." },
    ),
    ingress: object(
        {
            enabled: boolean({ doc: "Create the Ingress.", default: true }),
            className: string({
                doc: "IngressClass name; empty for the cluster's default class.",
                default: "nginx",
                check: checkOptionalDnsSubdomain,
            }),
            annotations: record(string({ doc: "Annotation value.", required: true }), {
                doc: "Extra annotations of the Ingress.",
                default: {},
                checkKey: checkAnnotationKey,
            }),
            letsencrypt: string({
                doc: "cert-manager ClusterIssuer that issues the TLS certificate (`cert-manager.io/cluster-issuer`); empty to manage the certificate Secret yourself.",
                default: "",
                check: checkOptionalDnsSubdomain,
            }),
            tls: boolean({
                doc: "Serve HTTPS: a TLS section for the hostname, and Matomo configured for TLS ending at the ingress.",
                default: true,
            }),
            certificate: string({
                doc: "Name of the TLS Secret; empty for `<hostname>-tls`.",
                default: "",
                check: checkOptionalDnsSubdomain,
            }),
            configuration: object(
                {
                    "proxy-body-size": string({
                        doc: "ingress-nginx request body limit (bulk tracking, log import).",
                        default: NGINX_DEFAULTS["proxy-body-size"],
                        check: checkNginxSize,
                    }),
                    "proxy-read-timeout": string({
                        doc: "ingress-nginx read timeout in seconds (slow reports).",
                        default: NGINX_DEFAULTS["proxy-read-timeout"],
                        check: checkSeconds,
                    }),
                    "proxy-send-timeout": string({
                        doc: "ingress-nginx send timeout in seconds.",
                        default: NGINX_DEFAULTS["proxy-send-timeout"],
                        check: checkSeconds,
                    }),
                },
                { doc: "ingress-nginx settings, written as `nginx.ingress.kubernetes.io/*` annotations (only with className `nginx`)." },
            ),
        },
        { doc: "The Ingress in front of Matomo." },
    ),
    ...workloads,
    rsyncAnalytics: notYet("Log fetching (rsync)", "Fetching web server logs for import."),
    matomoAnalytics: notYet("Log import", "Importing web server logs."),
    logsHostLabels: notYet("Log import", "Node labels for the log import jobs."),
} as const;

export type Schema = typeof schema;
