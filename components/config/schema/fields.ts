/**
 * A small typed schema for stack configuration: the field type and the single-value fields
 * (structures.ts has objects, lists and maps).
 *
 * Each field knows how to parse one raw value (a string from the stack file, or a JSON value nested
 * in an object key), what its default is, and how to document itself. Parsing never throws: every
 * problem is reported as an {@link Issue} that names the full config key, the value it got and what
 * is allowed, so one run reports every mistake at once. The same field tree generates the config
 * reference in docs/configuration.md, which keeps docs and behaviour from drifting apart.
 */
import { report, type ParseContext, type Parsed } from "./parseContext";
import { closestMatch, describeValue } from "./text";

export { child, element, INVALID, report, type Issue, type ParseContext, type Parsed } from "./parseContext";

/** How a missing value is treated. */
export type Presence<T> = { readonly default: T } | { readonly required: true } | { readonly optional: true };
type WithPresence<T, P> = P extends { optional: true } ? T | undefined : T;

/** A documented, parseable configuration field. */
export interface Field<T> {
    /** Type as shown in the config reference, e.g. `string`, `integer`, `object`. */
    readonly type: string;
    /** What the key means (one or two sentences, Markdown). */
    readonly doc: string;
    /** The default as shown in the config reference; undefined for objects. */
    readonly defaultDoc?: string;
    /** Nested fields of an object, for documentation walks. */
    readonly fields?: Readonly<Record<string, Field<unknown>>>;
    /** The field of each entry of a list, for documentation walks. */
    readonly element?: Field<unknown>;
    /** The field of each value of a map, for walks over every field (schema/walk.ts). */
    readonly entries?: Field<unknown>;
    /** Set for keys that are recognised but rejected (not supported yet, or not meaningful here). */
    readonly rejected?: string;
    /** Whether this is a structured value (object, list, map) that the stack file stores as JSON. */
    readonly structured?: boolean;
    /** A valid value to assume in place of an invalid one in the lenient pass; the default otherwise. */
    readonly assumed?: () => T;
    /**
     * Raw text the field accepts, derived from `seed` (the same seed, the same text), to stand in for
     * a value encrypted in the stack file where it cannot be decrypted: the offline render. Every
     * credential field has one; a field without one stands in with its default, if it has one.
     */
    readonly standIn?: (seed: string) => string;
    parse(raw: unknown, ctx: ParseContext): Parsed<T>;
    missing(ctx: ParseContext): Parsed<T>;
}

export interface CommonOptions {
    /** What the key means. */
    readonly doc: string;
    /** Overrides how the default is shown in the docs (e.g. "generated"). */
    readonly defaultDoc?: string;
    /**
     * Reads `""` as unset, as the seed chart did for this key (its default was `""`), so a pasted
     * values file means what it meant there.
     */
    readonly emptyIsUnset?: boolean;
}

/** A value as the config reference shows it. */
export function code(v: unknown): string {
    return typeof v === "string" ? (v === "" ? '`""`' : `\`${v}\``) : `\`${JSON.stringify(v)}\``;
}

/**
 * A single-value field: the default (or "required") handling every scalar shares, around the
 * type's own parser. Exported for fields with a parser of their own (`type` is shown in the docs).
 */
export function scalar<T, P extends Presence<T>>(
    type: string,
    options: CommonOptions & P,
    parse: (raw: unknown, ctx: ParseContext) => Parsed<T>,
): Field<WithPresence<T, P>> {
    const presence = options as Partial<{ default: T; required: true; optional: true }>;
    let missing: (ctx: ParseContext) => Parsed<T | undefined> = () => undefined;
    let defaultDoc = options.defaultDoc ?? "unset";
    if (presence.default !== undefined) {
        const value = presence.default;
        missing = () => value;
        defaultDoc = options.defaultDoc ?? code(value);
    } else if (presence.required) {
        missing = (ctx) => report(ctx, `is required; set it with \`pulumi config set --path ${ctx.setPath} <value>\``);
        defaultDoc = options.defaultDoc ?? "required";
    }
    return {
        type,
        doc: options.doc,
        defaultDoc,
        missing: missing as (ctx: ParseContext) => Parsed<WithPresence<T, P>>,
        parse: ((raw: unknown, ctx: ParseContext) => (options.emptyIsUnset && raw === "" ? missing(ctx) : parse(raw, ctx))) as Field<
            WithPresence<T, P>
        >["parse"],
    };
}

