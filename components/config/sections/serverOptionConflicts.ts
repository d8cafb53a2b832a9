/**
 * Problems of `matomo:mariadb.commands` that show only beside the other entries and the defaults:
 * one option set twice (MariaDB silently keeps the last, so the other setting has no effect), and
 * a collation of another character set than the server's (MariaDB does not start with it).
 */
import { mariadbOptionTable } from "./mariadbOptionTable";
import { readServerOption, type ReadOption } from "./readServerOption";

/** A problem of the entry at `index`. */
export interface EntryIssue {
    readonly index: number;
    readonly message: string;
}

/** The program's defaults, which the user's options replace (serverOptions.ts, ADDED_SERVER_OPTIONS). */
const DEFAULT_CHARSET = "utf8mb4";
const DEFAULT_COLLATION = "utf8mb4_general_ci";

/** The character set a collation belongs to (MariaDB 10.11 reads `utf8` as utf8mb3). */
function charsetOf(collation: string): string | undefined {
    const name = collation.toLowerCase().replace(/^utf8_/, "utf8mb3_");
    return Object.entries(mariadbOptionTable().characterSets).find(([, collations]) => collations.includes(name))?.[0];
}

function sameCharset(a: string, b: string): boolean {
    const canonical = (name: string) => (name.toLowerCase() === "utf8" ? "utf8mb3" : name.toLowerCase());
    return canonical(a) === canonical(b);
}

/** A collation of the character set to suggest: its general one, else its first. */
function collationFor(charset: string): string | undefined {
    const collations = mariadbOptionTable().characterSets[charset.toLowerCase() === "utf8" ? "utf8mb3" : charset.toLowerCase()] ?? [];
    return collations.find((c) => c.endsWith("_general_ci")) ?? collations[0];
}

function characterSetIssues(entries: readonly { index: number; read: ReadOption }[], commands: readonly string[]): EntryIssue[] {
    const last = (name: string) => entries.filter((e) => e.read.setting === name).at(-1);
    const [charsetEntry, collationEntry] = [last("character_set_server"), last("collation_server")];
    const charset = charsetEntry?.read.option.value ?? DEFAULT_CHARSET;
    const collation = collationEntry?.read.option.value ?? DEFAULT_COLLATION;
    const owner = charsetOf(collation);
    if (owner === undefined || sameCharset(owner, charset)) return [];
    const suggestion = collationFor(charset);
    if (collationEntry) {
        return [
            {
                index: collationEntry.index,
                message:
                    `got ${JSON.stringify(commands[collationEntry.index])}, a collation of ${owner}, but the character set is ${charset}` +
                    `${charsetEntry ? "" : " (the program's default)"}, and MariaDB does not start with a collation of another ` +
                    `character set: set --character_set_server=${owner} too, or use a collation of ${charset}` +
                    (suggestion ? ` such as ${suggestion}` : ""),
            },
        ];
    }
    return [
        {
            index: charsetEntry!.index,
            message:
                `got ${JSON.stringify(commands[charsetEntry!.index])}, but the collation stays ${collation} (the program's default), ` +
                `which is ${owner}'s, and MariaDB does not start with a collation of another character set: add ` +
                `--collation_server=${suggestion ?? "<a collation of it>"}`,
        },
    ];
}

/** The problems of entries that only show beside the others (each entry alone is already valid). */
export function serverOptionConflicts(commands: readonly string[]): EntryIssue[] {
    const entries = commands
        .map((text, index) => ({ index, read: readServerOption(text) }))
        .filter((e): e is { index: number; read: ReadOption } => typeof e.read !== "string");
    const issues: EntryIssue[] = [];
    const first = new Map<string, { index: number; read: ReadOption }>();
    for (const entry of entries) {
        const earlier = first.get(entry.read.setting);
        if (!earlier) {
            first.set(entry.read.setting, entry);
            continue;
        }
        const got = `got ${JSON.stringify(commands[entry.index])}`;
        issues.push({
            index: entry.index,
            message:
                earlier.read.meaning === entry.read.meaning
                    ? `${got}, which commands[${earlier.index}] (${JSON.stringify(commands[earlier.index])}) already sets: ` +
                      "the repetition has no effect; remove one"
                    : `${got}, but commands[${earlier.index}] sets --${entry.read.setting} to something else ` +
                      `(${JSON.stringify(commands[earlier.index])}); MariaDB would silently use the last one: keep the one you mean`,
        });
    }
    return [...issues, ...characterSetIssues(entries, commands)];
}
