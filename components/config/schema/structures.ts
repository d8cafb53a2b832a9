/**
 * The structured fields of the config DSL: objects (unknown keys are errors), lists, maps, the
 * seed's one-or-a-list form, and fields whose parsed value is converted (see fields.ts).
 */
import { closestMatch, describeValue } from "./text";
import { child, code, element, INVALID, report, type CommonOptions, type Field, type ParseContext, type Parsed } from "./fields";
import { missingValue, parseValue } from "./parseValue";

export type ObjectValue<F extends Record<string, Field<unknown>>> = { readonly [K in keyof F]: F[K] extends Field<infer T> ? T : never };

/**
 * A boolean field of an object that switches part of it off: while it is false, the fields it
 * governs have no effect, so a value written there is reported (a setting without effect is a bug).
 */
export interface Switch {
    /** The fields of the same object it governs; every other one when omitted. */
    readonly governs?: readonly string[];
    /** What the switch being off means, for the message, e.g. "no backup runs". */
    readonly off: string;
}

/**
 * A nested object. Unknown keys are errors (a typo must never be ignored). A missing object is
 * parsed as `{}`, so its fields fall back to their defaults or report that they are required.
 * `switches` names its boolean fields that leave others without effect while false.
 */
export function object<F extends Record<string, Field<unknown>>>(
    fields: F,
    options: CommonOptions & { readonly switches?: { readonly [K in keyof F]?: Switch } },
): Field<ObjectValue<F>> {
    const names = Object.keys(fields);
    const field: Field<ObjectValue<F>> = {
        type: "object",
        doc: options.doc,
        fields,
        structured: true,
        missing: (ctx) => field.parse({}, ctx),
        parse(raw, ctx) {
            if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
                return report(ctx, `got ${describeValue(raw)}; expected an object with keys ${names.join(", ")}`);
            }
            const out: Record<string, unknown> = {};
            let ok = true;
            for (const key of Object.keys(raw)) {
                if (!(key in fields) && !ctx.lenient) {
                    const hint = closestMatch(key, names);
                    report(
                        child(ctx, key),
                        "unknown key" + (hint ? ` (did you mean "${hint}"?)` : "") + `; known keys here are ${names.join(", ")}`,
                    );
                    ok = false;
                }
            }
            for (const name of names) {
                const sub = child(ctx, name);
                const value = (raw as Record<string, unknown>)[name];
                const f = fields[name];
                const parsed = value === undefined || value === null ? missingValue(f, sub) : parseValue(f, value, sub);
                if (parsed === INVALID) ok = false;
                else out[name] = parsed;
            }
            if (options.switches && !ctx.lenient) switchedOffIssues(raw as Record<string, unknown>, out, options.switches, ctx);
            return ok ? (out as ObjectValue<F>) : INVALID;
        },
    };
    return field;
}

/**
 * Reports every value written under a field that a switch, false, leaves without effect: each
 * written leaf by its own key, once, naming the first switch that governs it.
 */
function switchedOffIssues(
    raw: Readonly<Record<string, unknown>>,
    parsed: Readonly<Record<string, unknown>>,
    switches: Readonly<Record<string, Switch | undefined>>,
    ctx: ParseContext,
): void {
    const reported = new Set<string>();
    for (const [name, rule] of Object.entries(switches)) {
        if (rule === undefined || parsed[name] !== false) continue;
        const governed = rule.governs ?? Object.keys(parsed).filter((field) => field !== name && !(field in switches));
        for (const field of governed.filter((f) => !reported.has(f))) {
            reported.add(field);
            for (const leaf of writtenLeaves(raw[field], child(ctx, field))) {
                report(leaf, `has no effect while ${switchPath(ctx, name)} is false (${rule.off}); remove it, or set ${name} to true`);
            }
        }
    }
}

/** The full key path of a switch, as a message names it (`mariadb.backup.enabled`). */
function switchPath(ctx: ParseContext, name: string): string {
    return ctx.setPath ? `${ctx.setPath}.${name}` : name;
}

/**
 * The contexts of the values written at and under `value`: its leaves, or itself when it is no
 * object. What sets nothing is no value: `""` (the seed's "unset"), `{}`, `[]`.
 */
