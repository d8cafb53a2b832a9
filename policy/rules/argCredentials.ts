/**
 * `no-credentials-in-args`: no container's command line (`command` and `args`) holds a credential.
 *
 * A command line is stored in clear in the workload's spec, like an environment literal (the
 * Pulumi state, `pulumi preview --diff`, `kubectl get -o yaml` for anyone who may read workloads,
 * every ReplicaSet revision), and at run time it is also in `/proc/<pid>/cmdline`, which `ps`
 * shows to every process of the pod and tools copy into logs and crash reports. The program passes
 * credentials as files (`--credentials-file=/secrets/...` for the Cloud SQL Auth Proxy; the log
 * importer's `--token-auth` is read from a mounted file by its script, at run time).
 *
 * Each element is read as exec sees it, and an element with spaces (a `sh -c` script, an option
 * with its own options) also word by word, line by line. A credential is:
 *
 * - an option or assignment whose name is a credential's (credentials.ts) with a literal value:
 *   `--token-auth=...`, `--password ...` (the value in the next word), `PASSWORD=...`,
 *   `token_auth=...` in a URL's query or a form body, a parameter of a list (rclone's
 *   `:s3,secret_access_key=...:bucket`), a URL's password (`https://user:pw@host`),
 *   an `Authorization:` header, and the MySQL clients' `-p<password>`;
 * - a literal shaped like a credential, whatever its place: a PEM private key, a Matomo token_auth
 *   (32 lower-case hex digits, an MD5), a Google OAuth access token or API key, a MaxMind license
 *   key, a GitHub token;
 * - a `$(NAME)` reference (which the kubelet replaces with the variable's value before the
 *   container starts) to a variable taken from a Secret or named like a credential.
 *
 * A value is no literal when it refers to something else: a shell variable or command
 * (`"$TOKEN"`, `$(cat "$TOKEN_FILE")`), a template, or when it is harmless (empty, a switch, an
 * absolute path). For the next-word form, a name that starts with a switch's verb (`--no-password`,
 * `--ask-pass`) takes no value.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { eachKnown, known, knownList, record, text, validateTypes, violation } from "./common";
import { holdsPrivateKey, isCredentialName, isHarmlessValue, redacted } from "./credentials";
import { checkPods, containersOf, makesPods, type PodSpec } from "./workloads";

/** Literals shaped like a credential, by what they are. */
const SHAPED: readonly (readonly [what: string, shape: RegExp])[] = [
    ["a literal shaped like a Matomo token_auth (32 hex digits)", /(?<![A-Za-z0-9])[0-9a-f]{32}(?![A-Za-z0-9])/],
    ["a literal shaped like a Google OAuth access token", /(?<![A-Za-z0-9])ya29\.[A-Za-z0-9_-]{20,}/],
    ["a literal shaped like a Google API key", /(?<![A-Za-z0-9])AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])/],
    ["a literal shaped like a MaxMind license key", /(?<![A-Za-z0-9])[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk(?![A-Za-z0-9])/],
    ["a literal shaped like a GitHub token", /(?<![A-Za-z0-9])(gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,})/],
];

/** Programs that take their password glued to `-p` (`mysql -psecret`). */
const MYSQL_CLIENTS =
    /^(mysql|mysqldump|mysqladmin|mysqlcheck|mysqlimport|mysqlshow|mariadb|mariadb-dump|mariadb-admin|mariadb-check|mariadb-import|mariadb-show)$/;

/** First words of an option name that make it a switch, which takes no value (`--no-password`). */
const SWITCH_VERBS = /^-{1,2}(no|skip|ask|prompt|require|disable|enable|allow|ignore|show|print)[-_]/i;

/** Whether an option (`--db-password`, `--pwd`) names a credential; `PWD` alone is the shell's working directory, `--pwd` a password. */
function isCredentialOption(option: string): boolean {
    return isCredentialName(option) || /^-{1,2}pwd$/i.test(option);
}

/** A value that refers to another: a shell variable or command, a template, a file (`@/path`). */
const REFERENCE = /^(\$|`|\{\{|%[({]|<%|@\/)/;

/** The literal text of a value as written in a word, or undefined when it refers to something or is harmless. */
function literalOf(raw: string): string | undefined {
    const value = raw.replace(/^["']+/, "").replace(/["';)]+$/, "");
    return REFERENCE.test(value) || isHarmlessValue(value) ? undefined : value;
}

/**
 * The credentials in one word (an argument as exec sees it, or a word of a script), each said as a
 * message shows it, the literal redacted; `next` is the word after it.
 */
function wordCredentials(raw: string, next: string | undefined, mysql: boolean): string[] {
    const word = raw.replace(/^["'(]+/, "");
    const found: string[] = [];
    const option = /^(-{1,2}[A-Za-z][\w.-]*)=(.*)$/s.exec(word);
    const optionLiteral = option && isCredentialOption(option[1]) ? literalOf(option[2]) : undefined;
    if (option && optionLiteral !== undefined) found.push(`${option[1]}= with ${redacted(optionLiteral)}`);
    for (const [, name, value] of word.matchAll(/(?:^|[?&,])([A-Za-z_][\w.-]*)=([^&#,:\s]*)/g)) {
        const literal = isCredentialName(name) ? literalOf(value) : undefined;
        if (literal !== undefined) found.push(`${name}= with ${redacted(literal)}`);
    }
    if (/^-{1,2}[A-Za-z][\w.-]*$/.test(word) && isCredentialOption(word) && !SWITCH_VERBS.test(word) && next !== undefined) {
        const literal = next.startsWith("-") ? undefined : literalOf(next);
        if (literal !== undefined) found.push(`${word} followed by ${redacted(literal)}`);
    }
    const glued = mysql ? /^-p(.+)$/s.exec(word) : null;
    const password = glued ? literalOf(glued[1]) : undefined;
    if (password !== undefined) found.push(`the MySQL client's -p followed by ${redacted(password)}`);
    return found;
}

