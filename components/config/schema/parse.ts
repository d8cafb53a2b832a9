/**
 * Reads every top-level key of a schema from a {@link ConfigSource}: unknown keys are reported,
 * structured values are decoded from the JSON text Pulumi stores them as, and each value is parsed
 * by its field. Collects every problem instead of stopping at the first.
 */
import { INVALID, type Field, type Issue, type ParseContext } from "./fields";
import type { Encryption } from "./parseContext";
import { missingValue, parseValue } from "./parseValue";
import { closestMatch } from "./text";

/** Where raw configuration comes from: Pulumi's runtime in a real run, a map in tests. */
export interface ConfigSource {
    /** Every configured key, fully qualified (`matomo:namespace`, `gcp:project`, ...). */
    keys(): readonly string[];
    /** The raw value of a key: text, or JSON text for structured values. */
    get(key: string): string | undefined;
    /** Whether the key holds an encrypted value (`pulumi config set --secret`), as Pulumi tells the program. */
    isSecret(key: string): boolean;
    /**
     * Which values of a secret key the stack file stores encrypted, one by one: Pulumi tells the
     * program only whether a key holds at least one, so a plain-text credential beside an encrypted
     * one would pass as secret. Undefined where the stack file cannot tell (pulumiSource.ts says
     * when); every value of the key then counts as encrypted.
     */
    encryption(key: string): Encryption | undefined;
    /** The stack's name, for names derived from it. */
    readonly stack: string;
    /** The stack file as the user names it, for messages; `Pulumi.<stack>.yaml` when unset. */
    readonly file?: string;
}

/**
 * Keys in a namespace other than these are read by nothing: the program's own, the providers' it
 * uses, and Pulumi's.
 */
export function foreignKeyIssues(source: ConfigSource, namespaces: readonly string[]): Issue[] {
    const issues: Issue[] = [];
    for (const key of source.keys()) {
        const colon = key.indexOf(":");
        const namespace = colon < 0 ? "" : key.slice(0, colon);
        if (namespaces.includes(namespace)) continue;
        const hint = closestMatch(namespace, namespaces);
        issues.push({
            key,
            message:
                `is in namespace "${namespace}", which nothing in this program reads (it reads ${namespaces.map((n) => `${n}:`).join(", ")})` +
                (hint ? `; did you mean "${hint}:${key.slice(colon + 1)}"?` : "; remove it"),
        });
    }
    return issues;
}

/**
 * The parsed values of the keys of `schema` under `namespace`; a key whose value failed is left
 * out. `lenient` parses for the further-problems pass (see {@link ParseContext.lenient}).
 */
export function parseKeys<S extends Record<string, Field<unknown>>>(
    schema: S,
    namespace: string,
    source: ConfigSource,
    issues: Issue[],
    lenient = false,
): Partial<Record<keyof S, unknown>> {
    const known = Object.keys(schema);
    const prefix = `${namespace}:`;
    // The keys to offer: those that can be set (a rejected key is no way to go).
    const offered = known.filter((k) => schema[k].rejected === undefined).map((k) => prefix + k);
    for (const key of source.keys()) {
        if (!key.startsWith(prefix)) continue;
        const name = key.slice(prefix.length);
        if (!(name in schema)) {
            const hint = closestMatch(key, offered);
            issues.push({
                key,
                message: "unknown key" + (hint ? ` (did you mean "${hint}"?)` : "") + `; known keys are ${offered.join(", ")}`,
            });
        }
    }
    const values: Partial<Record<keyof S, unknown>> = {};
    for (const name of known) {
        const key = prefix + name;
        const field = schema[name];
        const secretKey = source.isSecret(key);
        const encryption = secretKey ? source.encryption(key) : false;
        const ctx: ParseContext = { key, setPath: name, secretKey, encryption, issues, lenient };
        const raw = source.get(key);
        let parsed: unknown;
        if (raw === undefined) {
            parsed = missingValue(field, ctx);
        } else if (field.structured) {
            let json: unknown;
            try {
                json = JSON.parse(raw);
            } catch {
                issues.push({ key, message: `got ${JSON.stringify(raw)}; expected structured (${field.type}) configuration` });
                if (!lenient) continue;
                json = undefined;
            }
            parsed = json === undefined ? missingValue(field, ctx) : parseValue(field, json, ctx);
        } else {
            parsed = parseValue(field, raw, ctx);
        }
        if (parsed !== INVALID) values[name as keyof S] = parsed;
    }
    return values;
}