function writtenLeaves(value: unknown, ctx: ParseContext): ParseContext[] {
    if (value === undefined || value === null || value === "") return [];
    if (Array.isArray(value)) return value.length === 0 ? [] : [ctx];
    if (typeof value !== "object") return [ctx];
    return Object.entries(value).flatMap(([k, v]) => writtenLeaves(v, child(ctx, k)));
}

/** A list of values. */
export function list<T>(
    item: Field<T>,
    options: CommonOptions & { readonly default: readonly T[]; readonly maxItems?: number },
): Field<readonly T[]> {
    return {
        type: `list of ${item.type}`,
        doc: options.doc,
        defaultDoc: options.defaultDoc ?? (options.default.length ? code(options.default) : "`[]`"),
        element: item,
        structured: true,
        missing: () => options.default,
        parse(raw, ctx) {
            if (!Array.isArray(raw)) return report(ctx, `got ${describeValue(raw)}; expected a list`);
            if (options.maxItems !== undefined && raw.length > options.maxItems) {
                return report(ctx, `has ${raw.length} entries; at most ${options.maxItems} are allowed`);
            }
            const out: T[] = [];
            let ok = true;
            raw.forEach((value, i) => {
                const parsed = parseValue(item, value, element(ctx, i));
                if (parsed !== INVALID) out.push(parsed);
                else if (!ctx.lenient) ok = false;
            });
            return ok ? out : INVALID;
        },
    };
}

/** A map from string keys (checked by `checkKey`) to values. */
export function record<T>(
    value: Field<T>,
    options: CommonOptions & {
        readonly default: Readonly<Record<string, T>>;
        readonly checkKey?: (key: string) => string | undefined;
    },
): Field<Readonly<Record<string, T>>> {
    return {
        type: `map of ${value.type}`,
        doc: options.doc,
        defaultDoc: options.defaultDoc ?? code(options.default),
        entries: value,
        structured: true,
        missing: () => options.default,
        parse(raw, ctx) {
            if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
                return report(ctx, `got ${describeValue(raw)}; expected a map of keys to values`);
            }
            const out: Record<string, T> = {};
            let ok = true;
            for (const [k, v] of Object.entries(raw)) {
                const sub = child(ctx, k);
                const reason = options.checkKey?.(k);
                if (reason !== undefined) {
                    report(sub, `is not an allowed key: ${reason}`);
                    if (!ctx.lenient) ok = false;
                    continue;
                }
                const parsed = parseValue(value, v, sub);
                if (parsed !== INVALID) out[k] = parsed;
                else if (!ctx.lenient) ok = false;
            }
            return ok ? out : INVALID;
        },
    };
}

/**
 * A field whose parsed value is turned into another form, e.g. an image's repository and tag into
 * the reference a container runs. Documentation and parsing are the original field's.
 */
export function mapped<T, U>(field: Field<T>, convert: (value: T) => U): Field<U> {
    const wrap = (value: Parsed<T>): Parsed<U> => (value === INVALID ? INVALID : convert(value));
    const assumed = field.assumed;
    return {
        ...field,
        assumed: assumed && (() => convert(assumed())),
        parse: (raw, ctx) => wrap(parseValue(field, raw, ctx)),
        missing: (ctx) => wrap(missingValue(field, ctx)),
    };
}

/**
 * One value or a list of them: the seed chart's single `matomocronArchive` object, or the list EEA's
 * later chart uses. A missing key is one item with its defaults.
 */
export function oneOrMany<T>(item: Field<T>, options: CommonOptions): Field<readonly T[]> {
    const many = list(item, { doc: options.doc, default: [] });
    return {
        type: `${item.type} or list of ${item.type}`,
        doc: options.doc,
        defaultDoc: options.defaultDoc ?? "one with the defaults below",
        fields: item.fields,
        structured: true,
        missing(ctx) {
            const one = item.missing(ctx);
            return one === INVALID ? INVALID : [one];
        },
        parse(raw, ctx) {
            if (Array.isArray(raw)) return many.parse(raw, ctx);
            const one = item.parse(raw, ctx);
            return one === INVALID ? INVALID : [one];
        },
    };
}