/** Credentials in a sequence of words, each checked with the word after it. */
function wordsCredentials(words: readonly string[]): string[] {
    const mysql = words.some((w) => MYSQL_CLIENTS.test(w.replace(/^.*\//, "")));
    return words.flatMap((word, i) => wordCredentials(word, words[i + 1], mysql));
}

/** Credentials anywhere in an element's text, whatever the words around them. */
function textCredentials(value: string, isSecretVariable: (name: string) => boolean): string[] {
    if (holdsPrivateKey(value)) return ["a PEM private key"];
    const found: string[] = [];
    for (const [, password] of value.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:([^\s/@]+)@/gi)) {
        const literal = literalOf(password);
        if (literal !== undefined) found.push(`a URL with a password in it, ${redacted(literal)}`);
    }
    for (const [, credential] of value.matchAll(/\bAuthorization:\s*(?:Bearer|Basic|Token|Digest)\s+([^\s"']+)/gi)) {
        const literal = literalOf(credential);
        if (literal !== undefined) found.push(`an Authorization header with ${redacted(literal)}`);
    }
    for (const [, name] of value.matchAll(/(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g)) {
        if (isSecretVariable(name))
            found.push(`$(${name}), which the kubelet replaces with the credential's value before the container starts`);
    }
    return found;
}

/**
 * Whether a `$(NAME)` of the container's command line stands for a credential: NAME takes its
 * value from a Secret, or is named like a credential and defined (in `env`, or maybe by `envFrom`;
 * the kubelet leaves a reference to an undefined variable as it is).
 */
function secretVariables(container: Readonly<Record<string, unknown>>): (name: string) => boolean {
    const env = knownList(() => container.env).map((e) => known(() => record(e), {}));
    const fromSecret = new Set(
        env.filter((e) => known(() => record(record(e.valueFrom).secretKeyRef).key !== undefined, false)).map((e) => text(e.name)),
    );
    const defined = new Set(env.map((e) => known(() => text(e.name), undefined)));
    const envFrom = knownList(() => container.envFrom).length > 0;
    return (name) => fromSecret.has(name) || (isCredentialName(name) && (defined.has(name) || envFrom));
}

const FIX =
    "mount the credential from a Secret as a file and pass the file's path (an option such as --password-file, a *_FILE variable); " +
    "a command line is stored in clear in the workload, and ps shows it to every process of the pod";

/** Credentials in the command lines of the pod's containers, each naming the element that holds it. */
export function argCredentialViolations(pod: PodSpec): string[] {
    return eachKnown(containersOf(pod), ({ container, field }) => {
        const isSecretVariable = secretVariables(container);
        const argv = (["command", "args"] as const).flatMap((key) =>
            knownList(() => container[key]).map((v, i) => ({ at: `${field}.${key}[${i}]`, value: known(() => text(v), undefined) ?? "" })),
        );
        const words = argv.map(({ value }) => value);
        const mysql = words.length > 0 && MYSQL_CLIENTS.test(words[0].replace(/^.*\//, ""));
        return argv.flatMap(({ at, value }, i) => {
            const inWords = /\s/.test(value)
                ? value.split("\n").flatMap((line) => wordsCredentials(line.split(/\s+/).filter((w) => w !== "")))
                : wordCredentials(value, words[i + 1], mysql);
            const named = [...new Set([...textCredentials(value, isSecretVariable), ...inWords])];
            // A literal shaped like a credential is named only where nothing else named it (--token-auth=<32 hex>).
            const found = named.length > 0 ? named : SHAPED.filter(([, shape]) => shape.test(value)).map(([what]) => what);
            return found.map((item) => violation(at, item, FIX));
        });
    });
}

export const noCredentialsInArgs: ResourceValidationPolicy = {
    name: "no-credentials-in-args",
    description:
        "No container command or args hold a credential: a password, token or key given as a literal option, in a URL, or shaped like one.",
    severity: "high",
    validateResource: validateTypes(makesPods, (type, props) => checkPods(type, props, argCredentialViolations)),
};
