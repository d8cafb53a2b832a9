/**
 * The MariaDB server's own list of options, as the table beside this file holds it
 * (mariadbOptions.generated.json, generated from `mariadbd --verbose --help` and
 * information_schema of the MariaDB 10.11 release the project pins, and checked against the real
 * server by test/mariadb-options.test.ts). Read on first use only: a stack without
 * `mariadb.commands` never loads it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** How an option reads its value (my_getopt's variable types, as the server reports them). */
export type OptionType =
    /** ON/OFF/TRUE/FALSE/1/0, or nothing for on. */
    | "boolean"
    /** A whole number with an optional K/M/G/T/P/E suffix; signed. */
    | "integer"
    /** The same, never negative. */
    | "unsigned"
    /** A decimal number (strtod), without suffix. */
    | "decimal"
    /** One of `values` (or its position in the list). */
    | "enum"
    /** A comma-separated list of `values`, `ALL`, or nothing. */
    | "set"
    /** A comma-separated list of `flag=on|off|default` of the flags in `values`, or `default`. */
    | "flagset"
    /** A character set, a collation or a locale the server knows. */
    | "charset"
    | "collation"
    | "locale"
    /** Free text. */
    | "string"
    /** An option that takes no value at all (e.g. --help). */
    | "flag";

export interface OptionSpec {
    readonly type: OptionType;
    /** Whether the option takes a value: `none`, `optional` (`--name[=value]`) or `required`. */
    readonly arg: "none" | "optional" | "required";
    /** Allowed values of an enum, set or flagset. */
    readonly values?: readonly string[];
    /** Range of a number, as decimal text (64-bit values exceed a JavaScript number). */
    readonly min?: string;
    readonly max?: string;
    /** A variable a session can change, whose session maximum `--maximum-<name>` sets. */
    readonly session?: boolean;
    /** A plugin's on/off switch (`--<plugin>=ON|OFF|FORCE|FORCE_PLUS_PERMANENT`). */
    readonly plugin?: boolean;
    /** The option this one is another name for ("Alias for ..." in the help). */
    readonly aliasOf?: string;
    /** The help's words when the server accepts the option and ignores it. */
    readonly noEffect?: string;
}

export interface MariadbOptionTable {
    readonly comment: string;
    /** The server release the table was read from, e.g. `10.11.19-MariaDB-0+deb12u1`. */
    readonly version: string;
    /** Every option, by lower-case name with underscores. */
    readonly options: Readonly<Record<string, OptionSpec>>;
    /** Collations by character set. */
    readonly characterSets: Readonly<Record<string, readonly string[]>>;
    readonly locales: readonly string[];
    /** The storage engines the server can use. */
    readonly engines: readonly string[];
    /**
     * Options the server accepts only to ignore them (removed ones, MySQL's), which its help does
     * not list, with the words of its warning.
     */
    readonly ignored: Readonly<Record<string, string>>;
}

export const TABLE_FILE = join(__dirname, "mariadbOptions.generated.json");

let loaded: MariadbOptionTable | undefined;

/** The table, read once. */
export function mariadbOptionTable(): MariadbOptionTable {
    loaded ??= JSON.parse(readFileSync(TABLE_FILE, "utf8")) as MariadbOptionTable;
    return loaded;
}

/** The release series the table describes, as messages name it (`MariaDB 10.11`). */
export function tableRelease(): string {
    return `MariaDB ${/^\d+\.\d+/.exec(mariadbOptionTable().version)?.[0] ?? mariadbOptionTable().version}`;
}
