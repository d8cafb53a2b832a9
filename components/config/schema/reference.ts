/**
 * The config reference, generated from the schema: one table of the scalar keys, one per
 * structured key with a row for every field (`[i]` for the entries of a list), and the list of
 * keys that are recognised but rejected, with the reason. docs/configuration.md embeds it (`npm run docs`), so
 * the documented keys, types and defaults are always the ones the program enforces.
 */
import type { Field } from "./fields";

interface Row {
    readonly path: string;
    readonly field: Field<unknown>;
}

/** Leaf fields under a top-level key, with their `--path` form. */
function leaves(path: string, field: Field<unknown>): Row[] {
    if (field.fields) return Object.entries(field.fields).flatMap(([name, f]) => leaves(`${path}.${name}`, f));
    if (field.element?.fields) return [{ path, field }, ...leaves(`${path}[i]`, field.element)];
    return [{ path, field }];
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function table(rows: readonly Row[]): string {
    return [
        "| Key | Type | Default | Meaning |",
        "| --- | --- | --- | --- |",
        ...rows.map((r) => `| \`${r.path}\` | ${cell(r.field.type)} | ${cell(r.field.defaultDoc ?? "")} | ${cell(r.field.doc)} |`),
    ].join("\n");
}

/** The Markdown reference of the keys of `schema` (namespace `matomo`), between `start` and `end` lines. */
export function renderConfigReference(schema: Readonly<Record<string, Field<unknown>>>, start: string, end: string): string {
    const scalar: Row[] = [];
    const structured = new Map<string, Row[]>();
    const rejected: Row[] = [];
    for (const [name, field] of Object.entries(schema)) {
        if (field.rejected) rejected.push({ path: name, field });
        else if (field.fields) {
            const rows = leaves(name, field);
            structured.set(
                name,
                rows.filter((r) => !r.field.rejected),
            );
            rejected.push(...rows.filter((r) => r.field.rejected));
        } else scalar.push({ path: name, field });
    }
    const parts = [start, "", "Scalar keys: `pulumi config set <key> <value>` (stack-file key `matomo:<key>`).", "", table(scalar)];
    for (const [name, rows] of structured) {
        parts.push(
            "",
            `### \`matomo:${name}\``,
            "",
            `${cell(schema[name].doc)} Set fields with \`pulumi config set --path ${rows[0].path} <value>\`` +
                " (secrets with `--secret`).",
            "",
            table(rows),
        );
    }
    parts.push(
        "",
        "### Recognised but rejected",
        "",
        "These seed keys fail validation with a message instead of being silently ignored:",
        "",
        ...rejected.map((r) => `- \`${r.path}\`: ${r.field.rejected}.`),
        "",
        end,
    );
    return parts.join("\n");
}
