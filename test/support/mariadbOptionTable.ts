/**
 * Builds the table of MariaDB server options the program checks `matomo:mariadb.commands` against
 * (components/config/sections/mariadbOptions.generated.json) from the real server: the option
 * names, the form of their argument and their descriptions from `mariadbd --verbose --help`, the
 * type, range and allowed values of each system variable from `information_schema.SYSTEM_VARIABLES`,
 * the character sets, collations, locales and storage engines the server knows, and the options it
 * accepts only to ignore them. test/mariadb-options.test.ts
 * compares the file with a fresh build and rewrites it with UPDATE_MARIADB_OPTIONS=1.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { format, resolveConfig } from "prettier";
import type { MariadbOptionTable, OptionSpec } from "../../components/config/sections/mariadbOptionTable";
import type { TestMariaDb } from "./mariadbServer";

/** An option as `mariadbd --verbose --help` lists it. */
export interface HelpOption {
    readonly name: string;
    readonly arg: OptionSpec["arg"];
    /** `#` for a number, `name` for text; undefined when the option takes no argument. */
    readonly placeholder?: "#" | "name";
    readonly description: string;
}

export interface ParsedHelp {
    /** The first line's version, e.g. `10.11.19-MariaDB-0+deb12u1`. */
    readonly version: string;
    readonly options: readonly HelpOption[];
    /** The closing "Variables" table: each option's value after reading the options. */
    readonly values: ReadonlyMap<string, string>;
}

/** Option names as the table keys them: MariaDB matches `-` and `_` alike, and case does not matter. */
export function tableName(name: string): string {
    return name.toLowerCase().replace(/-/g, "_");
}

