/**
 * Scripts run inside Matomo's pods, each built by a pure function (unit-tested, shell scripts run
 * through shellcheck, the PHP ones run against a real MariaDB in the tests). They run under the
 * image's POSIX shell and PHP; nothing is downloaded at run time.
 */
import { CONFIG_MOUNT, IMAGE_CODE_DIR, SCRIPTS_MOUNT, WEBROOT } from "./paths";

/** Matomo's table prefix (the install Job and config.ini.php agree on it). */
export const TABLES_PREFIX = "matomo_";

/** Exit codes of `database.php state`. */
export const DATABASE_STATE = { installed: 0, unreachable: 1, empty: 3, partial: 4 } as const;

/** The earliest date Matomo accepts (`Date::FIRST_WEBSITE_TIMESTAMP`, 1991-08-06). */
export const EARLIEST_DATE = "1991-08-06";

/** Environment the scripts read (values, or paths of mounted secret files). */
export const SCRIPT_ENV = {
    dbHost: "MATOMO_DB_HOST",
    dbPort: "MATOMO_DB_PORT",
    dbName: "MATOMO_DB_NAME",
    dbUser: "MATOMO_DB_USER",
    dbPasswordFile: "MATOMO_DB_PASSWORD_FILE",
    superuserLoginFile: "MATOMO_SUPERUSER_LOGIN_FILE",
    superuserPasswordFile: "MATOMO_SUPERUSER_PASSWORD_FILE",
    superuserEmail: "MATOMO_SUPERUSER_EMAIL",
    siteName: "MATOMO_SITE_NAME",
    siteUrl: "MATOMO_SITE_URL",
    timezone: "MATOMO_TIMEZONE",
    waitSeconds: "MATOMO_DB_WAIT_SECONDS",
    /** JSON object of Matomo options (`<prefix>option` rows) the install Job sets. */
    options: "MATOMO_OPTIONS",
    /** Raw-data deletion: `all` or space-separated site IDs, and days kept. */
    sites: "MATOMO_DELETE_SITES",
    daysToKeep: "MATOMO_DAYS_TO_KEEP",
    phpMemoryLimit: "MATOMO_PHP_MEMORY_LIMIT",
} as const;

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
 * `plugins` are activated besides the image's defaults: Matomo takes its active plugins from the
 * `[Plugins]` list of config.ini.php, which replaces the default list of global.ini.php as a whole,
 * so the script writes the default list of this very image plus the extra ones.
 */
export function prepareWebrootScript(
    options: { copyConfig?: boolean; plugins?: readonly string[]; paths?: { code?: string; webroot?: string; configMount?: string } } = {},
): string {
    const copyConfig = options.copyConfig ?? true;
    const plugins = copyConfig ? (options.plugins ?? []) : [];
    for (const plugin of plugins) {
        if (!/^[A-Za-z][A-Za-z0-9]*$/.test(plugin)) throw new Error(`not a Matomo plugin name: ${plugin}`);
    }
    const config = copyConfig
        ? `cp "${options.paths?.configMount ?? CONFIG_MOUNT}/config.ini.php" "$dst/config/config.ini.php"
chmod 0640 "$dst/config/config.ini.php"
`
        : "";
    // The PHP program is single-quoted on purpose: its $variables are PHP's, not the shell's.
    const activate = plugins.length
        ? `# Active plugins: this image's defaults (global.ini.php) and ${plugins.join(", ")}.
# shellcheck disable=SC2016
php -r '$g = parse_ini_file($argv[1], true); $all = array_unique(array_merge($g["Plugins"]["Plugins"], array_slice($argv, 2)));
echo "\\n[Plugins]\\n"; foreach ($all as $p) { echo "Plugins[] = \\"$p\\"\\n"; }' "$dst/config/global.ini.php" ${plugins.join(" ")} >>"$dst/config/config.ini.php"
`
        : "";
    return `set -eu
src=${options.paths?.code ?? IMAGE_CODE_DIR}
dst=${options.paths?.webroot ?? WEBROOT}
if [ ! -f "$src/matomo.php" ]; then
    echo "prepare-webroot: no Matomo code in $src: use the official matomo image or one built from it" >&2
    exit 1
fi
cp -R "$src/." "$dst/"
${config}${activate}version=$(sed -n "s/.*const VERSION = '\\([^']*\\)'.*/\\1/p" "$dst/core/Version.php")
echo "prepare-webroot: Matomo \${version:-(unknown version)} code is in place${copyConfig ? ", with the generated config.ini.php" : ""}${plugins.length ? ` (plugins: ${plugins.join(", ")})` : ""}"
`;
}

/**
 * `php database.php state|set-options`: Matomo's database as the install Job sees it.
 *
 * - `state` prints `installed` (tables, a superuser and a website exist), `empty` (no Matomo tables)
 *   or `partial` (tables without a superuser or website: an installation that did not finish) and
 *   exits with the matching {@link DATABASE_STATE} code.
 * - `set-options` writes the options of the JSON object in `MATOMO_OPTIONS` (e.g. the GeoIP
 *   location provider), the way Matomo's own settings pages store them.
 *
 * Both wait for the database to accept connections first, so a database still starting (or a
 * proxy still connecting) is not taken for a failure. The password is never printed.
 */