interface StringOptions extends CommonOptions {
    /** Returns a reason when the value is not acceptable (the reason says what is allowed). */
    readonly check?: (value: string) => string | undefined;
    /** Accepts line breaks and tabs (an annotation may hold a snippet); other control characters never pass. */
    readonly multiline?: boolean;
    /** Turns an accepted value into its canonical form (e.g. `4096Mi` into `4096M`). */
    readonly normalize?: (value: string) => string;
}

/** A string, optionally checked and normalised. Numbers in the stack file are accepted as text. */
export function string<P extends Presence<string>>(options: StringOptions & P): Field<WithPresence<string, P>> {
    return scalar<string, P>("string", options, (raw, ctx) => {
        if (typeof raw === "number" || typeof raw === "bigint") raw = String(raw);
        if (typeof raw !== "string") return report(ctx, `got ${describeValue(raw)}; expected a string`);
        // Matching control characters is the point here.
        // eslint-disable-next-line no-control-regex
        const control = (options.multiline ? /[\x00-\x08\x0b-\x1f\x7f]/ : /[\x00-\x1f\x7f]/).exec(raw);
        if (control) {
            return report(
                ctx,
                `got ${describeValue(raw)}, with a control character (${JSON.stringify(control[0])}) at position ${control.index + 1}, ` +
                    "which would break the file or environment variable it goes into; remove it",
            );
        }
        const reason = options.check?.(raw);
        if (reason !== undefined) return report(ctx, `got ${describeValue(raw)}; ${reason}`);
        return options.normalize ? options.normalize(raw) : raw;
    });
}

/** One of a fixed set of strings. */
export function oneOf<const V extends string, P extends Presence<V>>(
    values: readonly V[],
    options: CommonOptions & P,
): Field<WithPresence<V, P>> {
    return scalar<V, P>(values.map((v) => `\`${v}\``).join(" | "), options, (raw, ctx) => {
        if (typeof raw === "string" && (values as readonly string[]).includes(raw)) return raw as V;
        const hint = typeof raw === "string" ? closestMatch(raw, values) : undefined;
        return report(
            ctx,
            `got ${describeValue(raw)}; allowed values are ${values.map((v) => `"${v}"`).join(", ")}` +
                (hint ? ` (did you mean "${hint}"?)` : ""),
        );
    });
}

interface IntegerOptions extends CommonOptions {
    readonly min?: number;
    readonly max?: number;
}

/** A whole number. Numeric strings (as `pulumi config set` may store them) are accepted. */
export function integer<P extends Presence<number>>(options: IntegerOptions & P): Field<WithPresence<number, P>> {
    const { min, max } = options;
    const range =
        min !== undefined && max !== undefined
            ? `an integer from ${min} to ${max}`
            : min !== undefined
              ? `an integer >= ${min}`
              : max !== undefined
                ? `an integer <= ${max}`
                : "an integer";
    return scalar<number, P>("integer", options, (raw, ctx) => {
        const n = typeof raw === "string" && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
        const inRange =
            typeof n === "number" && Number.isSafeInteger(n) && !(min !== undefined && n < min) && !(max !== undefined && n > max);
        return inRange ? (n as number) : report(ctx, `got ${describeValue(raw)}; expected ${range}`);
    });
}

/** `true` or `false` (the strings "true"/"false" are accepted too). */
export function boolean<P extends Presence<boolean>>(options: CommonOptions & P): Field<WithPresence<boolean, P>> {
    return scalar<boolean, P>("boolean", options, (raw, ctx) => {
        if (typeof raw === "boolean") return raw;
        if (raw === "true") return true;
        if (raw === "false") return false;
        return report(ctx, `got ${describeValue(raw)}; expected true or false`);
    });
}

/**
 * A key the seed chart had that this program recognises but refuses, with the reason (a feature
 * that is not built yet, or a setting that has no meaning here). Accepting it silently would be a
 * setting without effect; an empty value (the seed's `""` for "unset") sets nothing and passes.
 */
export function rejected(options: CommonOptions & { readonly reason: string }): Field<undefined> {
    return {
        type: "-",
        doc: options.doc,
        defaultDoc: options.defaultDoc ?? "-",
        rejected: options.reason,
        missing: () => undefined,
        parse: (raw, ctx) => (raw === "" ? undefined : report(ctx, `is not supported: ${options.reason}; remove it`)),
    };
}

/** The value type of a field. */
export type ValueOf<F> = F extends Field<infer T> ? T : never;
