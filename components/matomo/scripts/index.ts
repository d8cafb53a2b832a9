/**
 * The shell and PHP programs run inside Matomo's pods. Each is a real file beside this module
 * (checked by shellcheck and `php -l`, and run for real in the tests), read once and shipped as it
 * is: in the scripts ConfigMap, or as the `sh -c` command of the prepare-webroot init container.
 *
 * The scripts read their inputs from environment variables ({@link SCRIPT_ENV}, the contract a test
 * checks against the files) and from mounted Secret files. Only the pod layout (paths, the
 * installer's port) and prepare-webroot's optional steps are filled in by {@link fillTemplate}.
 * They run under the image's POSIX shell and PHP; nothing is downloaded at run time.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_MOUNT, DATABASE_PASSWORD_FILE, IMAGE_CODE_DIR, SCRIPTS_MOUNT, SMTP_PASSWORD_FILE, WEBROOT } from "../paths";
import { fillTemplate } from "./template";

/** Matomo's default table prefix (`matomo.tablesPrefix`; an existing installation may use another). */
export const TABLES_PREFIX = "matomo_";

/** Exit codes of `database.php state`. */
export const DATABASE_STATE = { installed: 0, unreachable: 1, empty: 3, partial: 4 } as const;

/** The earliest date Matomo accepts (`Date::FIRST_WEBSITE_TIMESTAMP`, 1991-08-06), where delete-data.sh starts. */
export const EARLIEST_DATE = "1991-08-06";

/** Environment the scripts read (values, or paths of mounted secret files). */
export const SCRIPT_ENV = {
    dbHost: "MATOMO_DB_HOST",
    dbPort: "MATOMO_DB_PORT",
    dbName: "MATOMO_DB_NAME",
    dbUser: "MATOMO_DB_USER",
    dbPasswordFile: "MATOMO_DB_PASSWORD_FILE",
    /** TLS towards the database: the CA file (unset: clear text), and "1" to check the server's certificate. */
    dbSslCa: "MATOMO_DB_SSL_CA",
    dbSslVerify: "MATOMO_DB_SSL_VERIFY",
    superuserLoginFile: "MATOMO_SUPERUSER_LOGIN_FILE",
    superuserPasswordFile: "MATOMO_SUPERUSER_PASSWORD_FILE",
    superuserEmail: "MATOMO_SUPERUSER_EMAIL",
    siteName: "MATOMO_SITE_NAME",
    siteUrl: "MATOMO_SITE_URL",
    timezone: "MATOMO_TIMEZONE",
    /** How long the scripts keep trying to reach the database: 600 s when unset, 0 for one attempt. */
    waitSeconds: "MATOMO_DB_WAIT_SECONDS",
    /** Matomo's table prefix, e.g. `matomo_`. */
    tablesPrefix: "MATOMO_TABLES_PREFIX",
    /** JSON object of Matomo options (`<prefix>option` rows) the install Job sets. */
    options: "MATOMO_OPTIONS",
    /** Raw-data deletion: `all` or space-separated site IDs, and days kept. */
    sites: "MATOMO_DELETE_SITES",
    daysToKeep: "MATOMO_DAYS_TO_KEEP",
    phpMemoryLimit: "MATOMO_PHP_MEMORY_LIMIT",
    /** The log import's user: login, e-mail, its token (a mounted file) and the sites it may write to. */
    importLogin: "MATOMO_IMPORT_LOGIN",
    importEmail: "MATOMO_IMPORT_EMAIL",
    importTokenFile: "MATOMO_IMPORT_TOKEN_FILE",
    importSites: "MATOMO_IMPORT_SITES",
    /** Matomo's salt (a mounted file): API tokens are stored hashed with it. */
    saltFile: "MATOMO_SALT_FILE",
    /** Seconds to wait after a new token or grant, for the web pods' tracker cache to expire. */
    trackerCacheSeconds: "MATOMO_TRACKER_CACHE_SECONDS",
} as const;

