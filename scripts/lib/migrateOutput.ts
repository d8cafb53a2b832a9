/**
 * What `npm run migrate` prints: the stack file (stdout), with a comment at every key it changed and
 * what it turned off commented out at the end; and the report (stderr): the `pulumi config set
 * --secret` commands for the values file's credentials, then every change with its reason.
 *
 * The secrets go to stderr only. Stdout is redirected into `Pulumi.<stack>.yaml`, a file that is
 * committed: a credential written there, even as a comment, would be readable by anyone who can
 * read the repository, which is why the program refuses plain-text secrets in the first place.
 */
import { Document, isMap, isScalar, isSeq, stringify, type Node, type Pair, type YAMLMap } from "yaml";
import { CONFIG_NAMESPACE } from "../../components/config";
import type { Migration } from "./migrate";
import { isUnder, pathText, show, type Disabled, type Note, type Path, type SecretSetting } from "./migrateModel";

/** Width of the comment text in the stack file. */
const WIDTH = 110;

/** Words of `text` in lines of at most `width` characters (a longer word keeps its own line). */
export function wrap(text: string, width = WIDTH): string[] {
    const lines: string[] = [];
    let line = "";
    for (const word of text.split(/\s+/).filter(Boolean)) {
        if (line && line.length + 1 + word.length > width) {
            lines.push(line);
            line = word;
        } else line = line ? `${line} ${word}` : word;
    }
    return line ? [...lines, line] : lines;
}

