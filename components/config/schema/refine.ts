/**
 * Field combinators for structures the config takes from Kubernetes as they are: rules across
 * their fields, objects that stay unset unless written, and one-row documentation.
 */
import { INVALID, child, report, type Field, type ParseContext } from "./fields";

/** A rule across the fields of a parsed value: each problem with the field it is about. */
export type Rule<T> = (value: T) => readonly (readonly [field: string, message: string])[];

/** `field` with `rule` checked on every value it parses. */
export function ruled<T>(field: Field<T>, rule: Rule<NonNullable<T>>): Field<T> {
    return {
        ...field,
        parse(raw, ctx: ParseContext) {
            const value = field.parse(raw, ctx);
            if (value === INVALID || value === undefined || value === null) return value;
            const problems = rule(value as NonNullable<T>);
            for (const [name, message] of problems) report(child(ctx, name), message);
            return problems.length > 0 && !ctx.lenient ? INVALID : value;
        },
    };
}

/** An object that is absent (undefined) unless written, rather than parsed as `{}`. */
export function optional<T>(field: Field<T>): Field<T | undefined> {
    return { ...field, missing: () => undefined };
}

/** A field shown as one row of the config reference: its structure is Kubernetes', documented there. */
export function asOneRow<T>(field: Field<T>, type: string): Field<T> {
    return { ...field, type, defaultDoc: "unset", fields: undefined, element: undefined };
}

/** Drops the fields a value leaves unset or empty (`""`), for structures where empty means unset. */
export function withoutEmpty<T extends object>(value: T): T {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== "")) as T;
}

/**
 * A value without the lists it leaves empty, at every depth: in the Kubernetes scheduling
 * structures an empty list means what an absent one does, and the rendered pod spec stays as the
 * user wrote it. Maps stay, empty ones too (an empty namespace selector selects every namespace).
 */
export function withoutEmptyLists<T>(value: T): T {
    if (Array.isArray(value)) return value.map(withoutEmptyLists) as T;
    if (typeof value !== "object" || value === null) return value;
    const kept = Object.entries(value).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0));
    return Object.fromEntries(kept.map(([k, v]) => [k, withoutEmptyLists(v)])) as T;
}
