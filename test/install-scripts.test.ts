/**
 * The install Job's scripts, run for real: the database check (PHP + PDO) against a real MariaDB
 * 10.11 in every state a database can be in, and the install script's walk through Matomo's web
 * installer. Matomo's code is not on this machine, so the installer is played by a stand-in
 * (test/fixtures/matomo-installer.php) that answers each step the way Matomo 5's Installation
 * controller and templates do, on the real database: accepted forms redirect, rejected ones come
 * back with Matomo's error list, pages link on only when their step succeeded.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { join } from "node:path";
import { managedOptions } from "../components/matomo/options";
import { DATABASE_STATE, installScript, SCRIPT_ENV, scriptSource, TABLES_PREFIX } from "../components/matomo/scripts";
import { ROOT } from "./support/harness";
import { freePort, TestMariaDb, testDatabaseEnv } from "./support/mariadbServer";
import { leftoverProcesses, spawnGroupSync } from "./support/processes";
import { requireBinaries } from "./support/system";

const DB = { name: "matomo", user: "matomo", password: "db-Pa$$;w'rd=#x" };
/** Matomo's own privacy defaults, with a change of mask length and Do Not Track to see them applied. */
const PRIVACY = {
    anonymizeIp: true,
    ipAddressMaskLength: 3,
    useAnonymizedIpForVisitEnrichment: false,
    doNotTrack: false,
    forceCookielessTracking: false,
    anonymizeUserId: false,
    anonymizeOrderId: false,
    anonymizeReferrer: "exclude_query",
};
const managed = (geoip: boolean) => JSON.stringify(managedOptions({ geoip, baseUrl: "https://analytics.example.com/", privacy: PRIVACY }));
const SUPERUSER = { login: "admin", password: "superuser-secret-42" };
/** Matomo's option table, as its schema creates it. */
const OPTION_TABLE = `${TABLES_PREFIX}option (option_name VARCHAR(191) NOT NULL PRIMARY KEY, option_value LONGTEXT NOT NULL, autoload TINYINT NOT NULL DEFAULT 1)`;

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
        for (const file of ["database.php", "database-connection.php", "installer-messages.php"] as const)
            writeFileSync(join(dir, "scripts", file), scriptSource(file));
        mkdirSync(join(dir, "webroot"));
        copyFileSync(join(ROOT, "test", "fixtures", "matomo-installer.php"), join(dir, "webroot", "index.php"));
        copyFileSync(join(ROOT, "test", "fixtures", "matomo-database-events.php"), join(dir, "webroot", "matomo-database-events.php"));
        writeFileSync(join(dir, "webroot", "matomo.js"), "/* the tracker */\n");
    });

    after(async () => {
        await server?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const env = (extra: Record<string, string> = {}) => ({
        ...process.env,
        TMPDIR: dir,
        INSTALLER_LOG: join(dir, "installer.log"),
        ...testDatabaseEnv(port, DB, join(dir, "db-password")),
        [SCRIPT_ENV.tablesPrefix]: TABLES_PREFIX,
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
    const scriptOn = (port: number) => installScript({ scriptsDir: join(dir, "scripts"), webroot: join(dir, "webroot"), port });
    const install = async (extra: Record<string, string> = {}) =>
        // In a process group of its own, so that even a broken script leaves no web server behind.
        spawnGroupSync("sh", ["-c", scriptOn(await freePort())], { env: env(extra), encoding: "utf8", timeout: 60_000 });
    /** The installer's steps as requested, with what was posted. */
    const requests = () =>
        readFileSync(join(dir, "installer.log"), "utf8")
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l) as { action: string; post: Record<string, string> });
    const rows = (table: string) => server.query(`SELECT COUNT(*) FROM ${DB.name}.${TABLES_PREFIX}${table}`)[0][0];
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

        for (const prefix of [TABLES_PREFIX, "piwik_"]) {
            it(`reports an installed Matomo whose tables are ${prefix}*, with that prefix configured`, () => {
                const t = (name: string) => `${DB.name}.${prefix}${name}`;
                server.query(
                    `CREATE TABLE ${t("option")} (option_name VARCHAR(191)); ` +
                        `CREATE TABLE ${t("user")} (login VARCHAR(100), superuser_access TINYINT); INSERT INTO ${t("user")} VALUES ('admin', 1); ` +
                        `CREATE TABLE ${t("site")} (idsite INT); INSERT INTO ${t("site")} VALUES (1);`,
                );
                try {
                    const result = state({ [SCRIPT_ENV.tablesPrefix]: prefix });
                    assert.equal(result.status, DATABASE_STATE.installed, result.stderr);
                    assert.equal(result.stdout.trim(), "installed: 1 superuser(s), 1 website(s)");
                    if (prefix !== TABLES_PREFIX) {
                        assert.equal(state().status, DATABASE_STATE.empty, "under the default prefix, another installation is not seen");
                    }
                } finally {
                    server.query(`DROP TABLE IF EXISTS ${t("option")}, ${t("user")}, ${t("site")}`);
                }
            });
        }

        it("refuses a wrong password at once, though told to wait 600 s, saying what is wrong and never the password", () => {
            writeFileSync(join(dir, "wrong"), "not-the-password");
            const started = Date.now();
            const result = state({ [SCRIPT_ENV.dbPasswordFile]: join(dir, "wrong") });
            assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
            assert.equal(result.status, DATABASE_STATE.unreachable);
            assert.match(
                result.stderr,
                /^database: FAILED: the database at 127\.0\.0\.1:\d+ refused the password of user matomo \(\[1045\] Access denied for user 'matomo'.*\): the password in MATOMO_DB_PASSWORD_FILE \(.*\/wrong\) is not the one .*'The database refuses the password'.*not retried/,
            );
            assert.doesNotMatch(result.stderr, /waiting for/);
            assert.ok(!result.stderr.includes("not-the-password"));
        });

        it("refuses at once a database that does not exist, or that the user may not use", () => {
            // Rights on a database of that name, which does not exist: the server says so (1049) only to such a user.
            server.query(
                "CREATE USER IF NOT EXISTS 'outsider'@'%' IDENTIFIED BY 'outsider-password'; GRANT ALL ON nosuch.* TO 'outsider'@'%'",
            );
            writeFileSync(join(dir, "outsider"), "outsider-password");
            const outsider = { [SCRIPT_ENV.dbUser]: "outsider", [SCRIPT_ENV.dbPasswordFile]: join(dir, "outsider") };
            const started = Date.now();
            const missing = state({ ...outsider, [SCRIPT_ENV.dbName]: "nosuch" });
            assert.equal(missing.status, DATABASE_STATE.unreachable);
            assert.match(missing.stderr, /FAILED: database nosuch does not exist at 127\.0\.0\.1:\d+ \(\[1049\] .*not retried/);
            const denied = state(outsider);
            assert.equal(denied.status, DATABASE_STATE.unreachable);
            assert.match(
                denied.stderr,
                /FAILED: user outsider may not use database matomo at 127\.0\.0\.1:\d+ \(\[1044\] .*no access to it/,
            );
            const hidden = state({ [SCRIPT_ENV.dbName]: "nosuch" });
            assert.match(hidden.stderr, /FAILED: user matomo may not use database nosuch .*\[1044\].*does not exist there/);
            assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
        });

        it("waits for a database that is not up yet, saying why, then gives up with a message", () => {
            const result = state({ [SCRIPT_ENV.dbPort]: "1", [SCRIPT_ENV.waitSeconds]: "1" });
            assert.equal(result.status, DATABASE_STATE.unreachable);
            assert.match(
                result.stderr,
                /waiting for the database at 127\.0\.0\.1:1: \[2002\] Connection refused[^\n]*\n[\s\S]*FAILED: cannot connect to matomo at 127\.0\.0\.1:1 as matomo \(\[2002\] Connection refused\); gave up after \d+ s/,
            );
        });

        it("waits while the connection is closed before the server answers (a Cloud SQL Auth Proxy that cannot reach the instance)", async () => {
            // What the proxy does then (internal/proxy/proxy.go, serveSocketMount): accept, fail to dial, close.
            const proxy = createServer((connection) => connection.destroy());
            await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
            try {
                const { port: proxyPort } = proxy.address() as { port: number };
                const result = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
                    const script = spawn("php", [join(dir, "scripts", "database.php"), "state"], {
                        env: env({ [SCRIPT_ENV.dbPort]: String(proxyPort), [SCRIPT_ENV.waitSeconds]: "1" }),
                    });
                    let stderr = "";
                    script.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
                    script.on("exit", (status) => resolve({ status, stderr }));
                });
                assert.equal(result.status, DATABASE_STATE.unreachable);
                assert.match(
                    result.stderr,
                    /waiting for the database at 127\.0\.0\.1:\d+: \[2006\] MySQL server has gone away \(the connection was closed before the server answered: .*Cloud SQL Auth Proxy, whose log says why\)/,
                );
                assert.match(result.stderr, /FAILED: cannot connect .*gave up after/);
            } finally {
                await new Promise((resolve) => proxy.close(resolve));
            }
        });

        it("waits for a database that comes up late, then reads it", async () => {
            const latePort = await freePort();
            const script = spawn("php", [join(dir, "scripts", "database.php"), "state"], {
                env: env({ [SCRIPT_ENV.dbPort]: String(latePort) }),
            });
            let stderr = "";
            script.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
            const exited = new Promise<number | null>((resolve) => script.on("exit", resolve));
            let late: TestMariaDb | undefined;
            try {
                await new Promise((resolve) => setTimeout(resolve, 1_500));
                assert.equal(script.exitCode, null, `gave up before the database came up: ${stderr}`);
                late = await TestMariaDb.start("[mysqld]\n", { port: latePort });
                late.createDatabase(DB.name, DB.user, DB.password);
                assert.equal(await exited, DATABASE_STATE.empty, stderr);
                assert.match(stderr, /waiting for the database at 127\.0\.0\.1:\d+: \[2002\] Connection refused/);
            } finally {
                script.kill("SIGKILL");
                await late?.stop();
            }
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
            const result = await install({ [SCRIPT_ENV.options]: managed(true) });
            assert.equal(result.status, 0, result.stderr);
            assert.match(result.stdout, /already installed/);
            assert.throws(() => readFileSync(join(dir, "installer.log")), "the installer must not be called");
            assert.deepEqual(options(), { ...JSON.parse(managed(true)), piwikUrl: "https://analytics.example.com/" });
            const again = await install({ [SCRIPT_ENV.options]: managed(false) });
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
            const result = await install({ [SCRIPT_ENV.options]: managed(false) });
            assert.equal(result.status, 0, result.stderr);
            assert.ok(!existsSync(join(dir, "webroot", "config", "config.php")), "no TLS observer for a database without TLS");
            assert.match(
                result.stdout,
                /the database is empty: installing Matomo[\s\S]*Matomo is installed: superuser and first website created/,
            );
            const steps = requests();
            assert.deepEqual(
                steps.map((s) => s.action),
                ["welcome", "systemCheck", "databaseSetup", "tablesCreation", "setupSuperUser", "firstWebsiteSetup", "finished"],
            );
            const posted = (action: string) => steps.find((s) => s.action === action)!.post;
            assert.deepEqual(posted("databaseSetup"), {
                module: "Installation",
                action: "databaseSetup",
                host: `127.0.0.1:${port}`,
                username: DB.user,
                password: DB.password,
                dbname: DB.name,
                tables_prefix: TABLES_PREFIX,
                adapter: "PDO\\MYSQL",
            });
            const superuser = posted("setupSuperUser");
            assert.deepEqual(
                [superuser.login, superuser.password, superuser.password_bis],
                [SUPERUSER.login, SUPERUSER.password, SUPERUSER.password],
            );
            assert.equal(superuser.email, "admin@analytics.example.com");
            const site = posted("firstWebsiteSetup");
            assert.deepEqual(
                { siteName: site.siteName, url: site.url, timezone: site.timezone },
                { siteName: "Example site", url: "https://www.example.com", timezone: "Europe/Copenhagen" },
            );
            const output = result.stdout + result.stderr;
            assert.ok(!output.includes(DB.password) && !output.includes(SUPERUSER.password), "no secret in the log");
            assert.equal(state().status, DATABASE_STATE.installed);
            // The stack's privacy settings, as Matomo stores them, over the installer's ticked boxes.
            assert.deepEqual(options(), {
                enableBrowserTriggerArchiving: "0",
                piwikUrl: "https://analytics.example.com/",
                "PrivacyManager.ipAnonymizerEnabled": "1",
                "PrivacyManager.ipAddressMaskLength": "3",
                "PrivacyManager.useAnonymizedIpForVisitEnrichment": "0",
                "PrivacyManager.doNotTrackEnabled": "0",
                "PrivacyManager.forceCookielessTracking": "0",
                "PrivacyManager.anonymizeUserId": "0",
                "PrivacyManager.anonymizeOrderId": "0",
                "PrivacyManager.anonymizeReferrer": "exclude_query",
            });
        });

        it("stops at a form Matomo rejects, with Matomo's message, before anything else is written", async () => {
            const result = await install({ [SCRIPT_ENV.superuserEmail]: "admin@analytics.invalid" });
            assert.equal(result.status, 1);
            assert.match(result.stderr, /FAILED at step setupSuperUser: Matomo did not accept the form \(HTTP 200\)/);
            assert.match(result.stderr, /Please fix the following errors:\n {2}The email doesn't have a valid format\./);
            assert.equal(requests().at(-1)!.action, "setupSuperUser", "no step after the rejected one");
            assert.deepEqual([rows("user"), rows("site")], ["0", "0"], "no website without a superuser");
        });

        it("stops when the system check finds a problem, before touching the database", async () => {
            const result = await install({ INSTALLER_FAIL_SYSTEM_CHECK: "1" });
            assert.equal(result.status, 1);
            assert.match(result.stderr, /FAILED at step systemCheck: HTTP 200, no way on to databaseSetup/);
            assert.match(result.stderr, /Matomo requires the mbstring extension/);
            assert.equal(state().status, DATABASE_STATE.empty);
        });

        it("leaves no web server behind, workers included", async () => {
            const port = await freePort();
            const result = spawnSync("sh", ["-c", scriptOn(port)], { env: env(), encoding: "utf8", timeout: 60_000 });
            assert.equal(result.status, 0, result.stderr);
            const left = leftoverProcesses().filter((p) => p.command.includes(`127.0.0.1:${port}`));
            for (const p of left) process.kill(p.pid, "SIGKILL");
            assert.deepEqual(left, []);
        });
    });
});
