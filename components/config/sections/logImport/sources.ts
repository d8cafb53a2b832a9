/**
 * A log source: where one site's web-server logs are fetched from, as structured data, so the
 * program builds a correct, quoted command (the seed pasted free text into a shell).
 */
import { boolean, integer, string, type ValueOf } from "../../schema/fields";
import { object } from "../../schema/structures";

/** Characters a source field never holds: the program passes fields as TAB-separated lines. */
// Matching control characters is the point here.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

function checkUser(value: string): string | undefined {
    return /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/.test(value)
        ? undefined
        : "expected a login name on the log host (letters, digits, _ . -, at most 32)";
}

function checkHost(value: string): string | undefined {
    if (/^[0-9a-fA-F:]+$/.test(value) && value.includes(":")) return undefined;
    if (/^(\d{1,3}\.){3}\d{1,3}$/.test(value)) {
        return value.split(".").every((n) => Number(n) <= 255) ? undefined : "expected an IPv4 address with parts from 0 to 255";
    }
    return /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(value)
        ? undefined
        : "expected a hostname, an IPv4 or an IPv6 address (without user, port or brackets)";
}

function checkRemotePath(value: string): string | undefined {
    if (!value.startsWith("/")) return "expected an absolute directory on the log host (starting with /)";
    if (value.split("/").includes("..")) return 'must not contain ".." (say the directory itself)';
    if (CONTROL.test(value)) return "must not contain control characters (tabs, line breaks)";
    return undefined;
}

/**
 * Why a log source's directory holds a wildcard (`*`, `?`, `[`), or undefined: `path` is one
 * directory, taken as written, and the files in it are chosen by `pattern`; a wildcard there names
 * no directory, so nothing would ever be fetched.
 */
export function sourcePathWildcard(path: string): string | undefined {
    const wildcard = /[*?[]/.exec(path);
    if (!wildcard) return undefined;
    const slash = path.lastIndexOf("/");
    const [directory, name] = [path.slice(0, slash) || "/", path.slice(slash + 1)];
    const fix =
        name !== "" && !/[*?[]/.test(directory)
            ? `set path to ${directory} and pattern to ${name}`
            : "set path to the one directory that holds the logs (a source per directory) and pattern to the file names";
    return `path is a directory, taken as written, and the files in it are chosen by pattern: the wildcard ${wildcard[0]} in it matches nothing; ${fix}`;
}

/** The directory of `rrsync -ro <dir>`: rrsync resolves it itself, so only an absolute one can be compared with `path`. */
function checkRrsyncDir(value: string): string | undefined {
    if (!value.startsWith("/")) return "expected the absolute directory the log host's `rrsync -ro` command names (starting with /)";
    return checkRemotePath(value);
}

/** A path's components, so that `/a//b/` and `/a/b` compare equal (as the fetch script compares them). */
const components = (path: string) => path.split("/").filter((c) => c !== "");

/**
 * Why `path` cannot be fetched through the rrsync the source declares, or undefined. rrsync serves
 * only its directory; and without `-s` the path reaches it as text that rsync escaped with
 * backslashes and that rrsync unescapes and expands as a wildcard pattern, where a backslash of the
 * name itself does not survive in every position.
 */
export function rrsyncIssue(source: { readonly path: string; readonly rrsyncDir?: string }): string | undefined {
    if (source.rrsyncDir === undefined) return undefined;
    const root = components(source.rrsyncDir);
    const path = components(source.path);
    if (root.some((c, i) => path[i] !== c)) {
        return `is outside rrsyncDir ${JSON.stringify(source.rrsyncDir)}: rrsync on the log host serves only that directory; set path to a directory inside it, or rrsyncDir to the directory of the log host's \`rrsync -ro\` command`;
    }
    if (source.path.includes("\\"))
        return "holds a backslash, which does not reach rrsync intact (rsync and rrsync read it as an escape); rename the directory on the log host";
    return undefined;
}

function checkPattern(value: string): string | undefined {
    if (value === "" || value.includes("/")) return "expected a file-name pattern such as access_log.* (no directory)";
    if (CONTROL.test(value)) return "must not contain control characters";
    return undefined;
}

export const sourceField = object(
    {
        siteId: integer({ doc: "The Matomo site the logs belong to; they land in `/analytics/logs/<siteId>/`.", required: true, min: 1 }),
        user: string({ doc: "Login on the log host.", required: true, check: checkUser }),
        host: string({ doc: "The log host: hostname or IP address.", required: true, check: checkHost }),
        port: integer({ doc: "SSH port of the log host.", default: 22, min: 1, max: 65535 }),
        path: string({
            doc: "Directory on the log host that holds the log files (the files directly in it), without wildcards: `pattern` chooses the files.",
            required: true,
            check: (v) => checkRemotePath(v) ?? sourcePathWildcard(v),
        }),
        pattern: string({
            doc: "Which files of `path` are logs (a shell pattern on the file name); the seed's importer took `access_log.*`.",
            default: "access_log.*",
            check: checkPattern,
        }),
        skipNewest: boolean({
            doc: "Leave out the newest matching file: the one the web server is still writing (rotated logs such as `access_log.<date>-<hour>`).",
            default: true,
        }),
        settleMinutes: integer({
            doc: "Leave out files modified less than this many minutes ago (a file still being written is never copied).",
            default: 5,
            min: 0,
            max: 1440,
        }),
        delete: boolean({
            doc: "Remove local copies of matching files that are gone from the log host (the seed's `--delete`), so the volume does not fill up. Nothing is ever removed on the log host.",
            default: true,
        }),
        rrsyncDir: string({
            doc: 'Set when the log host restricts the key with `command="rrsync -ro <dir>",restrict` in `authorized_keys`: that directory, which must hold `path`. The fetch then names `path` relative to it and without rsync\'s `-s`, which rrsync refuses.',
            optional: true,
            check: checkRrsyncDir,
        }),
    },
    { doc: "A log source." },
);

export type SourceValue = ValueOf<typeof sourceField>;
