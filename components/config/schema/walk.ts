/**
 * Finding fields in a schema by where their values sit: the field of a value at a path, for code
 * that handles values outside the parse (the stack file's encrypted values, the conversion of a
 * seed values file), and every field with its path, for checks over all of them.
 */
import type { Field } from "./fields";

/** Where a value sits inside a key: object keys and list indexes (`["servers", 0, "adminPassword"]`). */
export type Path = readonly (string | number)[];

/**
 * The field of the value at `path` in `fields` (the first step names the top-level key), or
 * undefined where the schema has none. A list index steps into the list's entries; the entries of
 * the one-or-a-list form have the item's fields; any key of a map steps into its values.
 */
export function fieldAt(fields: Readonly<Record<string, Field<unknown>>>, path: Path): Field<unknown> | undefined {
    const own = (of: Readonly<Record<string, Field<unknown>>> | undefined, name: string) =>
        of && Object.hasOwn(of, name) ? of[name] : undefined;
    let field = own(fields, String(path[0]));
    for (const step of path.slice(1)) {
        if (!field) return undefined;
        if (typeof step === "number") field = field.element ?? (field.fields ? field : undefined);
        else field = field.entries ?? own(field.fields, step);
    }
    return field;
}

/**
 * Every field under `fields` with the path of its value, parents before their fields: a list's
 * entries at index 0, a map's values under the key `"<key>"`.
 */
export function allFields(fields: Readonly<Record<string, Field<unknown>>>): { path: Path; field: Field<unknown> }[] {
    return Object.entries(fields).flatMap(([name, field]) => under(field, [name]));
}

function under(field: Field<unknown>, path: Path): { path: Path; field: Field<unknown> }[] {
    const here = { path, field };
    if (field.element) return [here, ...under(field.element, [...path, 0])];
    if (field.entries) return [here, ...under(field.entries, [...path, "<key>"])];
    if (field.fields) return [here, ...Object.entries(field.fields).flatMap(([name, f]) => under(f, [...path, name]))];
    return [here];
}
