/**
 * `no-credentials-in-configmaps`: no ConfigMap holds a credential.
 *
 * A ConfigMap is not encrypted at rest, is shown whole by `pulumi preview --diff` and by
 * `kubectl describe`, and may be read by roles that may not read Secrets. This program renders
 * several files into ConfigMaps (scripts, php.ini, the web server's and MariaDB's configuration),
 * and config.ini.php, which holds the database password and the salt, into a Secret: a refactor
 * that moved config.ini.php, or an option with a password, into one of the ConfigMaps would
 * publish them. The rule looks at each entry of `data` and `binaryData`:
 *
 * - an entry whose key is a credential's name (an env-style ConfigMap: `DB_PASSWORD: x`);
 * - a PEM private key anywhere;
 * - a line of a file that assigns a literal to a credential's name: INI and conf (`password = "x"`,
 *   config.ini.php, my.cnf), env and shell (`MYSQL_PWD=x`, `export TOKEN=x`), YAML and JSON
 *   (`password: x`, `"apiKey": "x"`, block scalars included) and PHP (`'password' => 'x'`,
 *   `$password = 'x'`).
 *
 * What counts as a credential's name, and which literals are harmless (empty, a switch, an absolute
 * path), is explained in credentials.ts. A value that is an expression is no literal: a variable
 * (`$password`, `${VAR}`, `$(cat "$PASSWORD_FILE")`), a template (`{{ .token }}`, `%(pw)s`), or a
 * function call (`file_get_contents(getenv('MATOMO_DB_PASSWORD_FILE'))`). Comment lines are skipped.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { known, record, text, validateTypes, violation } from "./common";
import { holdsPrivateKey, isCredentialName, isHarmlessValue, redacted } from "./credentials";

const COMMENT = /^\s*(#|;|\/\/|\/\*|\*|--|<!--)/;

/** `key = value`, `key: value`, `'key' => value`, `export KEY=value`, `$key = value`. */
const ASSIGNMENT =
    /^(\s*)(?:(?:export|local|readonly|declare(?:\s+-\w+)?)\s+)?\$?(["']?)([A-Za-z_][A-Za-z0-9_.-]*)\2\s*(?:=>|:=|=(?!=)|:(?=\s|$))\s*(.*)$/;

/** A value (quoted or not) that refers to another: a variable or a template placeholder. */
const REFERENCE = /^(\$|%[({]|\{\{|<%)/;

/** An unquoted value that is computed, not written: a reference, a command, a function call. */
const EXPRESSION = /^(\$|%[({]|\{\{|<%|`|\(|[A-Za-z_][\w\\:>-]*\s*\()/;

/** YAML values that mean "no value". */
const NULLS = new Set(["null", "Null", "NULL", "~", "None", "nil"]);

/** The literal text of an assigned value; undefined when the value is an expression. */
export function literalOf(raw: string): string | undefined {
    const value = raw.trim().replace(/[;,]$/, "").trim();
    const quoted = /^(["'])((?:\\.|(?!\1).)*)\1/.exec(value);
    if (quoted) return REFERENCE.test(quoted[2]) ? undefined : quoted[2];
    const bare = value.replace(/\s+[#;].*$/, "");
    if (EXPRESSION.test(bare)) return undefined;
    return NULLS.has(bare) ? "" : bare;
}

/** The lines of a file that assign a literal credential: `line N (key)` and the literal. */
function credentialAssignments(file: string): { line: number; key: string; literal: string }[] {
    const lines = file.split(/\r?\n/);
    const found: { line: number; key: string; literal: string }[] = [];
    lines.forEach((line, i) => {
        if (COMMENT.test(line)) return;
        const match = ASSIGNMENT.exec(line);
        if (!match || !isCredentialName(match[3])) return;
        let literal = literalOf(match[4]);
        if (literal !== undefined && /^[|>][-+0-9]*$/.test(literal)) {
            // A YAML block scalar: its value is the following, more indented lines.
            const indent = match[1].length;
            const block = [];
            for (const next of lines.slice(i + 1)) {
                if (next.trim() !== "" && next.length - next.trimStart().length <= indent) break;
                block.push(next.trim());
            }
            literal = block.join("\n").trim();
        }
        if (literal !== undefined && !isHarmlessValue(literal)) found.push({ line: i + 1, key: match[3], literal });
    });
    return found;
}

/** Credentials in one entry of a ConfigMap (`field` is `data["key"]` or `binaryData["key"]`). */
function entryViolations(field: string, key: string, content: string): string[] {
    const fix = "keep it in a Secret (mounted as a file) instead; a ConfigMap is stored and shown in clear";
    if (holdsPrivateKey(content)) return [violation(field, "a PEM private key", fix)];
    if (isCredentialName(key) && !isHarmlessValue(content) && !content.includes("\n")) {
        return [violation(field, redacted(content), fix)];
    }
    return credentialAssignments(content).map((a) => violation(`${field} line ${a.line} (${a.key})`, redacted(a.literal), fix));
}

/** Problems with a ConfigMap's data and binaryData. */
export function configMapViolations(props: Readonly<Record<string, unknown>>): string[] {
    const problems: string[] = [];
    for (const [section, decode] of [
        ["data", (v: string) => v],
        ["binaryData", (v: string) => Buffer.from(v, "base64").toString("utf8")],
    ] as const) {
        const entries = known(() => record(props[section]), {});
        for (const key of Object.keys(entries)) {
            const content = known(() => text(entries[key]), undefined);
            if (content !== undefined) problems.push(...entryViolations(`${section}["${key}"]`, key, decode(content)));
        }
    }
    return problems;
}

export const noCredentialsInConfigMaps: ResourceValidationPolicy = {
    name: "no-credentials-in-configmaps",
    description:
        "No ConfigMap holds a credential: a key named like one, a private key, or a file line that assigns a literal password, token or key.",
    severity: "high",
    validateResource: validateTypes(new Set(["kubernetes:core/v1:ConfigMap"]), (_type, props) => configMapViolations(props)),
};
