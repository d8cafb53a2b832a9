/**
 * The install Job's scripts, run for real: the database check (PHP + PDO) against a real MariaDB
 * 10.11 in every state a database can be in, and the install script's decisions and its walk
 * through the installer's steps. Matomo itself cannot run here (no Matomo code on this machine), so
 * the last part uses a stand-in installer that records what it is sent: it checks this script's
 * side of the protocol (the steps and field names of the sequence Bitnami's images use, the
 * secrets read from files), not Matomo's installer.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { managedOptions } from "../components/matomo/options";
import { databaseScript, DATABASE_STATE, installScript, SCRIPT_ENV, TABLES_PREFIX } from "../components/matomo/scripts";
import { freePort, TestMariaDb } from "./support/mariadbServer";
import { spawnGroupSync } from "./support/processes";
import { requireBinaries } from "./support/system";

const DB = { name: "matomo", user: "matomo", password: "db-Pa$$;w'rd=#x" };
const SUPERUSER = { login: "admin", password: "superuser-secret-42" };
/** Matomo's option table, as its schema creates it. */
const OPTION_TABLE = `${TABLES_PREFIX}option (option_name VARCHAR(191) NOT NULL PRIMARY KEY, option_value LONGTEXT NOT NULL, autoload TINYINT NOT NULL DEFAULT 1)`;

/**
 * A stand-in for Matomo's web installer: logs each request and does what the real step does to
 * the database (tablesCreation creates the tables, setupSuperUser and firstWebsiteSetup add rows).
 * INSTALLER_FAIL_AT makes a step answer 500 with an error; INSTALLER_SKIP makes a step answer 200
 * without doing its work.
 */
const STAND_IN_INSTALLER = `<?php
file_put_contents(getenv('INSTALLER_LOG'), json_encode(['post' => $_POST]) . "\\n", FILE_APPEND);
$action = $_POST['action'] ?? '';
if ($action !== '' && $action === getenv('INSTALLER_FAIL_AT')) {
    http_response_code(500);
    echo '<div class="alert alert-danger">Table creation failed: disk full</div>';
    exit;
}
if ($action !== '' && $action !== getenv('INSTALLER_SKIP')) {
    $db = new PDO('mysql:host=127.0.0.1;port=' . getenv('${SCRIPT_ENV.dbPort}') . ';dbname=' . getenv('${SCRIPT_ENV.dbName}'),
        getenv('${SCRIPT_ENV.dbUser}'), file_get_contents(getenv('${SCRIPT_ENV.dbPasswordFile}')));
    if ($action === 'tablesCreation') {
        $db->exec('CREATE TABLE ${OPTION_TABLE}');
        $db->exec('CREATE TABLE ${TABLES_PREFIX}user (login VARCHAR(100), superuser_access TINYINT)');
        $db->exec('CREATE TABLE ${TABLES_PREFIX}site (idsite INT)');
    } elseif ($action === 'setupSuperUser') {
        $db->prepare('INSERT INTO ${TABLES_PREFIX}user VALUES (?, 1)')->execute([$_POST['login']]);
    } elseif ($action === 'firstWebsiteSetup') {
        $db->exec('INSERT INTO ${TABLES_PREFIX}site VALUES (1)');
    }
}
echo '<html><body>step ' . htmlspecialchars($action) . '</body></html>';
`;