/** The script files shipped to the pods. */
export const SCRIPT_FILES = [
    "prepare-webroot.sh",
    "install.sh",
    "upgrade.sh",
    "install-plugins.php",
    "delete-data.sh",
    "database.php",
    "database-connection.php",
    "installer-messages.php",
    "installer-database-tls.php",
    "grant-import-user.php",
] as const;
export type ScriptFile = (typeof SCRIPT_FILES)[number];

const texts = new Map<ScriptFile, string>();

/** The text of a script file as it is in the repository (read on first use). */
export function scriptSource(file: ScriptFile): string {
    let text = texts.get(file);
    if (text === undefined) {
        text = readFileSync(join(__dirname, file), "utf8");
        texts.set(file, text);
    }
    return text;
}

/** A plugin name as Matomo accepts it (`Plugin\Manager::isValidPluginName`): also its folder under `plugins/`. */
const PLUGIN_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,59}$/;

/**
 * Fills the pod's writable webroot (an emptyDir) with the image's Matomo code and, unless
 * `copyConfig` is false (the install Job, whose installer writes its own), the generated
 * config.ini.php, before the web server or a console command starts.
 *
 * Copying on every start is what makes an image upgrade a code upgrade: nothing of the code
 * survives on a volume (the most common failure of Matomo containers, whose entrypoint copies the
 * code only when the webroot is empty). `misc/` is the one volume inside the webroot; the image's
 * own files there are refreshed, GeoIP databases and uploaded logos are left alone.
 *
 * With the config come the plugins, declared, the same in every pod: `[Plugins]` is the default
 * list of this very image (global.ini.php) plus `plugins`, and `[PluginsInstalled]` lists every
 * plugin Matomo loads, the always-active ones included, because Matomo loads a plugin while
 * tracking only when it is listed there (a pod without the list records no visits until a UI
 * request on it reinstalls every plugin). The upgrade Job runs the plugins' install steps against
 * the database (install-plugins.php).
 *
 * `regenerateTracker` (web pods) regenerates matomo.js from the database's settings.
 *
 * `smtpPassword` appends the SMTP password, mounted as `smtp-password` beside the config, to the
 * copied config's last section, `[mail]`; `databasePassword` appends the database password, mounted
 * as `database-password`, in a `[database]` section of its own (a Secret managed elsewhere holds it).
 */
export function prepareWebrootScript(
    options: {
        copyConfig?: boolean;
        plugins?: readonly string[];
        regenerateTracker?: boolean;
        smtpPassword?: boolean;
        databasePassword?: boolean;
        paths?: { code?: string; webroot?: string; configMount?: string };
    } = {},
): string {
    const copyConfig = options.copyConfig ?? true;
    const plugins = copyConfig ? (options.plugins ?? []) : [];
    for (const plugin of plugins) {
        if (!PLUGIN_NAME.test(plugin)) throw new Error(`not a Matomo plugin name: ${plugin}`);
    }
    const regenerateTracker = copyConfig && (options.regenerateTracker ?? false);
    const smtpPassword = copyConfig && (options.smtpPassword ?? false);
    const databasePassword = copyConfig && (options.databasePassword ?? false);
    const summary =
        (copyConfig ? ", with the generated config.ini.php" : "") +
        (plugins.length ? ` (plugins: ${plugins.join(", ")})` : "") +
        (regenerateTracker ? " and a regenerated matomo.js" : "");
    return fillTemplate(
        scriptSource("prepare-webroot.sh"),
        {
            CODE_DIR: options.paths?.code ?? IMAGE_CODE_DIR,
            WEBROOT: options.paths?.webroot ?? WEBROOT,
            CONFIG_MOUNT: options.paths?.configMount ?? CONFIG_MOUNT,
            SMTP_PASSWORD_FILE,
            DATABASE_PASSWORD_FILE,
            PLUGIN_LIST: plugins.length ? plugins.join(", ") : "none",
            PLUGINS: plugins.join(" "),
            SUMMARY: summary,
        },
        {
            COPY_CONFIG: copyConfig,
            SMTP_PASSWORD: smtpPassword,
            DATABASE_PASSWORD: databasePassword,
            REGENERATE_TRACKER: regenerateTracker,
        },
    );
}