export function databaseScript(): string {
    const e = SCRIPT_ENV;
    return `<?php
// Exit codes of "state": ${Object.entries(DATABASE_STATE)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ")}.
$command = $argv[1] ?? 'state';
$host = getenv('${e.dbHost}');
$port = getenv('${e.dbPort}');
$name = getenv('${e.dbName}');
$user = getenv('${e.dbUser}');
$password = file_get_contents(getenv('${e.dbPasswordFile}'));
$prefix = '${TABLES_PREFIX}';
$deadline = time() + (int) (getenv('${e.waitSeconds}') ?: 600);
while (true) {
    try {
        $db = new PDO("mysql:host=$host;port=$port;dbname=$name;charset=utf8mb4", $user, $password, [
            PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
            PDO::ATTR_TIMEOUT => 5,
        ]);
        break;
    } catch (PDOException $e) {
        if (time() >= $deadline) {
            fwrite(STDERR, "database: cannot connect to $name on $host:$port as $user: " . $e->getMessage() . "\\n");
            exit(${DATABASE_STATE.unreachable});
        }
        fwrite(STDERR, "database: waiting for the database ($host:$port)\\n");
        sleep(5);
    }
}

if ($command === 'set-options') {
    $options = json_decode(getenv('${e.options}') ?: '{}', true);
    if (!is_array($options) || ($options !== [] && array_is_list($options))) {
        fwrite(STDERR, "database: ${e.options} is not a JSON object\\n");
        exit(2);
    }
    $set = $db->prepare("INSERT INTO \`{$prefix}option\` (option_name, option_value, autoload) VALUES (?, ?, 0)"
        . ' ON DUPLICATE KEY UPDATE option_value = VALUES(option_value)');
    foreach ($options as $option => $value) {
        $set->execute([$option, (string) $value]);
        echo "database: option $option set\\n";
    }
    exit(0);
}

$tables = $db->prepare('SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name IN (?, ?, ?)');
$tables->execute([$name, $prefix . 'option', $prefix . 'user', $prefix . 'site']);
$present = array_map('strtolower', $tables->fetchAll(PDO::FETCH_COLUMN));
if (!in_array($prefix . 'option', $present, true)) {
    echo "empty\\n";
    exit(${DATABASE_STATE.empty});
}
$superusers = in_array($prefix . 'user', $present, true)
    ? (int) $db->query("SELECT COUNT(*) FROM \`{$prefix}user\` WHERE superuser_access = 1")->fetchColumn()
    : 0;
$sites = in_array($prefix . 'site', $present, true)
    ? (int) $db->query("SELECT COUNT(*) FROM \`{$prefix}site\`")->fetchColumn()
    : 0;
if ($superusers === 0 || $sites === 0) {
    echo "partial: $superusers superuser(s), $sites website(s)\\n";
    exit(${DATABASE_STATE.partial});
}
echo "installed: $superusers superuser(s), $sites website(s)\\n";
exit(${DATABASE_STATE.installed});
`;
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
 * website. Credentials are read by curl from the mounted Secret files (`name@file`), so they appear
 * neither in the process list nor in the log. The installer's own config.ini.php (with its own salt)
 * stays in this pod; the web pods use the generated one, with the stack's salt. Finally the options
 * in `MATOMO_OPTIONS` are set (on a new and on an existing installation alike).
 */
export function installScript(paths: ScriptPaths = {}): string {
    const e = SCRIPT_ENV;
    const s = DATABASE_STATE;
    const webroot = paths.webroot ?? WEBROOT;
    const port = paths.port ?? 8080;
    return `set -eu
database=${paths.scriptsDir ?? SCRIPTS_MOUNT}/database.php
tmp=\${TMPDIR:-/tmp}

set_options() {
    if [ -n "\${${e.options}:-}" ]; then
        php "$database" set-options
    fi
}

state=0
php "$database" state || state=$?
case "$state" in
    ${s.installed}) echo "install: Matomo is already installed"; set_options; exit 0 ;;
    ${s.empty}) echo "install: the database is empty: installing Matomo" ;;
    ${s.partial}) echo "install: FAILED: Matomo's tables exist without a superuser or website: an earlier installation did not finish (README: 'Recover from an unfinished installation')" >&2; exit 1 ;;
    *) echo "install: FAILED: cannot read the database state (see above)" >&2; exit 1 ;;
esac

url=http://127.0.0.1:${port}/
jar="$tmp/install-cookies"
cd ${webroot}
PHP_CLI_SERVER_WORKERS=4 php -S 127.0.0.1:${port} -t ${webroot} >"$tmp/install-server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
tries=0
until curl --silent --output /dev/null "\${url}matomo.js"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 30 ]; then
        echo "install: FAILED: PHP's web server did not start:" >&2
        tail -n 20 "$tmp/install-server.log" >&2
        exit 1
    fi
    sleep 1
done

# step NAME [curl options...]: one request to the installer; stops the script unless it answers 2xx.
step() {
    name=$1
    shift
    code=$(curl --silent --show-error --location --cookie "$jar" --cookie-jar "$jar" \\
        --output "$tmp/install-$name.html" --write-out '%{http_code}' "$@" "$url") || code=000
    case "$code" in
        2??) echo "install: $name: done" ;;
        *)
            echo "install: FAILED at step $name (HTTP $code); the installer said:" >&2
            sed -n 's/.*class="[^"]*\\(error\\|alert-danger\\)[^"]*"[^>]*>\\([^<]*\\).*/  \\2/p' "$tmp/install-$name.html" | head -n 10 >&2
            exit 1
            ;;
    esac
}

step start
step systemCheck --data-urlencode action=systemCheck
step databaseSetup --data-urlencode action=databaseSetup \\
    --data-urlencode "host=\${${e.dbHost}}:\${${e.dbPort}}" \\
    --data-urlencode "username=\${${e.dbUser}}" \\
    --data-urlencode "password@\${${e.dbPasswordFile}}" \\
    --data-urlencode "dbname=\${${e.dbName}}" \\
    --data-urlencode "tables_prefix=${TABLES_PREFIX}" \\
    --data-urlencode "adapter=PDO\\\\MYSQL"
step tablesCreation --data-urlencode module=Installation --data-urlencode action=tablesCreation
step setupSuperUser --data-urlencode module=Installation --data-urlencode action=setupSuperUser \\
    --data-urlencode "login@\${${e.superuserLoginFile}}" \\
    --data-urlencode "password@\${${e.superuserPasswordFile}}" \\
    --data-urlencode "password_bis@\${${e.superuserPasswordFile}}" \\
    --data-urlencode "email=\${${e.superuserEmail}}" \\
    --data-urlencode subscribe_newsletter_piwikorg=0 \\
    --data-urlencode subscribe_newsletter_professionalservices=0
step firstWebsiteSetup --data-urlencode module=Installation --data-urlencode action=firstWebsiteSetup \\
    --data-urlencode "siteName=\${${e.siteName}}" \\
    --data-urlencode "url=\${${e.siteUrl}}" \\
    --data-urlencode "timezone=\${${e.timezone}}" \\
    --data-urlencode ecommerce=0
step finished --data-urlencode module=Installation --data-urlencode action=finished

state=0
php "$database" state || state=$?
if [ "$state" != ${s.installed} ]; then
    echo "install: FAILED: the installer ran, but the database is not fully installed (state $state)" >&2
    exit 1
fi
set_options
echo "install: Matomo is installed: superuser and first website created"
`;
}

/**
 * The upgrade Job: applies the database migrations of the image's Matomo version once, before the
 * web pods roll to it (Matomo's UI refuses to work with a database older than its code, and old
 * code on a newer database fails too). A no-op when there is nothing to migrate.
 */
export function upgradeScript(): string {
    return `set -eu
cd ${WEBROOT}
version=$(sed -n "s/.*const VERSION = '\\([^']*\\)'.*/\\1/p" core/Version.php)
echo "upgrade: applying the database migrations of Matomo $version (core:update)"
php console core:update --yes --no-interaction
echo "upgrade: the database schema matches Matomo $version"
`;
}

/**
 * The raw-data deletion CronJob: deletes visitor logs older than `MATOMO_DAYS_TO_KEEP` days for the
 * sites in `MATOMO_DELETE_SITES` (`all`, or site IDs separated by spaces).
 *
 * The cut-off date is computed by PHP (the seed's `date --date="90 days ago"` fails on BusyBox).
 * `all` runs Matomo's command once without `--idsite`, which covers every site (the seed passed
 * `--idsite all`, which the command rejects); a list runs it once per site, because `--idsite`
 * takes only one. The range starts at the earliest date Matomo knows, so nothing old is left behind.
 */
export function deleteDataScript(paths: Pick<ScriptPaths, "webroot"> = {}): string {
    const e = SCRIPT_ENV;
    return `set -eu
cd ${paths.webroot ?? WEBROOT}
cutoff=$(php -r 'echo date("Y-m-d", strtotime("-" . (int) getenv("${e.daysToKeep}") . " days"));')
range="${EARLIEST_DATE},$cutoff"

delete() {
    php -d "memory_limit=\${${e.phpMemoryLimit}}" console core:delete-logs-data --dates="$range" "$@" --no-interaction
}

if [ "\${${e.sites}}" = all ]; then
    echo "delete-data: deleting the raw data of every site up to $cutoff (keeping \${${e.daysToKeep}} days)"
    delete
else
    for site in \${${e.sites}}; do
        echo "delete-data: deleting the raw data of site $site up to $cutoff (keeping \${${e.daysToKeep}} days)"
        delete --idsite="$site"
    done
fi
echo "delete-data: done"
`;
}