/** A word as a POSIX shell reads it back unchanged. */
export function shellQuote(word: string): string {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command that stores a secret encrypted in the stack file. */
export function secretCommand(secret: SecretSetting, stack?: string): string {
    const flags = stack ? `--stack ${shellQuote(stack)} --secret --path` : "--secret --path";
    // A value starting with "-" would be read as a flag; "--" ends the flags.
    const dashes = secret.value.startsWith("-") ? " --" : "";
    return `pulumi config set ${flags}${dashes} ${shellQuote(pathText(secret.path))} ${shellQuote(secret.value)}`;
}

function noteLine(note: Note): string {
    return `${pathText(note.path)}: ${note.change}: ${note.reason}`;
}

/** A note as an indented item: its first line at `indent`, the rest two further in. */
function item(note: Note, indent: string): string[] {
    return wrap(noteLine(note), WIDTH - indent.length - 2).map((l, i) => (i ? `${indent}  ${l}` : `${indent}${l}`));
}

function keyOf(pair: Pair): unknown {
    return isScalar(pair.key) ? pair.key.value : pair.key;
}

/** The deepest key of the document on the way to `path` (a removed value's comment goes to its nearest remaining parent). */
function deepestPair(config: YAMLMap, path: Path): Pair | undefined {
    let pair = config.items.find((p) => keyOf(p) === `${CONFIG_NAMESPACE}:${String(path[0])}`);
    let node = pair?.value as Node | undefined;
    for (const part of path.slice(1)) {
        if (isSeq(node) && typeof part === "number") node = node.items[part] as Node | undefined;
        else if (isMap(node) && typeof part === "string") {
            const next = node.items.find((p) => keyOf(p) === part);
            if (!next) break;
            pair = next;
            node = next.value as Node | undefined;
        } else break;
    }
    return pair;
}

/** The section's YAML, commented out so that deleting "# " puts it back under config:. */
function commentedOut(disabled: Disabled): string[] {
    if (disabled.path.length !== 1 || disabled.value === undefined) return [];
    const text = stringify({ [`${CONFIG_NAMESPACE}:${String(disabled.path[0])}`]: disabled.value }, { version: "1.1", lineWidth: 0 });
    return text.trimEnd().split("\n");
}

function disabledBlock(disabled: Disabled, notes: readonly Note[], eeaDefaults: readonly Note[]): string[] {
    const inner = notes.filter((n) => isUnder(n.path, disabled.path));
    const eea = eeaDefaults.filter((n) => isUnder(n.path, disabled.path));
    const secrets = disabled.secrets.map((s) => pathText(s.path));
    return [
        "",
        ...wrap(`${pathText(disabled.path)}: ${disabled.reason}.`),
        ...(disabled.detail ? wrap(`The program: ${disabled.detail}`).map((l) => `  ${l}`) : []),
        ...(secrets.length ? wrap(`Its secrets from the values file are on stderr, to set when it is on: ${secrets.join(", ")}`) : []),
        ...(inner.length ? ["Changed in it:", ...inner.flatMap((n) => item(n, "  "))] : []),
        ...(eea.length ? ["The seed chart's EEA-specific defaults in it, to decide:", ...eea.flatMap((n) => item(n, "  "))] : []),
        ...(disabled.path.length > 1 && disabled.value !== undefined ? [`Its value was ${show(disabled.value)}.`] : []),
        ...commentedOut(disabled),
    ];
}

function noSecretsWhy(migration: Migration): string {
    return migration.disabled.some((d) => d.secrets.length > 0)
        ? "the values file's secrets belong to what is turned off, and are listed with it"
        : "the values file set none, and the program generates the passwords, the salt and the keys the stack needs";
}

/** The stack file: `config:` with `matomo:<section>` entries, every change commented at its key. */
export function stackFileText(migration: Migration, source: string, stack?: string): string {
    const config = Object.fromEntries(Object.entries(migration.config).map(([k, v]) => [`${CONFIG_NAMESPACE}:${k}`, v]));
    const doc = new Document({ config }, { version: "1.1" });
    const root = doc.get("config") as YAMLMap;
    const off = (note: Note) => migration.disabled.some((d) => isUnder(note.path, d.path));
    const comments = new Map<Pair, string[]>();
    const elsewhere: Note[] = [];
    const secret = (note: Note) => migration.secrets.some((s) => pathText(s.path) === pathText(note.path));
    for (const note of [...migration.notes, ...migration.eeaDefaults].filter((n) => !off(n))) {
        const pair = deepestPair(root, note.path);
        const lines = wrap(`migrate: ${noteLine(note)}`).map((l, i) => (i ? `  ${l}` : l));
        if (pair) comments.set(pair, [...(comments.get(pair) ?? []), ...lines]);
        // A secret whose section has nothing else in the file is named in the header, with the others.
        else if (!secret(note)) elsewhere.push(note);
    }
    for (const [pair, lines] of comments) {
        if (isScalar(pair.key)) pair.key.commentBefore = lines.map((l) => ` ${l}`).join("\n");
    }
    const secrets = migration.secrets.map((s) => pathText(s.path));
    const header = [
        ...wrap(`Stack configuration converted by \`npm run migrate\` from ${source}, a values file of the seed Helm chart.`),
        ...wrap(
            'Each change is commented at its key ("migrate: ..."); the command printed them on stderr too, with the program\'s reasons.',
        ),
        ...(secrets.length
            ? wrap(
                  "Secrets are not in this file (here they would be plain text, which the program refuses): set them encrypted " +
                      `with the \`pulumi config set --secret\` commands printed on stderr: ${secrets.join(", ")}.`,
              )
            : wrap(`No secret to set now: ${noSecretsWhy(migration)}.`)),
        ...(migration.eeaDefaults.length
            ? wrap(
                  "Kept as the values file has them, but they are the seed chart's defaults for EEA's own installation (each is " +
                      `flagged "the seed chart's default" at its key): decide each: ${migration.eeaDefaults.map((n) => pathText(n.path)).join(", ")}.`,
              )
            : []),
        `Check it offline: npm run --silent render -- --stack-file Pulumi.${stack ?? "<stack>"}.yaml`,
        ...(elsewhere.length
            ? ["", "Changed where nothing of the section is left in this file:", ...elsewhere.flatMap((n) => item(n, "  "))]
            : []),
    ];
    doc.commentBefore = header.map((l) => (l ? ` ${l}` : "")).join("\n");
    let text = doc.toString({ lineWidth: 0 });
    if (migration.disabled.length > 0) {
        const block = [
            "",
            "-".repeat(WIDTH),
            ...wrap(
                "Turned off by the migration: each part below cannot work as the values file has it. To turn one on, do what the program asks and uncomment its lines.",
            ),
            ...migration.disabled.flatMap((d) => disabledBlock(d, migration.notes, migration.eeaDefaults)),
        ];
        // Indented like the entries of config:, so that an uncommented section lands there.
        text += block.map((l) => (l ? `  # ${l}` : "")).join("\n") + "\n";
    }
    return text;
}

/** The report on stderr: the secret commands first (they are the next step), then every change. */
export function reportText(migration: Migration, source: string, stack?: string): string {
    const { secrets, notes, disabled, eeaDefaults } = migration;
    const lines = [
        `migrate: converted ${source}: ${notes.length} change${notes.length === 1 ? "" : "s"}, ${disabled.length} turned off, ` +
            `${secrets.length} secret${secrets.length === 1 ? "" : "s"} to set, ` +
            `${eeaDefaults.length} EEA-specific default${eeaDefaults.length === 1 ? "" : "s"} of the seed chart to decide.`,
        "",
    ];
    if (secrets.length > 0) {
        lines.push(
            "Secrets, kept out of the stack file (there they would be plain text, which the program refuses). With the stack file",
            `in place and the stack created (pulumi stack init ${stack ?? "<stack>"}), store them encrypted:`,
            ...secrets.map((s) => `  ${secretCommand(s, stack)}`),
            "",
        );
    } else lines.push(`No secret to set now: ${noSecretsWhy(migration)}.`, "");
    if (eeaDefaults.length > 0) {
        lines.push(
            "Kept as the values file has them, but they are the seed chart's defaults for EEA's own installation, not values you",
            "chose (unless this is EEA's installation): decide each (each is also flagged at its key in the stack file):",
            ...eeaDefaults.map((n) => `  - ${noteLine(n)}`),
            "",
        );
    }
    lines.push(notes.length ? "Changes (each is also commented at its key in the stack file):" : "Changes: none.");
    for (const note of notes) {
        lines.push(`  - ${noteLine(note)}`);
        if (note.detail) lines.push(`      the program: ${note.detail}`);
    }
    if (disabled.length > 0) {
        lines.push("", "Turned off (commented out at the end of the stack file; uncomment to turn on, after doing what the program asks):");
        for (const d of disabled) {
            lines.push(`  - ${pathText(d.path)}: ${d.reason}`);
            if (d.detail) lines.push(`      the program: ${d.detail}`);
            for (const s of d.secrets) lines.push(`      then: ${secretCommand(s, stack)}`);
        }
    }
    return lines.join("\n") + "\n";
}

/** What is left when the program still refuses the converted values: nothing is written. */
export function problemsText(migration: Migration, source: string): string {
    const n = migration.issues.length;
    return (
        `migrate: ${source} does not convert into a stack the program accepts: ${n} problem${n === 1 ? " is" : "s are"} left ` +
        `that the converter cannot decide for you. Fix ${n === 1 ? "it" : "them"} in the values file and run it again:\n` +
        migration.issues.map((i) => `  - ${i.key}: ${i.message}\n`).join("")
    );
}
