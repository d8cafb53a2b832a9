/**
 * The converter's second pass: what the program's validation still reports about the converted
 * values, fixed the way its messages say, for the situations the seed chart's values bring (its own
 * defaults among them, see test/migration.test.ts). Each fixer answers one kind of issue, found by
 * its key and message, and says whether it changed anything; an issue no fixer answers is left
 * for the user. A section that cannot work as the values file has it is turned off, not guessed at.
 */
import type { Issue } from "../../components/config";
import { parseRsyncCommand, shellCommands } from "../../components/config/sections/logImport/rsyncCommand";
import { DEFAULT_BUFFER_POOL_SHARE, MAX_BUFFER_POOL_SHARE } from "../../components/config/sections/serverOptions";
import { formatBytes, normalizePhpSize, parseQuantity, phpSizeBytes } from "../../components/k8s/units";
import { deleteAt, disable, getAt, isObject, parsePath, setAt, show, type MigrationState, type Path } from "./migrateModel";
import { defaultAt } from "./migrateSchema";

interface Fixer {
    readonly key: RegExp;
    readonly message: RegExp;
    /** Fixes the issue at `path`; false when there is nothing it can change. */
    fix(state: MigrationState, path: Path, issue: Issue): boolean;
}

const GI = 2 ** 30;
const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };

function noted(state: MigrationState, path: Path, change: string, reason: string, issue: Issue): true {
    state.notes.push({ path, change, reason, detail: issue.message });
    return true;
}

function imageText(image: unknown): string {
    return isObject(image) ? `${String(image.repository ?? "(default)")}:${String(image.tag ?? "(default)")}` : show(image);
}

/** Things turned off: they cannot work as the values file has them, and the program says how to turn them on. */
const OFF: readonly { key: RegExp; message: RegExp; target?: Path; reason: string }[] = [
    { key: /^matomo:geoipupdate$/, message: /needs MaxMind credentials/, reason: "off: the values file has no MaxMind credentials" },
    {
        key: /^matomo:postfix\.user$/,
        message: /has no effect without a password/,
        target: ["postfix"],
        reason: "off: Matomo logs in at the SMTP server as postfix.user, and the values file has no password for it",
    },
    {
        key: /^matomo:postfix\.relay$/,
        message: /Matomo sends no mail/,
        target: ["postfix"],
        reason: "off: no SMTP server to send to (postfix.relay)",
    },
    {
        key: /^matomo:matomocronDeleteData\.environment\.siteToDelete$/,
        message: /is not set/,
        target: ["matomocronDeleteData"],
        reason: "off: no site whose raw data to delete (environment.siteToDelete)",
    },
    { key: /^matomo:ldap\.servers$/, message: /is empty/, target: ["ldap"], reason: "off: no LDAP server" },
    { key: /^matomo:matomo\.token$/, message: /no log sources/, reason: "the log importer's token, and there are no log sources" },
    // Not where the program leaves the choice between two settings ("remove one of them"): that is the user's.
    { key: /^matomo:/, message: /ha(s|ve) no effect(?!.*one of them)/, reason: "off: it has no effect as the values file configures it" },
];

