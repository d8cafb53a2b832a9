/**
 * The converter's first pass, read off the program's schema (components/config/keys.ts): every
 * value of the values file is looked up by its path, and
 *
 * - a key the schema does not know is dropped (with the closest known key, if one is close);
 * - a key the schema rejects is dropped with the schema's reason;
 * - a secret field's real value is taken out of the config, to be set with `--secret`;
 * - the seed's placeholder `REPLACEME`, and `""` where the field reads it as unset, are dropped:
 *   the field's default (generated, unset, ...) applies, as its documentation says;
 * - everything else is kept as it is, for the program's validation to judge.
 */
import { CONFIG_NAMESPACE } from "../../components/config";
import { schema } from "../../components/config/keys";
import { INVALID, type Field, type ParseContext } from "../../components/config/schema/fields";
import { PLACEHOLDER } from "../../components/config/schema/secretField";
import { closestMatch } from "../../components/config/schema/text";
import { fieldAt } from "../../components/config/schema/walk";
import { isObject, pathText, show, type MigrationState, type Note, type Path } from "./migrateModel";

const FIELDS = schema as unknown as Readonly<Record<string, Field<unknown>>>;

/** Marks a value the pass leaves out. */
const DROP = Symbol("drop");

function isSecretField(field: Field<unknown>): boolean {
    return field.type === "string (secret)";
}

function context(path: Path): ParseContext {
    return { key: `${CONFIG_NAMESPACE}:${pathText(path)}`, setPath: pathText(path), secretKey: false, issues: [] };
}

/** The program's default at a path (undefined when it has none). */
export function defaultAt(path: Path): unknown {
    const field = fieldAt(FIELDS, path);
    const ctx = context(path);
    const value = field?.missing(ctx);
    return value === INVALID || ctx.issues.length > 0 ? undefined : value;
}

/** Whether the field may be left out (it has a default, or is optional). */
function mayBeLeftOut(field: Field<unknown>, path: Path): boolean {
    const ctx = context(path);
    return field.missing(ctx) !== INVALID && ctx.issues.length === 0;
}

/** What applies without the value, in the field's documented words. */
function withoutIt(field: Field<unknown>): string {
    return field.defaultDoc === '`""`' ? "the default is empty too" : `default here: ${field.defaultDoc ?? "unset"}`;
}

/** Whether the field reads `""` as the value it has when unset. */
function emptyIsUnset(field: Field<unknown>, path: Path): boolean {
    const ctx = context(path);
    const parsed = field.parse("", ctx);
    const unset = field.missing(context(path));
    return ctx.issues.length === 0 && parsed !== INVALID && JSON.stringify(parsed) === JSON.stringify(unset);
}

type Pass = Pick<MigrationState, "notes" | "secrets">;

function drop(pass: Pass, note: Note): typeof DROP {
    pass.notes.push(note);
    return DROP;
}

/** The keys of an object value, each converted by its field; unknown keys dropped. */
function convertObject(fields: Readonly<Record<string, Field<unknown>>>, raw: Record<string, unknown>, path: Path, pass: Pass): unknown {
    const out: Record<string, unknown> = {};
    const names = Object.keys(fields).filter((name) => fields[name].rejected === undefined);
    for (const [key, value] of Object.entries(raw)) {
        const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
        const converted = field ? convert(field, value, [...path, key], pass) : unknown(key, names, [...path, key], pass);
        if (converted !== DROP) out[key] = converted;
    }
    return Object.keys(out).length === 0 && Object.keys(raw).length > 0 ? DROP : out;
}

function unknown(key: string, names: readonly string[], path: Path, pass: Pass): typeof DROP {
    const hint = closestMatch(key, names);
    return drop(pass, {
        path,
        change: "dropped",
        reason:
            "not a key of this program" +
            (hint ? ` (did you mean "${pathText([...path.slice(0, -1), hint])}"?)` : "") +
            "; docs/seed-parameters.md maps every key of the seed chart",
    });
}

function convert(field: Field<unknown>, raw: unknown, path: Path, pass: Pass): unknown {
    if (raw === null || raw === undefined) return drop(pass, { path, change: "dropped null", reason: `no value; ${withoutIt(field)}` });
    if (field.rejected !== undefined) {
        return drop(pass, { path, change: `dropped ${show(raw)}`, reason: `not supported here: ${field.rejected}` });
    }
    if (isSecretField(field)) return convertSecret(field, raw, path, pass);
    if (field.fields && isObject(raw)) return convertObject(field.fields, raw, path, pass);
    if (field.fields && Array.isArray(raw)) {
        // The one-or-a-list form (matomocronArchive): each entry has the item's fields; an emptied
        // entry stays, as an entry with the defaults.
        const fields = field.fields;
        return raw.map((item, i) => {
            const converted = isObject(item) ? convertObject(fields, item, [...path, i], pass) : item;
            return converted === DROP ? {} : converted;
        });
    }
    if (field.element && Array.isArray(raw)) {
        const element = field.element;
        return raw.map((item, i) => convert(element, item, [...path, i], pass)).filter((item) => item !== DROP);
    }
    if (typeof raw === "string" && raw.trim() === PLACEHOLDER && mayBeLeftOut(field, path)) {
        return drop(pass, {
            path,
            change: `dropped "${PLACEHOLDER}"`,
            reason: `the seed chart's placeholder, not a value; ${withoutIt(field)}`,
        });
    }
    if (raw === "" && emptyIsUnset(field, path)) {
        return drop(pass, { path, change: 'dropped ""', reason: `empty, which reads as unset here too; ${withoutIt(field)}` });
    }
    return raw;
}

/** A credential: the placeholder and `""` are no value; a real one leaves the file for `--secret`. */
function convertSecret(field: Field<unknown>, raw: unknown, path: Path, pass: Pass): unknown {
    if (raw === "" || raw === PLACEHOLDER) {
        const what =
            raw !== ""
                ? "the seed chart's placeholder, not a value"
                : emptyIsUnset(field, path)
                  ? "empty, which reads as unset here too"
                  : "empty, which is no credential";
        return drop(pass, { path, change: `dropped ${show(raw)}`, reason: `${what}; ${withoutIt(field)}` });
    }
    if (typeof raw !== "string" && typeof raw !== "number") return raw;
    pass.secrets.push({ path, value: String(raw) });
    return drop(pass, {
        path,
        change: "taken out of the stack file",
        reason: "a secret: set it encrypted with the `pulumi config set --secret` command printed on stderr (the program refuses plain-text secrets)",
    });
}

/** The first pass over a values file (its top-level keys are the sections). */
export function convertValues(values: Record<string, unknown>): MigrationState {
    const state: MigrationState = { config: {}, notes: [], secrets: [], disabled: [] };
    const names = Object.keys(FIELDS).filter((name) => FIELDS[name].rejected === undefined);
    for (const [name, raw] of Object.entries(values)) {
        const field = Object.hasOwn(FIELDS, name) ? FIELDS[name] : undefined;
        const converted = field ? convert(field, raw, [name], state) : unknown(name, names, [name], state);
        if (converted !== DROP) state.config[name] = converted;
    }
    return state;
}
