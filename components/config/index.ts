/**
 * The one place that turns stack configuration into a typed, fully defaulted, validated object.
 *
 * `parseConfig` is pure (it reads a {@link ConfigSource}, not Pulumi's runtime) and collects every
 * problem; `loadConfig` throws them all as one {@link ConfigError}, whose message lists one problem
 * per line, each naming the key, the value and what is allowed. Nothing else in the program reads
 * configuration.
 */
import * as pulumi from "@pulumi/pulumi";
import { mergeServerOptions, parseServerOption, type ServerOption } from "../database/serverOptions";
import { resolveCloudSql, type CloudSqlConfig } from "./cloudsql";
import { resolveWorkloads, type WorkloadsConfig } from "./workloads";
import type { workloads } from "./workloadsSchema";
import type { Field, Issue } from "./schema/fields";
import { parseKeys, type ConfigSource } from "./schema/parse";
import { crossKeyIssues } from "./rules";
import {
    ADDED_SERVER_OPTIONS,
    DEFAULT_BUFFER_POOL_SHARE,
    NGINX_DEFAULTS,
    SEED_SERVER_OPTIONS,
    schema,
    type Schema,
} from "./schema";
import { parseQuantity } from "../k8s/units";

export type { CloudSqlConfig } from "./cloudsql";
export type * from "./workloads";
export type { Issue } from "./schema/fields";
export { SecretValue } from "./schema/secretValue";
export type { ConfigSource } from "./schema/parse";

/** The configuration namespace of this project. */
export const CONFIG_NAMESPACE = "matomo";

type SchemaValues = { readonly [K in keyof Schema]: Schema[K] extends Field<infer T> ? T : never };
type RejectedKeys = {
    [K in keyof Schema]: Schema[K] extends Field<infer T> ? ([T] extends [undefined] ? K : never) : never;
}[keyof Schema];
type Parsed = Omit<SchemaValues, RejectedKeys>;

/** Keys whose resolved form is in {@link WorkloadsConfig}. */
type WorkloadKeys = keyof typeof workloads;

/** The typed configuration every component is built from. */
export interface MatomoConfig extends Omit<Parsed, "mariadb" | "ingress" | "matomo" | "cloudsql" | WorkloadKeys>, WorkloadsConfig {
    readonly matomo: Omit<Parsed["matomo"], "token" | "environment" | "email" | "siteName" | "siteUrl"> & {
        readonly environment: Omit<Parsed["matomo"]["environment"], "APACHE_HTTP_PORT_NUMBER">;
        /** Superuser e-mail, `admin@<hostname>` unless configured. */
        readonly email: string;
        /** First website's name and URL, from the hostname unless configured. */
        readonly siteName: string;
        readonly siteUrl: string;
    };
    readonly mariadb: Omit<Parsed["mariadb"], "commands"> & {
        /** Effective server options: defaults merged with `mariadb.commands`, buffer pool sized. */
        readonly serverOptions: readonly ServerOption[];
    };
    readonly ingress: Omit<Parsed["ingress"], "certificate" | "configuration"> & {
        /** TLS Secret name, `<hostname>-tls` unless configured. */
        readonly certificate: string;
        /** ingress-nginx settings; empty when the class is not nginx and nothing was configured. */
        readonly configuration: Readonly<Record<string, string>>;
    };
    /** Cloud SQL settings, resolved; present exactly when the topology is `google`. */
    readonly cloudsql?: CloudSqlConfig;
}

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

/** Default server options followed by the user's, the buffer pool sized from the memory limit if unset. */
function effectiveServerOptions(userOptions: readonly string[], memoryLimit: string): {
    options: ServerOption[];
    explicitBufferPool: boolean;
} {
    const parse = (texts: readonly string[]) => texts.map((t) => parseServerOption(t) as ServerOption);
    const merged = mergeServerOptions(parse([...SEED_SERVER_OPTIONS, ...ADDED_SERVER_OPTIONS]), parse(userOptions));
    const explicitBufferPool = merged.some((o) => o.name === "innodb_buffer_pool_size");
    if (!explicitBufferPool) {
        const chunk = 128 * 2 ** 20; // MariaDB sizes the buffer pool in 128 MiB chunks
        const bytes = (parseQuantity(memoryLimit) ?? 0) * DEFAULT_BUFFER_POOL_SHARE;
        const mib = (Math.max(chunk, Math.floor(bytes / chunk) * chunk) / 2 ** 20).toFixed(0);
        merged.push({ name: "innodb_buffer_pool_size", value: `${mib}M` });
    }
    return { options: merged, explicitBufferPool };
}

