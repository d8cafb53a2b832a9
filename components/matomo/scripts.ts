/**
 * Scripts run inside Matomo's pods, each built by a pure function (unit-tested, shell scripts run
 * through shellcheck, the PHP one run against a real MariaDB in the tests). They run under the
 * image's POSIX shell and PHP; nothing is downloaded at run time.
 */
import { CONFIG_MOUNT, IMAGE_CODE_DIR, SCRIPTS_MOUNT, WEBROOT } from "./paths";

/** Matomo's table prefix (the install Job and config.ini.php agree on it). */
export const TABLES_PREFIX = "matomo_";

/** Exit codes of {@link databaseStateScript}. */
export const DATABASE_STATE = { installed: 0, unreachable: 1, empty: 3, partial: 4 } as const;

/** Environment the install Job's scripts read (values, or paths of mounted secret files). */
export const INSTALL_ENV = {
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
 */
export function prepareWebrootScript(options: { copyConfig: boolean } = { copyConfig: true }): string {
    const config = options.copyConfig
        ? `cp "${CONFIG_MOUNT}/config.ini.php" "$dst/config/config.ini.php"
chmod 0640 "$dst/config/config.ini.php"
`
        : "";
    return `set -eu
src=${IMAGE_CODE_DIR}
dst=${WEBROOT}
if [ ! -f "$src/matomo.php" ]; then
    echo "prepare-webroot: no Matomo code in $src: use the official matomo image or one built from it" >&2
    exit 1
fi
cp -R "$src/." "$dst/"
${config}version=$(sed -n "s/.*const VERSION = '\\([^']*\\)'.*/\\1/p" "$dst/core/Version.php")
echo "prepare-webroot: Matomo \${version:-(unknown version)} code is in place${options.copyConfig ? ", with the generated config.ini.php" : ""}"
`;
}

/**
 * PHP that reports Matomo's state in its database: `installed` (tables, a superuser and a
 * website exist), `empty` (no Matomo tables) or `partial` (tables without a superuser or site: an
 * installation that did not finish). It waits for the database to accept connections first, so a
 * database still starting (or a proxy still connecting) is not mistaken for a failure. It never
 * prints the password.
 */
export function databaseStateScript(): string {
    const e = INSTALL_ENV;
    return `<?php
// Reports Matomo's installation state; exit codes: ${Object.entries(DATABASE_STATE)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ")}.
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
            fwrite(STDERR, "database-state: cannot connect to $name on $host:$port as $user: " . $e->getMessage() . "\\n");
            exit(${DATABASE_STATE.unreachable});
        }
        fwrite(STDERR, "database-state: waiting for the database ($host:$port)\\n");
        sleep(5);
    }
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
export interface InstallScriptOptions {
    /** Directory holding database-state.php. */
    readonly scriptsDir?: string;
    /** Matomo's webroot. */
    readonly webroot?: string;
    /** Local port of the temporary web server. */
    readonly port?: number;
}

/**
 * The install Job: does nothing when Matomo is installed; otherwise runs Matomo's own web
 * installer, headless. The upstream image has no console command that installs Matomo, so the
 * script serves the installer with PHP's built-in web server on 127.0.0.1 and walks its steps with
 * curl (the sequence Bitnami's images have used for years): database, tables, superuser, first
 * website. Credentials are read by curl from the mounted Secret files (`name@file`), so they appear
 * neither in the process list nor in the log. The installer's own config.ini.php (with its own salt)
 * stays in this pod; the web pods use the generated one, with the stack's salt.
 */
export function installScript(options: InstallScriptOptions = {}): string {
    const e = INSTALL_ENV;
    const s = DATABASE_STATE;
    const webroot = options.webroot ?? WEBROOT;
    const port = options.port ?? 8080;
    return `set -eu
state_script=${options.scriptsDir ?? SCRIPTS_MOUNT}/database-state.php
tmp=\${TMPDIR:-/tmp}
state=0
php "$state_script" || state=$?
case "$state" in
    ${s.installed}) echo "install: Matomo is already installed; nothing to do"; exit 0 ;;
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
php "$state_script" || state=$?
if [ "$state" != ${s.installed} ]; then
    echo "install: FAILED: the installer ran, but the database is not fully installed (state $state)" >&2
    exit 1
fi
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
