/**
 * Converts a values.yaml of the seed Helm chart into a stack file of this program, and explains
 * every change. No cluster, cloud account or Pulumi CLI is involved.
 *
 *   npm run --silent migrate -- values.yaml > Pulumi.analytics.yaml
 *   npm run --silent migrate -- --stack analytics values.yaml > Pulumi.analytics.yaml   # commands name the stack
 *   npm run --silent migrate -- --help
 *
 * The stack file goes to stdout; the report goes to stderr: the `pulumi config set --secret`
 * commands for the credentials the values file set (never written into the stack file), and what
 * was dropped, changed or turned off, and why. A values file the program would still refuse after
 * the conversion prints the problems on stderr, nothing on stdout, and exits with 1, as invalid
 * YAML does; a wrong invocation, or a file that is not there, says what was wrong and exits with 2.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { runAsCommand } from "./lib/command";
import { isStackFile, migrate } from "./lib/migrate";
import { isObject } from "./lib/migrateModel";
import { problemsText, reportText, stackFileText } from "./lib/migrateOutput";

export const USAGE = "usage: npm run --silent migrate -- [--stack NAME] VALUES_FILE > Pulumi.NAME.yaml";

/** `--help`: what the command does, its arguments, its rules and what it prints. */
export function helpText(): string {
    return `migrate: convert a values.yaml of the seed Helm chart into a stack file of this program

${USAGE}

  VALUES_FILE    the chart's values: top-level keys timezone, matomo, mariadb, ingress, ...
  --stack NAME   the stack the file is for; the printed pulumi config set commands name it
  -h, --help     this help

The stack file goes to stdout; the report goes to stderr. Use npm run --silent: without it, npm
prints its own banner on stdout, into the file.

What it does, by the program's own schema and validation (docs/seed-parameters.md maps each key):
  - keys the program does not know, and keys it rejects, are dropped with the reason;
  - "REPLACEME", and "" where the key reads it as unset, are dropped: the program generates the
    value or leaves it unset;
  - passwords, the salt, keys and tokens set to real values are taken out of the stack file: the
    report prints the pulumi config set --secret command for each (the program refuses
    plain-text secrets, and the stack file is committed);
  - what the program's validation still refuses is fixed as its message says, where the fix is
    certain: ingress timeouts "180s" become "180", a web PHP_MEMORY_LIMIT that fits fewer than two
    workers becomes the default, a container limit below its PHP limit is raised, an oversized
    InnoDB buffer pool is left to the program, the EEA/Bitnami image becomes the official one,
    rsync commands that skip host-key checks become structured sources;
  - a part that cannot work as configured (GeoIP without MaxMind credentials, a mail relay without
    its password, log import without sources, the LDAP sync without LDAP) is commented out at the
    end of the stack file, with what the program needs to turn it on;
  - a value that is the chart's default for EEA's own installation (its host name, mail relay,
    certificate issuer, the nightly raw-data deletion of its site 22, ...) is kept, and flagged at
    its key and in the report: it is yours to decide (scripts/lib/migrateChartDefaults.ts lists them).
Each change is commented at its key in the stack file. "4096Mi"-style PHP sizes stay: the program
reads them as 4096M.

Exit codes: 0 converted; 1 the file is not YAML, or problems are left that only you can decide
(listed on stderr, nothing on stdout); 2 a wrong invocation, or no such file.
`;
}

type Args = { kind: "migrate"; file: string; stack?: string } | { kind: "help" } | { kind: "wrong"; message: string };

function parseMigrateArgs(argv: readonly string[]): Args {
    let parsed;
    try {
        parsed = parseArgs({
            args: [...argv],
            options: { stack: { type: "string" }, help: { type: "boolean", short: "h" } },
            allowPositionals: true,
        });
    } catch (e) {
        return { kind: "wrong", message: (e as Error).message };
    }
    const { values, positionals } = parsed;
    if (values.help) return { kind: "help" };
    if (positionals.length === 0) return { kind: "wrong", message: "no values file given" };
    if (positionals.length > 1) {
        return { kind: "wrong", message: `one values file at a time, got ${positionals.length}: ${positionals.join(", ")}` };
    }
    if (values.stack !== undefined && !/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/.test(values.stack)) {
        return { kind: "wrong", message: `--stack ${JSON.stringify(values.stack)} is not a stack name (letters, digits, _ . -)` };
    }
    return { kind: "migrate", file: positionals[0], stack: values.stack };
}

/** Runs the command; returns its exit code. */
export function main(argv: string[], out: (text: string) => void, err: (text: string) => void): number {
    const args = parseMigrateArgs(argv);
    if (args.kind === "help") {
        out(helpText());
        return 0;
    }
    if (args.kind === "wrong") {
        err(`migrate: ${args.message}\n${USAGE}\n(npm run --silent migrate -- --help explains it)\n`);
        return 2;
    }
    const { file, stack } = args;
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a directory, not a values file" : (e as Error).message;
        err(`migrate: ${file}: ${why}\n${USAGE}\n`);
        return 2;
    }
    let values: unknown;
    try {
        // Merge keys (<<: *anchor) resolved, as Helm's YAML reader resolves them.
        values = parse(text, { merge: true }) ?? {};
    } catch (e) {
        err(`migrate: ${file}: not valid YAML: ${(e as Error).message.trimEnd()}\n`);
        return 1;
    }
    if (isObject(values) && Object.keys(values).length === 0) {
        err(`migrate: ${file}: no values in it to convert\n`);
        return 1;
    }
    if (!isObject(values)) {
        err(`migrate: ${file}: expected a YAML mapping of the seed chart's keys (timezone, matomo, mariadb, ...)\n`);
        return 1;
    }
    if (isStackFile(values)) {
        err(
            `migrate: ${file}: a Pulumi stack file already (config: with namespaced keys), not a values file; check it with npm run render\n`,
        );
        return 1;
    }
    const migration = migrate(values, stack);
    if (migration.issues.length > 0) {
        err(problemsText(migration, file));
        return 1;
    }
    out(stackFileText(migration, file, stack));
    err(reportText(migration, file, stack));
    return 0;
}

if (require.main === module) runAsCommand("migrate", main);
