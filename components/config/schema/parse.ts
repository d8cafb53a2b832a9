/**
 * Reads every top-level key of a schema from a {@link ConfigSource}: unknown keys are reported,
 * structured values are decoded from the JSON text Pulumi stores them as, and each value is parsed
 * by its field. Collects every problem instead of stopping at the first.
 */
import { INVALID, type Field, type Issue, type ParseContext } from "./fields";

/** Where raw configuration comes from: Pulumi's runtime in a real run, a map in tests. */
export interface ConfigSource {
    /** Every configured key, fully qualified (`matomo:namespace`, `gcp:project`, ...). */
    keys(): readonly string[];
    /** The raw value of a key: text, or JSON text for structured values. */
    get(key: string): string | undefined;
    /** Whether the key was set with `pulumi config set --secret`. */
    isSecret(key: string): boolean;
    /** The stack's name, for names derived from it. */
    readonly stack: string;
}

/** The parsed values of the keys of `schema` under `namespace`, or `INVALID` for those that failed. */
export function parseKeys<S extends Record<string, Field<unknown>>>(
    schema: S,
    namespace: string,
    source: ConfigSource,
    issues: Issue[],
): Partial<Record<keyof S, unknown>> {
    const known = Object.keys(schema);
    const prefix = `${namespace}:`;
    for (const key of source.keys()) {
        if (!key.startsWith(prefix)) continue;
        const name = key.slice(prefix.length);
        if (!(name in schema)) {
            issues.push({ key, message: `unknown key; known keys are ${known.map((k) => prefix + k).join(", ")}` });
        }
    }
    const values: Partial<Record<keyof S, unknown>> = {};
    for (const name of known) {
        const key = prefix + name;
        const field = schema[name];
        const ctx: ParseContext = { key, setPath: name, secretKey: source.isSecret(key), issues };
        const raw = source.get(key);
        let parsed: unknown;
        if (raw === undefined) {
            parsed = field.missing(ctx);
        } else if (field.structured) {
            let json: unknown;
            try {
                json = JSON.parse(raw);
            } catch {
                issues.push({ key, message: `got ${JSON.stringify(raw)}; expected structured (${field.type}) configuration` });
                continue;
            }
            parsed = field.parse(json, ctx);
        } else {
            parsed = field.parse(raw, ctx);
        }
        if (parsed !== INVALID) values[name as keyof S] = parsed;
    }
    return values;
}
