/**
 * Parsing a value with its field, in either pass: the first, which reports every invalid value,
 * and the lenient one that looks for further problems (see `ParseContext.lenient`), in which each
 * invalid value is assumed corrected.
 */
import { INVALID, type Field, type ParseContext, type Parsed } from "./fields";

/**
 * Parses a value with its field. In the lenient pass an invalid value is assumed corrected rather
 * than removed (a removed credential would make its section look unconfigured): the field's
 * {@link Field.assumed} value, else its default, else the value as written when it has the field's
 * type (the rules that run on it expect that type).
 */
export function parseValue<T>(field: Field<T>, raw: unknown, ctx: ParseContext): Parsed<T> {
    const parsed = field.parse(raw, ctx);
    if (parsed !== INVALID || !ctx.lenient) return parsed;
    return assumeValid(field, ctx, raw);
}

/** A missing value: the field's default, or in the lenient pass a value assumed for a required one. */
export function missingValue<T>(field: Field<T>, ctx: ParseContext): Parsed<T> {
    const value = field.missing(ctx);
    return value !== INVALID || !ctx.lenient ? value : assumeValid(field, ctx, undefined);
}

function assumeValid<T>(field: Field<T>, ctx: ParseContext, raw: unknown): Parsed<T> {
    if (field.assumed) return field.assumed();
    const fallback = field.missing({ ...ctx, issues: [] });
    if (fallback !== INVALID) return fallback;
    return asWritten(field.type, raw) as Parsed<T>;
}

/** A raw value as a field of `type` holds it (a string field reads numbers as text), or INVALID. */
function asWritten(type: string, raw: unknown): unknown {
    if (type === "string") return typeof raw === "string" ? raw : typeof raw === "number" ? String(raw) : INVALID;
    if (type === "integer") return typeof raw === "number" && Number.isSafeInteger(raw) ? raw : INVALID;
    if (type === "boolean") return typeof raw === "boolean" ? raw : INVALID;
    return INVALID;
}
