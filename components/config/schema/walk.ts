/**
 * Finding fields in a schema by where their values sit, for code that handles values outside the
 * parse (the conversion of a seed values file).
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
