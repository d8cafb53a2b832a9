/**
 * The log import's shell programs, as real files beside this module (shellcheck and the real
 * tools run them in the tests): `sync-logs.sh` fetches logs with rsync over verified SSH,
 * `import-logs.sh` imports each complete file once with Matomo's importer, with the steps of one file
 * (`import-file.sh`) and its Python helpers (`import-helper.py`) beside it, and its records kept in
 * Matomo's database by `import-records.php`, the import pod's sidecar. They read their inputs from environment variables
 * ({@link LOG_SCRIPT_ENV}) and mounted files only.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Environment the log scripts read. */
export const LOG_SCRIPT_ENV = {
    /** Where each site's files are: `<root>/<site id>/`. */
    root: "LOG_ROOT",
    /** sync-logs.sh: the sources, one per line (see {@link renderSourcesFile}). */
    sourcesFile: "LOG_SOURCES_FILE",
    sshKeyFile: "LOG_SSH_KEY_FILE",
    sshKnownHostsFile: "LOG_SSH_KNOWN_HOSTS_FILE",
    sshConfigFile: "LOG_SSH_CONFIG_FILE",
    /** `yes`, or `no` when host-key verification is knowingly off. */
    sshStrict: "LOG_SSH_STRICT",
    timeoutSeconds: "LOG_TIMEOUT_SECONDS",
    /** import-logs.sh: its records of what was imported. */
    stateDir: "LOG_STATE_DIR",
    /** Space-separated site ids to import. */
    sites: "LOG_IMPORT_SITES",
    importer: "LOG_IMPORTER",
    python: "LOG_PYTHON",
    matomoUrl: "LOG_MATOMO_URL",
    tokenFile: "LOG_TOKEN_FILE",
    /** Importer options, one per line. */
    options: "LOG_IMPORT_OPTIONS",
    maxAttempts: "LOG_MAX_ATTEMPTS",
    /** The Unix socket where import-records.php answers, and how long import-logs.sh waits for it. */
    recordsSocket: "LOG_RECORDS_SOCKET",
    recordsWaitSeconds: "LOG_RECORDS_WAIT_SECONDS",
    /** How long import-logs.sh waits for a backup or restore holding the import lock. */
    lockWaitSeconds: "LOG_LOCK_WAIT_SECONDS",
} as const;

export const LOG_SCRIPT_FILES = ["sync-logs.sh", "import-logs.sh", "import-file.sh", "import-helper.py", "import-records.php"] as const;
export type LogScriptFile = (typeof LOG_SCRIPT_FILES)[number];

/** The text of a log script as it is in the repository. */
export function logScriptSource(file: LogScriptFile): string {
    return readFileSync(join(__dirname, file), "utf8");
}

/** One log source as sync-logs.sh reads it. */
export interface SyncSource {
    readonly siteId: number;
    readonly user: string;
    readonly host: string;
    readonly port: number;
    readonly path: string;
    readonly pattern: string;
    readonly skipNewest: boolean;
    readonly settleMinutes: number;
    readonly delete: boolean;
    /** The directory of the log host's `rrsync -ro` command for this key, which holds `path`; undefined without rrsync. */
    readonly rrsyncDir?: string;
}

/**
 * The sources file: one source per line, fields separated by TAB, in the order sync-logs.sh reads
 * them. The config refuses TABs and line breaks in every field, so the file cannot be misread.
 */
export function renderSourcesFile(sources: readonly SyncSource[]): string {
    return sources
        .map((s) => {
            const { siteId, user, host, port, path, pattern, skipNewest, settleMinutes } = s;
            const fields = [siteId, user, host, port, path, pattern, skipNewest, settleMinutes, s.delete, s.rrsyncDir ?? ""].map(String);
            // The config refuses these; a caller that did not validate must not get a misread file.
            if (fields.some((f) => /[\t\n\r]/.test(f)))
                throw new Error(`a log source field holds a TAB or line break: ${JSON.stringify(fields)}`);
            return fields.join("\t") + "\n";
        })
        .join("");
}