describe("install scripts on a real MariaDB", function () {
    this.timeout(120_000);
    let server: TestMariaDb;
    let port: number;
    let dir: string;

    before(async function () {
        requireBinaries(this, "mariadbd", "mariadb-install-db", "mariadb", "php", "curl");
        const pdo = spawnSync("php", ["-r", 'exit(extension_loaded("pdo_mysql") ? 0 : 1);']);
        if (pdo.status !== 0) requireBinaries(this, "php-pdo_mysql-extension");
        port = await freePort();
        server = await TestMariaDb.start("[mysqld]\n", { port });
        server.createDatabase(DB.name, DB.user, DB.password);
        dir = mkdtempSync(join(tmpdir(), "matomo-install-"));
        for (const [file, text] of Object.entries({ "db-password": DB.password, login: SUPERUSER.login, password: SUPERUSER.password })) {
            writeFileSync(join(dir, file), text);
        }
        mkdirSync(join(dir, "scripts"));
        writeFileSync(join(dir, "scripts", "database.php"), databaseScript());
        mkdirSync(join(dir, "webroot"));
        writeFileSync(join(dir, "webroot", "index.php"), STAND_IN_INSTALLER);
    });

    after(async () => {
        await server?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const env = (extra: Record<string, string> = {}) => ({
        ...process.env,
        TMPDIR: dir,
        INSTALLER_LOG: join(dir, "installer.log"),
        [SCRIPT_ENV.dbHost]: "127.0.0.1",
        [SCRIPT_ENV.dbPort]: String(port),
        [SCRIPT_ENV.dbName]: DB.name,
        [SCRIPT_ENV.dbUser]: DB.user,
        [SCRIPT_ENV.dbPasswordFile]: join(dir, "db-password"),
        [SCRIPT_ENV.superuserLoginFile]: join(dir, "login"),
        [SCRIPT_ENV.superuserPasswordFile]: join(dir, "password"),
        [SCRIPT_ENV.superuserEmail]: "admin@analytics.example.com",
        [SCRIPT_ENV.siteName]: "Example site",
        [SCRIPT_ENV.siteUrl]: "https://www.example.com",
        [SCRIPT_ENV.timezone]: "Europe/Copenhagen",
        ...extra,
    });
    const state = (extra: Record<string, string> = {}) =>
        spawnSync("php", [join(dir, "scripts", "database.php"), "state"], { env: env(extra), encoding: "utf8" });
    const install = async (extra: Record<string, string> = {}) => {
        const script = installScript({ scriptsDir: join(dir, "scripts"), webroot: join(dir, "webroot"), port: await freePort() });
        // In a process group of its own: the installer's web server and its workers go with it.
        return spawnGroupSync("sh", ["-c", script], { env: env(extra), encoding: "utf8", timeout: 60_000 });
    };
    /** The option table's rows, by name. */
    const options = () => Object.fromEntries(server.query(`SELECT option_name, option_value FROM ${DB.name}.${TABLES_PREFIX}option`));
    const dropTables = () =>
        server.query(
            `DROP TABLE IF EXISTS ${DB.name}.${TABLES_PREFIX}option, ${DB.name}.${TABLES_PREFIX}user, ${DB.name}.${TABLES_PREFIX}site`,
        );

    describe("database.php", () => {
        beforeEach(dropTables);

        it("reports an empty database", () => {
            const result = state();
            assert.equal(result.status, DATABASE_STATE.empty, result.stderr);
            assert.equal(result.stdout.trim(), "empty");
        });

        it("reports an unfinished installation: tables without a superuser or website", () => {
            server.query(`CREATE TABLE ${DB.name}.${TABLES_PREFIX}option (option_name VARCHAR(191))`);
            server.query(`CREATE TABLE ${DB.name}.${TABLES_PREFIX}user (login VARCHAR(100), superuser_access TINYINT)`);
            const result = state();
            assert.equal(result.status, DATABASE_STATE.partial, result.stderr);
            assert.match(result.stdout, /^partial: 0 superuser\(s\), 0 website\(s\)/);
        });

        it("reports an installed Matomo", () => {
            server.query(
                `CREATE TABLE ${DB.name}.${TABLES_PREFIX}option (option_name VARCHAR(191)); ` +
                    `CREATE TABLE ${DB.name}.${TABLES_PREFIX}user (login VARCHAR(100), superuser_access TINYINT); ` +
                    `INSERT INTO ${DB.name}.${TABLES_PREFIX}user VALUES ('admin', 1); ` +
                    `CREATE TABLE ${DB.name}.${TABLES_PREFIX}site (idsite INT); INSERT INTO ${DB.name}.${TABLES_PREFIX}site VALUES (1);`,
            );
            const result = state();
            assert.equal(result.status, DATABASE_STATE.installed, result.stderr);
            assert.equal(result.stdout.trim(), "installed: 1 superuser(s), 1 website(s)");
        });

        it("fails clearly on a wrong password, without printing it", () => {
            writeFileSync(join(dir, "wrong"), "not-the-password");
            const result = state({ [SCRIPT_ENV.dbPasswordFile]: join(dir, "wrong"), [SCRIPT_ENV.waitSeconds]: "1" });
            assert.equal(result.status, DATABASE_STATE.unreachable);
            assert.match(result.stderr, /cannot connect to matomo on 127\.0\.0\.1:\d+ as matomo: .*Access denied/);
            assert.ok(!result.stderr.includes("not-the-password"));
        });

        it("waits for a database that is not up yet, then gives up with a message", () => {
            const result = state({ [SCRIPT_ENV.dbPort]: "1", [SCRIPT_ENV.waitSeconds]: "1" });
            assert.equal(result.status, DATABASE_STATE.unreachable);
            assert.match(result.stderr, /waiting for the database[\s\S]*cannot connect/);
        });
    });

    describe("install.sh", () => {
        beforeEach(() => {
            dropTables();
            rmSync(join(dir, "installer.log"), { force: true });
        });

        it("leaves an installed Matomo alone, apart from the options it owns", async () => {
            server.query(
                `CREATE TABLE ${DB.name}.${OPTION_TABLE}; ` +
                    `INSERT INTO ${DB.name}.${TABLES_PREFIX}option VALUES ('enableBrowserTriggerArchiving', '1', 1), ('piwikUrl', 'https://a.example/', 1); ` +
                    `CREATE TABLE ${DB.name}.${TABLES_PREFIX}user (login VARCHAR(100), superuser_access TINYINT); ` +
                    `INSERT INTO ${DB.name}.${TABLES_PREFIX}user VALUES ('admin', 1); ` +
                    `CREATE TABLE ${DB.name}.${TABLES_PREFIX}site (idsite INT); INSERT INTO ${DB.name}.${TABLES_PREFIX}site VALUES (1);`,
            );
            const result = await install({ [SCRIPT_ENV.options]: JSON.stringify(managedOptions({ geoip: true })) });
            assert.equal(result.status, 0, result.stderr);
            assert.match(result.stdout, /already installed/);
            assert.throws(() => readFileSync(join(dir, "installer.log")), "the installer must not be called");
            assert.deepEqual(options(), {
                enableBrowserTriggerArchiving: "0",
                "geoip2.isp_db_url": "",
                "geoip2.loc_db_url": "",
                piwikUrl: "https://a.example/",
                "usercountry.location_provider": "geoip2php",
            });
            const again = await install({ [SCRIPT_ENV.options]: JSON.stringify(managedOptions({ geoip: false })) });
            assert.equal(again.status, 0, again.stderr);
            assert.equal(options().enableBrowserTriggerArchiving, "0", "setting the options again is harmless");
        });

        it("rejects options that are not a JSON object", async () => {
            server.query(
                `CREATE TABLE ${DB.name}.${OPTION_TABLE}; CREATE TABLE ${DB.name}.${TABLES_PREFIX}user (login VARCHAR(100), superuser_access TINYINT); ` +
                    `INSERT INTO ${DB.name}.${TABLES_PREFIX}user VALUES ('admin', 1); CREATE TABLE ${DB.name}.${TABLES_PREFIX}site (idsite INT); INSERT INTO ${DB.name}.${TABLES_PREFIX}site VALUES (1);`,
            );
            const result = await install({ [SCRIPT_ENV.options]: "[1, 2]" });
            assert.equal(result.status, 2);
            assert.match(result.stderr, /MATOMO_OPTIONS is not a JSON object/);
        });

        it("refuses to continue an unfinished installation, loudly", async () => {
            server.query(`CREATE TABLE ${DB.name}.${OPTION_TABLE}`);
            const result = await install();
            assert.equal(result.status, 1);
            assert.match(result.stderr, /FAILED: .*did not finish/);
        });

        it("installs an empty database through the installer's steps, reading secrets from files", async () => {
            const result = await install({ [SCRIPT_ENV.options]: JSON.stringify(managedOptions({ geoip: false })) });
            assert.equal(result.status, 0, result.stderr);
            assert.match(
                result.stdout,
                /the database is empty: installing Matomo[\s\S]*Matomo is installed: superuser and first website created/,
            );
            const steps = readFileSync(join(dir, "installer.log"), "utf8")
                .trim()
                .split("\n")
                .map((l) => JSON.parse(l) as { post: Record<string, string> });
            assert.deepEqual(
                steps.map((s) => s.post.action ?? "(start)"),
                ["(start)", "systemCheck", "databaseSetup", "tablesCreation", "setupSuperUser", "firstWebsiteSetup", "finished"],
            );
            const field = (action: string) => steps.find((s) => s.post.action === action)!.post;
            assert.deepEqual(field("databaseSetup"), {
                action: "databaseSetup",
                host: `127.0.0.1:${port}`,
                username: DB.user,
                password: DB.password,
                dbname: DB.name,
                tables_prefix: TABLES_PREFIX,
                adapter: "PDO\\MYSQL",
            });
            const superuser = field("setupSuperUser");
            assert.equal(superuser.login, SUPERUSER.login);
            assert.equal(superuser.password, SUPERUSER.password);
            assert.equal(superuser.password_bis, SUPERUSER.password);
            assert.equal(superuser.email, "admin@analytics.example.com");
            const site = field("firstWebsiteSetup");
            assert.deepEqual(
                { siteName: site.siteName, url: site.url, timezone: site.timezone },
                { siteName: "Example site", url: "https://www.example.com", timezone: "Europe/Copenhagen" },
            );
            const output = result.stdout + result.stderr;
            assert.ok(!output.includes(DB.password) && !output.includes(SUPERUSER.password), "no secret in the log");
            assert.equal(state().status, DATABASE_STATE.installed);
            assert.deepEqual(options(), { enableBrowserTriggerArchiving: "0" }, "the managed options are set on a new installation");
        });

        it("fails when the installer answers but leaves the installation incomplete", async () => {
            const result = await install({ INSTALLER_SKIP: "setupSuperUser" });
            assert.equal(result.status, 1);
            assert.match(result.stderr, /FAILED: the installer ran, but the database is not fully installed/);
        });

        it("stops at the first failing step and shows the installer's error", async () => {
            const result = await install({ INSTALLER_FAIL_AT: "tablesCreation" });
            assert.equal(result.status, 1);
            assert.match(result.stderr, /FAILED at step tablesCreation \(HTTP 500\)/);
            assert.match(result.stderr, /Table creation failed: disk full/);
            const steps = readFileSync(join(dir, "installer.log"), "utf8").trim().split("\n");
            assert.equal(steps.length, 4, "no step after the failing one");
        });
    });
});