const FIXERS: readonly Fixer[] = [
    ...OFF.map((off): Fixer => ({
        key: off.key,
        message: off.message,
        fix: (state, path, issue) => disable(state, off.target ?? path, off.reason, issue.message),
    })),
    {
        // The seed's ingress timeouts, "180s": ingress-nginx reads whole seconds.
        key: /^matomo:/,
        message: /expected whole seconds/,
        fix(state, path, issue) {
            const value = getAt(state.config, path);
            const match = typeof value === "string" ? /^(\d+)\s*([smh])$/i.exec(value.trim()) : null;
            if (!match) return false;
            const seconds = String(Number(match[1]) * UNIT_SECONDS[match[2].toLowerCase()]);
            setAt(state.config, path, seconds);
            const reason =
                path[0] === "ingress"
                    ? "whole seconds without a unit, as ingress-nginx reads them (it ignored the seed's value with a unit)"
                    : "whole seconds without a unit, as the setting takes them";
            return noted(state, path, `${show(value)} -> "${seconds}"`, reason, issue);
        },
    },
    {
        // The seed's web PHP_MEMORY_LIMIT (4096M in 5Gi) fits one web worker.
        key: /^matomo:matomo\.environment\.PHP_MEMORY_LIMIT$/,
        message: /worker/,
        fix(state, path, issue) {
            const value = getAt(state.config, path);
            const lower = defaultAt(path);
            // Unset, the default applies already: then the container is too small for it, which is the user's to decide.
            if (typeof lower !== "string" || value === undefined || normalizePhpSize(String(value)) === lower) return false;
            setAt(state.config, path, lower);
            const reason =
                "every web worker may use PHP's memory_limit, and the web container's memory limit must fit at least two workers; " +
                `${lower}, the program's default, serves the UI and the API (web requests never archive here: the archivers have their own limit)`;
            return noted(state, path, `${show(value)} -> "${lower}"`, reason, issue);
        },
    },
    {
        // The seed's archiver: PHP's 7168M inside a 6Gi container.
        key: /^matomo:.+\.resources\.limits\.memory$/,
        message: /is not above .*PHP_MEMORY_LIMIT/,
        fix(state, path, issue) {
            const phpPath = [...path.slice(0, -3), "environment", "PHP_MEMORY_LIMIT"];
            const php = normalizePhpSize(String(getAt(state.config, phpPath) ?? defaultAt(phpPath) ?? ""));
            const limit = getAt(state.config, path) ?? defaultAt(path);
            if (php === undefined || php === "-1") return false;
            const raised = `${Math.ceil(phpSizeBytes(php) / GI + 0.5)}Gi`;
            if ((parseQuantity(String(limit)) ?? 0) >= (parseQuantity(raised) ?? 0)) return false;
            setAt(state.config, path, raised);
            const reason =
                `the container's memory limit must be above PHP's memory_limit (${php} = ${formatBytes(phpSizeBytes(php))}), ` +
                "so that PHP, not the kernel's OOM killer, stops a process that needs more; raised to leave at least 512Mi for the rest";
            return noted(state, path, `${show(limit)} -> "${raised}"`, reason, issue);
        },
    },
    {
        // The seed's --innodb_buffer_pool_size=10G inside a 10Gi limit.
        key: /^matomo:mariadb\.commands$/,
        message: /innodb_buffer_pool_size.*does not fit/,
        fix(state, path, issue) {
            const commands = getAt(state.config, path);
            if (!Array.isArray(commands)) return false;
            const pool = commands.filter((c) => typeof c === "string" && /^--innodb[_-]buffer[_-]pool[_-]size=/.test(c));
            if (pool.length === 0) return false;
            const rest = commands.filter((c) => !pool.includes(c));
            if (rest.length > 0) setAt(state.config, path, rest);
            else deleteAt(state.config, path);
            const reason =
                `above ${MAX_BUFFER_POOL_SHARE * 100}% of mariadb.resources.limits.memory, which leaves MariaDB no room for its ` +
                `connections (an OOM kill under load); without it the program sizes the pool at ${DEFAULT_BUFFER_POOL_SHARE * 100}% of the limit`;
            return noted(state, path, `dropped ${pool.map(show).join(", ")}`, reason, issue);
        },
    },
    {
        // eeacms/matomo, bitnami/matomo: images the program's pods cannot run.
        key: /^matomo:matomo\.image\.(repository|tag)$/,
        message: /use the official image/,
        fix(state, _path, issue) {
            const path = ["matomo", "image"];
            const official = { repository: defaultAt([...path, "repository"]), tag: defaultAt([...path, "tag"]) };
            const before = getAt(state.config, path);
            if (isObject(before) && before.repository === official.repository && before.tag === official.tag) return false;
            const was = imageText(before);
            setAt(state.config, [...path, "repository"], official.repository);
            setAt(state.config, [...path, "tag"], official.tag);
            const reason =
                "the program's pods cannot run this image (a Bitnami layout, or no web server of its own); the official image at the program's " +
                "tag: on `pulumi up` its upgrade Job brings the database to that Matomo version. Another official tag, or your " +
                "image built FROM it, goes in matomo.image";
            return noted(state, path, `${was} -> ${imageText(official)}`, reason, issue);
        },
    },
    {
        // eeacms/matomo-log-analytics: its own importer, of another Matomo version.
        key: /^matomo:matomoAnalytics\.image\.repository$/,
        message: /remove the key/,
        fix(state, _path, issue) {
            const path = ["matomoAnalytics", "image"];
            const before = deleteAt(state.config, path);
            if (before === undefined) return false;
            const python = defaultAt(path) as { reference?: string } | undefined;
            const reason = `the program runs the Matomo image's own log importer (of Matomo's version) under ${python?.reference ?? "Python"}`;
            return noted(state, path, `dropped ${imageText(before)}`, reason, issue);
        },
    },
    {
        // The seed's example command: rsync ... root@<IP>:<LOG_LOCATION_REMOTE> /analytics/logs/<SITE_ID>.
        key: /^matomo:rsyncAnalytics\.rsyncCommands$/,
        message: /placeholders/,
        fix(state, path, issue) {
            if (deleteAt(state.config, path) === undefined) return false;
            const reason = "the seed's example with its placeholders, not a log source; describe each real one in rsyncAnalytics.sources";
            return noted(state, path, "dropped", reason, issue);
        },
    },
    {
        // Real seed commands: rsync -e 'ssh ... -o StrictHostKeyChecking=no' ...
        key: /^matomo:rsyncAnalytics\.rsyncCommands$/,
        message: /turns host-key checking off/,
        fix(state, path, issue) {
            const text = getAt(state.config, path);
            const commands = typeof text === "string" ? shellCommands(text) : "not text";
            if (typeof commands === "string") return false;
            const parsed = commands.map(parseRsyncCommand);
            const sources = parsed.flatMap((p) =>
                typeof p === "string"
                    ? []
                    : [
                          {
                              siteId: p.siteId,
                              user: p.user,
                              host: p.host,
                              port: p.port,
                              path: p.path,
                              ...(p.delete ? {} : { delete: false }),
                          },
                      ],
            );
            if (sources.length !== parsed.length) return false;
            const sourcesPath = ["rsyncAnalytics", "sources"];
            const existing = getAt(state.config, sourcesPath);
            setAt(state.config, sourcesPath, [...(Array.isArray(existing) ? existing : []), ...sources]);
            deleteAt(state.config, path);
            const reason =
                "the commands turn SSH host-key checking off, which this program never does: the same sources, structured, " +
                "with each host's key verified against rsyncAnalytics.ssh_known_hosts (`ssh-keyscan -p <port> <host>`)";
            return noted(state, path, `-> rsyncAnalytics.sources (${sources.length})`, reason, issue);
        },
    },
];

/** Fixes one issue if a fixer knows it; whether anything changed. */
export function fixIssue(state: MigrationState, issue: Issue): boolean {
    const path = parsePath(issue.key);
    return FIXERS.some((f) => f.key.test(issue.key) && f.message.test(issue.message) && f.fix(state, path, issue));
}
