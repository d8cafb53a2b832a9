/**
 * The one place that turns stack configuration into a typed, fully defaulted, validated object.
 *
 * `parseConfig` is pure (it reads a {@link ConfigSource}, not Pulumi's runtime) and collects every
 * problem; `loadConfig` throws them all as one {@link ConfigError}, whose message lists one problem
 * per line, each naming the key, the value and what is allowed. Nothing else in the program reads
 * configuration. Each subject's keys, defaults, resolution and rules live in `sections/`.
 */
import * as pulumi from "@pulumi/pulumi";
import { schema, type SchemaValues } from "./keys";
import type { MatomoConfig } from "./model";
import { providerKeyIssues } from "./providerKeys";
import { resolveConfig } from "./resolve";
import type { Issue } from "./schema/fields";
import { foreignKeyIssues, parseKeys, type ConfigSource } from "./schema/parse";
import { CONFIG_NAMESPACE } from "./sections/context";

export type { EeaConfig, ExternalConfig, GoogleConfig, MatomoConfig } from "./model";
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
export type { LogImportConfig, LogSource } from "./sections/logImport/resolve";
export type { MailConfig } from "./sections/mail";
export type { MariaDbConfig } from "./sections/mariadb";
export type { MatomoTierConfig } from "./sections/matomo";
export type { PrivacyConfig } from "./sections/privacy";
export type { WebMemory, WebServerConfig } from "./sections/webServer";
export { CONFIG_NAMESPACE };

/** The namespaces of the configuration the program reads: its own, its providers' and Pulumi's. */
const CONFIG_NAMESPACES = [CONFIG_NAMESPACE, "kubernetes", "gcp", "pulumi"];

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

/**
 * Parses and validates configuration; returns every issue instead of throwing. Keys are parsed one
 * by one first; then the sections are resolved and the rules that span keys are checked, also when
 * some values are invalid (see {@link furtherIssues}), so that one round reports every problem.
 */
export function parseConfig(source: ConfigSource): { config?: MatomoConfig; issues: Issue[] } {
    const issues: Issue[] = [...foreignKeyIssues(source, CONFIG_NAMESPACES), ...providerKeyIssues(source)];
    if (!source.keys().some((k) => k.startsWith(`${CONFIG_NAMESPACE}:`))) {
        issues.push({
            key: `${CONFIG_NAMESPACE}:*`,
            message:
                `none is set: this program's settings go under config: in ${source.file ?? `Pulumi.${source.stack}.yaml`}, each section named with the ` +
                `project's namespace (matomo:matomo: with hostname under it, matomo:mariadb:, ...); a values.yaml pasted as it is is not read`,
        });
    }
    const values = parseKeys(schema, CONFIG_NAMESPACE, source, issues) as SchemaValues;
    if (issues.length > 0) return { issues: [...issues, ...furtherIssues(source, issues)] };
    return resolveConfig(values, source);
}

/**
 * What the rules that span keys find besides the invalid values already `found`: the keys are
 * parsed again assuming each invalid value gets corrected (see `ParseContext.lenient`), and of the
 * problems the rules then report, those that involve a key already found are left out (they may
 * be artefacts of the assumed value, and their key is reported anyway). A rule that finds a
 * feature off names the key that switches it on, so that it is left out when that key is invalid.
 */
function furtherIssues(source: ConfigSource, found: readonly Issue[]): Issue[] {
    const values = parseKeys(schema, CONFIG_NAMESPACE, source, [], true);
    if (Object.keys(schema).some((name) => !(name in values))) return [];
    const { issues } = resolveConfig(values as SchemaValues, source);
    return issues.filter((issue) => !found.some((f) => involves(issue, f.key)));
}

/**
 * Whether a problem may follow from the invalid value at `key`: it is about that key, something
 * inside it, or something holding it below its top-level key (`ldap.servers` for
 * `ldap.servers[0].hostname`); it is about another entry of a list that holds it (the rules
 * across a list's entries saw the list without the invalid entry); or it names one of those keys.
 * A problem of the whole top-level key is its own (`matomocronLdapSync` without LDAP servers
 * beside an invalid `matomocronLdapSync.image`).
 */
function involves(issue: Issue, key: string): boolean {
    const inside = (k: string, outer: string) => k === outer || k.startsWith(`${outer}.`) || k.startsWith(`${outer}[`);
    const holders = holdersOf(key);
    if (inside(issue.key, key) || holders.slice(1).includes(issue.key)) return true;
    if (holders.some((holder) => key.charAt(holder.length) === "[" && inside(issue.key, holder))) return true;
    const named = [key, ...holders.slice(1)].flatMap((k) => [
        k,
        k.startsWith(`${CONFIG_NAMESPACE}:`) ? k.slice(CONFIG_NAMESPACE.length + 1) : k,
    ]);
    return named.some((k) => new RegExp(`(^|[^\\w.:\\[\\]-])${escapeRegExp(k)}($|[^\\w\\[-])`).test(issue.message));
}

/** The keys that hold `key`, outermost first: `a`, `a.b`, `a.b[0]` for `a.b[0].c`. */
function holdersOf(key: string): string[] {
    const start = key.indexOf(":") + 1;
    const holders: string[] = [];
    for (let i = start; i < key.length; i++) if (key[i] === "." || key[i] === "[") holders.push(key.slice(0, i));
    return holders;
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Parses and validates configuration, or throws a {@link ConfigError} listing every problem. */
export function loadConfig(source: ConfigSource): MatomoConfig {
    const { config, issues } = parseConfig(source);
    if (!config) throw new ConfigError(issues);
    return config;
}