const OPTION_LINE = /^ {2}(?:-\S, )?--([A-Za-z0-9_-]+)(\[?=(#|name)\]?)?(?: +(.*))?$/;

/** Reads the help text of `mariadbd --no-defaults --verbose --help`. */
export function parseHelp(text: string): ParsedHelp {
    const lines = text.split("\n");
    const version = /^mariadbd\s+Ver\s+(\S+)/.exec(lines[0])?.[1];
    if (!version) throw new Error(`not mariadbd's help: ${lines[0]}`);
    const options: { name: string; arg: OptionSpec["arg"]; placeholder?: "#" | "name"; text: string[] }[] = [];
    let i = lines.findIndex((line) => OPTION_LINE.test(line));
    for (; i < lines.length && !lines[i].startsWith("Variables (--variable-name=value)"); i++) {
        const match = OPTION_LINE.exec(lines[i]);
        if (match) {
            const [, name, argument, placeholder, first] = match;
            const arg = argument === undefined ? "none" : argument.startsWith("[") ? "optional" : "required";
            options.push({ name: tableName(name), arg, placeholder: placeholder as "#" | "name" | undefined, text: [first ?? ""] });
        } else if (lines[i].trim() !== "") {
            options.at(-1)?.text.push(lines[i].trim());
        }
    }
    const values = new Map<string, string>();
    for (i += 3; i < lines.length && lines[i].trim() !== ""; i++) {
        const [, name, value] = /^(\S+)\s*(.*)$/.exec(lines[i]) ?? [];
        if (name) values.set(tableName(name), value.trim());
    }
    return {
        version,
        options: options.map(({ text, ...o }) => ({ ...o, description: text.join(" ").replace(/\s+/g, " ").trim() })),
        values,
    };
}

/** A row of information_schema.SYSTEM_VARIABLES, in the columns {@link SYSTEM_VARIABLES_QUERY} selects. */
export type VariableRow = readonly string[];

export const SYSTEM_VARIABLES_QUERY =
    "SELECT LOWER(VARIABLE_NAME), VARIABLE_TYPE, NUMERIC_MIN_VALUE, NUMERIC_MAX_VALUE, ENUM_VALUE_LIST, VARIABLE_SCOPE, COMMAND_LINE_ARGUMENT " +
    "FROM information_schema.SYSTEM_VARIABLES";

const NUMERIC: Readonly<Record<string, OptionSpec["type"]>> = {
    INT: "integer",
    BIGINT: "integer",
    "INT UNSIGNED": "unsigned",
    "BIGINT UNSIGNED": "unsigned",
    DOUBLE: "decimal",
};

const ARGUMENTS: Readonly<Record<string, OptionSpec["arg"]>> = { REQUIRED: "required", OPTIONAL: "optional", NONE: "none" };

/** The value names a help text lists after "One of:" or "Any combination of:". */
function listedValues(description: string, lead: string): string[] | undefined {
    const at = description.indexOf(lead);
    if (at < 0) return undefined;
    const values: string[] = [];
    const list = description.slice(at + lead.length).replace(" Use 'ALL' to set all combinations.", "");
    for (const token of list.split(",")) {
        const value = /^\s*([A-Za-z0-9_.-]+)\s*$/.exec(token.replace(/\s*\(.*$/, "").replace(/\.$/, ""))?.[1];
        if (!value) break;
        values.push(value);
    }
    return values.length > 0 ? values : undefined;
}

/** The type of an option that is no system variable, as its help shows it. */
function typeFromHelp(option: HelpOption, shownValue: string | undefined): Omit<OptionSpec, "arg"> {
    if (/^Enable or disable \S+ plugin\./.test(option.description)) {
        // The plugin switches: their values are global_plugin_typelib_names, OFF first (index 0).
        return { type: "enum", values: ["OFF", "ON", "FORCE", "FORCE_PLUS_PERMANENT"], plugin: true };
    }
    if (option.placeholder === undefined) return { type: shownValue === "TRUE" || shownValue === "FALSE" ? "boolean" : "flag" };
    if (option.placeholder === "#") return { type: "integer" };
    const oneOf = listedValues(option.description, "One of:");
    if (oneOf) return { type: "enum", values: oneOf };
    const anyOf = listedValues(option.description, "Any combination of:");
    return anyOf ? { type: "set", values: anyOf } : { type: "string" };
}

/** Whether the help's form of the option fits the variable's type (`--log-bin[=name]` sets a file name, not ON/OFF). */
function sameShape(row: VariableRow, option: HelpOption): boolean {
    const numeric = NUMERIC[row[1]] !== undefined;
    if (option.placeholder === undefined) return row[1] === "BOOLEAN";
    return option.placeholder === "#" ? numeric : !numeric && row[1] !== "BOOLEAN";
}

/** The type of a system variable. */
function typeFromVariable(row: VariableRow, option: HelpOption): Omit<OptionSpec, "arg"> {
    const [name, type, min, max, values, scope] = row;
    const session = scope.includes("SESSION") ? { session: true } : {};
    if (type === "BOOLEAN") return { type: "boolean", ...session };
    if (NUMERIC[type]) return { type: NUMERIC[type], min, max, ...session };
    if (type === "ENUM" && values === "NULL") {
        const domain = name.startsWith("character_set_") ? "charset" : name.startsWith("collation_") ? "collation" : "locale";
        return { type: domain, ...session };
    }
    if (type === "ENUM") return { type: "enum", values: values.split(","), ...session };
    if (type === "SET") return { type: "set", values: values.split(","), ...session };
    if (type === "FLAGSET") return { type: "flagset", values: values.split(",").filter((v) => v !== "default"), ...session };
    if (type === "VARCHAR") return { type: "string", ...session };
    throw new Error(`${option.name}: unknown variable type ${type}`);
}

/** What the help text says when an option has no effect (MariaDB accepts it and ignores it). */
function noEffect(description: string): string | undefined {
    return /Deprecated parameter with no effect|^Unused\b[^.]*|\(ignored\)|\(deprecated, has no effect\)/.exec(description)?.[0];
}

/** What the server knows beside its options: the values of its character set, locale and engine options. */
export interface ServerNames {
    /** Character set and collation pairs. */
    readonly collations: readonly (readonly [string, string])[];
    readonly locales: readonly string[];
    /** The storage engines it can use. */
    readonly engines: readonly string[];
    /** Options it accepts only to ignore them, with its words (see {@link ignoredOptions}). */
    readonly ignored: Readonly<Record<string, string>>;
}

/** The table of every option of the server: the help's options, typed by the server's variables. */
export function buildTable(help: ParsedHelp, variables: readonly VariableRow[], names: ServerNames): MariadbOptionTable {
    const rows = new Map(variables.map((row) => [row[0], row]));
    const options: Record<string, OptionSpec> = {};
    for (const option of [...help.options].sort((a, b) => a.name.localeCompare(b.name))) {
        const row = rows.get(option.name);
        const typed = row && sameShape(row, option) ? typeFromVariable(row, option) : typeFromHelp(option, help.values.get(option.name));
        const alias = /^(?:Alias for |Deprecated; use --)([\w-]+)/.exec(option.description)?.[1];
        const ignored = noEffect(option.description);
        const { type, ...rest } = typed;
        // The server's own record of the argument: some plugin booleans need one (--innodb-buffer-pool-dump-now=ON),
        // although the help shows none.
        const registered = row && sameShape(row, option) ? ARGUMENTS[row[6]] : undefined;
        options[option.name] = {
            type,
            arg: registered ?? option.arg,
            ...rest,
            ...(alias ? { aliasOf: tableName(alias) } : {}),
            ...(ignored ? { noEffect: ignored } : {}),
        };
    }
    const characterSets: Record<string, string[]> = {};
    for (const [charset, collation] of [...names.collations].sort((a, b) => a[1].localeCompare(b[1]))) {
        (characterSets[charset] ??= []).push(collation);
    }
    const sortedSets = Object.fromEntries(Object.entries(characterSets).sort(([a], [b]) => a.localeCompare(b)));
    return {
        comment:
            "Generated by test/mariadb-options.test.ts from `mariadbd --no-defaults --verbose --help` and information_schema of " +
            `MariaDB ${help.version} (Debian's mariadb-server); do not edit: regenerate with ` +
            "UPDATE_MARIADB_OPTIONS=1 npx mocha --no-config -n require=tsx/cjs --extension ts test/mariadb-options.test.ts",
        version: help.version,
        options,
        characterSets: sortedSets,
        locales: [...names.locales].sort(),
        engines: [...names.engines].sort(),
        ignored: Object.fromEntries(Object.entries(names.ignored).sort(([a], [b]) => a.localeCompare(b))),
    };
}

/** The help text of the installed mariadbd, read without any option file. */
export function installedHelp(): string {
    const run = spawnSync("mariadbd", ["--no-defaults", "--verbose", "--help"], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`mariadbd --verbose --help failed:\n${run.stderr}`);
    return run.stdout;
}

const IGNORED = /'([^']+)' (was removed\. It does nothing now|is MySQL 5\.6 \/ 5\.7 compatible option\. [^.\n]+)/g;

/**
 * The options the installed server accepts only to ignore them, which its help does not list
 * (`innodb_buffer_pool_instances`, for one: "'innodb-buffer-pool-instances' was removed. It does
 * nothing now and exists only for compatibility with old my.cnf files"). Every option-like string
 * of its binary that is no known option is given to it once with `--loose-` (an unknown one is
 * skipped with a warning) and without abbreviations; its warnings name the ignored ones.
 */
export function ignoredOptions(known: readonly string[]): Record<string, string> {
    const binary = spawnSync("sh", ["-c", "command -v mariadbd"], { encoding: "utf8" }).stdout.trim();
    const strings = readFileSync(binary)
        .toString("latin1")
        .matchAll(/(?<=\0)[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+(?=\0)/g);
    const candidates = [...new Set([...strings].map((m) => m[0]))].filter(
        (name) => !known.includes(tableName(name)) && !/^(?:skip|disable|enable|loose|maximum|autoset)[-_]/.test(name),
    );
    const run = spawnSync(
        "mariadbd",
        ["--no-defaults", "--skip-getopt-prefix-matching", ...candidates.map((name) => `--loose-${name}=1`), "--verbose", "--help"],
        { encoding: "utf8", maxBuffer: 1 << 26 },
    );
    if (run.status !== 0) throw new Error(`mariadbd did not take the candidate options:\n${run.stderr}`);
    return Object.fromEntries([...run.stderr.matchAll(IGNORED)].map(([, name, words]) => [tableName(name), `${words}.`]));
}

/** The table of the installed server, read from its help and from `server` (a running one). */
export function installedTable(server: TestMariaDb): MariadbOptionTable {
    server.query("INSTALL SONAME 'locales'");
    const collations = server
        .query("SELECT CHARACTER_SET_NAME, FULL_COLLATION_NAME FROM information_schema.COLLATION_CHARACTER_SET_APPLICABILITY")
        .map(([charset, collation]) => [charset, collation] as const);
    const locales = server.query("SELECT NAME FROM information_schema.LOCALES").map(([name]) => name);
    const engines = server.query("SELECT ENGINE FROM information_schema.ENGINES WHERE SUPPORT IN ('YES', 'DEFAULT')").map(([name]) => name);
    const help = parseHelp(installedHelp());
    const ignored = ignoredOptions(help.options.map((o) => o.name));
    return buildTable(help, server.query(SYSTEM_VARIABLES_QUERY), { collations, locales, engines, ignored });
}

/** The table as the file holds it: JSON in the repository's Prettier style. */
export async function tableText(table: MariadbOptionTable, file: string): Promise<string> {
    return format(JSON.stringify(table), { ...(await resolveConfig(file)), filepath: file });
}