function sameSettings(a: Readonly<Record<string, string>>, b: Readonly<Record<string, unknown>>): boolean {
    return Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
}

/** Parses and validates configuration; returns every issue instead of throwing. */
export function parseConfig(source: ConfigSource): { config?: MatomoConfig; issues: Issue[] } {
    const issues: Issue[] = [];
    const values = parseKeys(schema, CONFIG_NAMESPACE, source, issues);
    if (issues.length > 0) return { issues };
    const parsed = values as Parsed;

    const { token: _token, environment, ...matomo } = parsed.matomo;
    const { APACHE_HTTP_PORT_NUMBER: _port, ...php } = environment;
    const { commands, ...mariadb } = parsed.mariadb;
    const server = effectiveServerOptions(commands, mariadb.resources.limits.memory);

    const ingress = parsed.ingress;
    let nginx: Readonly<Record<string, string>> = ingress.configuration;
    if (ingress.className !== "nginx") {
        if (!sameSettings(nginx, NGINX_DEFAULTS)) {
            issues.push({
                key: "matomo:ingress.configuration",
                message: `holds ingress-nginx settings, which have no effect with className "${ingress.className}"; remove them or use className "nginx"`,
            });
        }
        nginx = {};
    }

    // A section of the other topology would be configuration without effect.
    const otherTopology = parsed.topology === "google" ? "mariadb" : "cloudsql";
    if (source.get(`${CONFIG_NAMESPACE}:${otherTopology}`) !== undefined) {
        issues.push({
            key: `${CONFIG_NAMESPACE}:${otherTopology}`,
            message:
                otherTopology === "mariadb"
                    ? 'configures the in-cluster MariaDB, which topology "google" does not deploy; remove it (Cloud SQL is configured in matomo:cloudsql)'
                    : 'configures Cloud SQL, which topology "eea" does not use; remove it or set matomo:topology to "google"',
        });
    }
    const raw = (key: string) => source.get(`${CONFIG_NAMESPACE}:${key}`);
    const workloads = resolveWorkloads(
        parsed,
        (key) => raw(key) !== undefined,
        (raw("matomocronArchive") ?? "").trim().startsWith("["),
        matomo.image.repository,
        matomo.hostname,
    );
    issues.push(...workloads.issues);

    let cloudsql: CloudSqlConfig | undefined;
    if (parsed.topology === "google") {
        const cloudsqlRaw = raw("cloudsql");
        const resolved = resolveCloudSql(
            parsed.cloudsql,
            cloudsqlRaw === undefined ? [] : Object.keys(JSON.parse(cloudsqlRaw) as object),
            (key) => source.get(key),
            source.stack,
        );
        issues.push(...resolved.issues);
        cloudsql = resolved.config;
    }

    const config: MatomoConfig = {
        topology: parsed.topology,
        namespace: parsed.namespace,
        createNamespace: parsed.createNamespace,
        timezone: parsed.timezone,
        pvc: parsed.pvc,
        maintenance: parsed.maintenance,
        matomo: {
            ...matomo,
            environment: php,
            email: matomo.email ?? `admin@${matomo.hostname}`,
            siteName: matomo.siteName ?? matomo.hostname,
            siteUrl: matomo.siteUrl ?? `https://${matomo.hostname}`,
        },
        mariadb: { ...mariadb, serverOptions: server.options },
        ingress: {
            ...ingress,
            certificate: ingress.certificate || `${matomo.hostname}-tls`,
            configuration: nginx,
        },
        cloudsql,
        ...(workloads.config as WorkloadsConfig),
    };

    issues.push(
        ...crossKeyIssues({
            topology: config.topology,
            matomo: config.matomo,
            mariadb: { ...config.mariadb, explicitBufferPool: server.explicitBufferPool },
        }),
    );
    return issues.length > 0 ? { issues } : { config, issues };
}

/** Parses and validates configuration, or throws a {@link ConfigError} listing every problem. */
export function loadConfig(source: ConfigSource): MatomoConfig {
    const { config, issues } = parseConfig(source);
    if (!config) throw new ConfigError(issues);
    return config;
}