/** `php installer-messages.php PAGE`: what a page of Matomo's installer says went wrong, as text. */
export function installerMessagesScript(): string {
    return scriptSource("installer-messages.php");
}

/**
 * The install Job's `config/config.php` when the database has TLS on: an observer of Matomo's
 * `Db.getDatabaseConfig` event that gives the web installer's connections (which hard-code
 * `enable_ssl` false) the TLS settings of `MATOMO_DB_SSL_CA` and `MATOMO_DB_SSL_VERIFY`.
 */
export function installerDatabaseTlsScript(): string {
    return scriptSource("installer-database-tls.php");
}

/** Where the install script finds things; the defaults are the pod's paths (tests point elsewhere). */
export interface ScriptPaths {
    /** Directory holding database.php. */
    readonly scriptsDir?: string;
    /** Matomo's webroot. */
    readonly webroot?: string;
    /** Local port of the install script's temporary web server. */
    readonly port?: number;
}

/**
 * The install Job: does nothing when Matomo is installed; otherwise runs Matomo's own web
 * installer, headless. The upstream image has no console command that installs Matomo, so the
 * script serves the installer with PHP's built-in web server on 127.0.0.1 and walks its steps with
 * curl (the sequence Bitnami's images have used for years): database, tables, superuser, first
 * website. Each step is checked the way Matomo answers it: a page must offer the way on to the
 * next step, a form must be accepted with a redirect; a rejected form stops the script at that
 * step with Matomo's own messages (installer-messages.php), before anything else is written. Credentials are read by curl from the mounted Secret files (`name@file`), so they appear
 * neither in the process list nor in the log. The installer's own config.ini.php (with its own salt)
 * stays in this pod; the web pods use the generated one, with the stack's salt. Finally the options
 * in `MATOMO_OPTIONS` are set (on a new and on an existing installation alike).
 */
export function installScript(paths: ScriptPaths = {}): string {
    return fillTemplate(scriptSource("install.sh"), {
        SCRIPTS_DIR: paths.scriptsDir ?? SCRIPTS_MOUNT,
        WEBROOT: paths.webroot ?? WEBROOT,
        INSTALLER_PORT: String(paths.port ?? 8080),
    });
}

/**
 * The upgrade Job: applies the database migrations of the image's Matomo version once, before the
 * web pods roll to it (Matomo's UI refuses to work with a database older than its code, and old
 * code on a newer database fails too), then runs the install step of every active plugin
 * (install-plugins.php). A no-op when there is nothing to do.
 */
export function upgradeScript(paths: Pick<ScriptPaths, "scriptsDir" | "webroot"> = {}): string {
    return fillTemplate(scriptSource("upgrade.sh"), { WEBROOT: paths.webroot ?? WEBROOT, SCRIPTS_DIR: paths.scriptsDir ?? SCRIPTS_MOUNT });
}

/** `php install-plugins.php WEBROOT`: the install step of every active plugin, as Matomo runs it. */
export function installPluginsScript(): string {
    return scriptSource("install-plugins.php");
}

/**
 * The raw-data deletion CronJob: deletes visitor logs older than `MATOMO_DAYS_TO_KEEP` days for the
 * sites in `MATOMO_DELETE_SITES` (`all`, or site IDs separated by spaces).
 *
 * The cut-off date is computed by PHP (the seed's `date --date="90 days ago"` fails on BusyBox).
 * `all` runs Matomo's command once without `--idsite`, which covers every site (the seed passed
 * `--idsite all`, which the command rejects); a list runs it once per site, because `--idsite`
 * takes only one. A site that fails does not stop the others; the Job fails at the end, naming
 * it. The range starts at {@link EARLIEST_DATE}, so nothing old is left behind.
 */
export function deleteDataScript(paths: Pick<ScriptPaths, "webroot"> = {}): string {
    return fillTemplate(scriptSource("delete-data.sh"), { WEBROOT: paths.webroot ?? WEBROOT });
}
