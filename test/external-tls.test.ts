/**
 * Topology external's clients against a real MariaDB 10.11 that requires TLS
 * (`require_secure_transport`), with a CA and a server certificate made by openssl: the backup and
 * restore scripts (their option file's `ssl-ca` and `ssl-verify-server-cert`, neither when not
 * checking the server) and the PDO scripts'
 * connection (database-connection.php, for the install Job and the log import) get through with
 * the settings the stack gives them, over TLS, and are refused by a server whose certificate another
 * CA signed. Matomo's own connection is config.ini.php's, whose keys the stack tests read with PHP.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clientTlsEnv } from "../components/database/clientTls";
import type { DatabaseEndpoint } from "../components/database/endpoint";
import { DATABASE_STATE, installScript, SCRIPT_ENV, scriptSource } from "../components/matomo/scripts";
import { databaseScriptEnv } from "../components/matomo/scripts/database";
import { backupsIn, loadFixture, snapshot } from "./support/backupFixture";
import { ROOT } from "./support/harness";
import { freePort, testDatabaseEnv, TestMariaDb } from "./support/mariadbServer";
import { spawnGroupSync } from "./support/processes";
import { requireBinaries } from "./support/system";

const SCRIPTS = join(ROOT, "components", "database", "scripts");
const CONNECTION = join(ROOT, "components", "matomo", "scripts", "database-connection.php");
const DB = { name: "matomo", user: "matomo", password: "tls-Pa$$word;x" };

/** A CA (`name`.pem, with its key) in `dir`, and a server certificate for 127.0.0.1 signed by it. */
function makeCa(dir: string, name: string): void {
    const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
    ssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        `/CN=${name}`,
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.pem`,
    );
}
function makeServerCertificate(dir: string, ca: string): void {
    const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr");
    writeFileSync(join(dir, "san.ext"), "subjectAltName = IP:127.0.0.1, DNS:localhost\n");
    ssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        `${ca}.pem`,
        "-CAkey",
        `${ca}.key`,
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        "san.ext",
        "-out",
        "server.pem",
    );
}

/** An endpoint as the stack hands it to the clients, with TLS checked against `caFile`. */
const endpointWith = (caFile: string, verify: boolean) =>
    ({ tls: { caFile, verifyServerCertificate: verify } }) as unknown as DatabaseEndpoint;

describe("topology external's clients on a real MariaDB that requires TLS", function () {
    this.timeout(90_000);
    let server: TestMariaDb;
    let port: number;
    let dir: string;

    before(async function () {
        requireBinaries(this, "openssl", "mariadbd", "mariadb-install-db", "mariadb", "mariadb-dump", "gzip", "php", "curl");
        dir = mkdtempSync(join(tmpdir(), "matomo-external-tls-"));
        makeCa(dir, "ca");
        makeCa(dir, "other-ca");
        makeServerCertificate(dir, "ca");
        port = await freePort();
        server = await TestMariaDb.start(
            [
                "[mysqld]",
                `ssl-ca=${join(dir, "ca.pem")}`,
                `ssl-cert=${join(dir, "server.pem")}`,
                `ssl-key=${join(dir, "server.key")}`,
                "require_secure_transport=ON",
                "innodb_flush_log_at_trx_commit = 0",
                "",
            ].join("\n"),
            { port },
        );
        server.createDatabase(DB.name, DB.user, DB.password);
        loadFixture(server, DB.name);
        writeFileSync(join(dir, "db-password"), DB.password);
    });

    after(async () => {
        await server?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("is a server that refuses a connection without TLS", () => {
        const connect = (...tls: string[]) =>
            spawnGroupSync(
                "mariadb",
                [
                    ...tls,
                    "--protocol=tcp",
                    "-h",
                    "127.0.0.1",
                    "-P",
                    String(port),
                    "-u",
                    DB.user,
                    `--password=${DB.password}`,
                    "-N",
                    "-e",
                    "SELECT 1",
                ],
                { encoding: "utf8", timeout: 30_000 },
            );
        const plain = connect("--skip-ssl");
        assert.notEqual(plain.status, 0);
        const encrypted = connect("--ssl", `--ssl-ca=${join(dir, "ca.pem")}`);
        assert.equal(encrypted.status, 0, `${plain.stderr} / ${encrypted.stderr}`);
    });

    const backupEnv = (backups: string, caFile: string, verify: boolean) => ({
        ...process.env,
        BACKUP_DIR: backups,
        BACKUP_DB_HOST: "127.0.0.1",
        BACKUP_DB_PORT: String(port),
        BACKUP_DB_NAME: DB.name,
        BACKUP_DB_USER: DB.user,
        BACKUP_DB_PASSWORD_FILE: join(dir, "db-password"),
        BACKUP_KEEP: "2",
        RESTORE_BACKUP: "latest",
        RESTORE_TABLES_PREFIX: "matomo_",
        ...Object.fromEntries(clientTlsEnv(endpointWith(caFile, verify)).map((e) => [e.name, e.value])),
    });
    const runScript = (script: string, env: NodeJS.ProcessEnv) =>
        spawnGroupSync("sh", [join(SCRIPTS, script)], { cwd: dir, encoding: "utf8", timeout: 60_000, env });

    it("backs up and restores over TLS, checking the server's certificate against the CA", () => {
        const backups = mkdtempSync(join(dir, "backups-"));
        const env = backupEnv(backups, join(dir, "ca.pem"), true);
        const before = snapshot(server, DB.name);
        const backup = runScript("backup-database.sh", env);
        assert.equal(backup.status, 0, backup.stdout + backup.stderr);
        assert.equal(backupsIn(backups).length, 1);
        server.query(`DROP TABLE ${DB.name}.matomo_option`);
        const restore = runScript("restore-database.sh", env);
        assert.equal(restore.status, 0, restore.stdout + restore.stderr);
        assert.deepEqual(snapshot(server, DB.name), before);
    });

    it("refuses a server whose certificate another CA signed, and leaves no backup", () => {
        const backups = mkdtempSync(join(dir, "backups-"));
        const result = runScript("backup-database.sh", backupEnv(backups, join(dir, "other-ca.pem"), true));
        assert.notEqual(result.status, 0);
        assert.match(result.stdout + result.stderr, /certificate|SSL|TLS/i);
        assert.deepEqual(readdirSync(backups), []);
    });

    it("backs up over TLS without checking the server when told not to, as Matomo's ssl_no_verify = 1 does, whatever the CA file", () => {
        // verifyServerCertificate false names the system bundle, which does not hold a private CA: here another CA's file.
        const backups = mkdtempSync(join(dir, "backups-"));
        const result = runScript("backup-database.sh", backupEnv(backups, join(dir, "other-ca.pem"), false));
        assert.equal(result.status, 0, result.stdout + result.stderr);
        assert.equal(backupsIn(backups).length, 1);
    });

    /** A PHP program that connects as the scripts do and prints the connection's cipher. */
    const cipherOf = (caFile: string, verify: boolean) => {
        const env = {
            ...process.env,
            ...testDatabaseEnv(port, DB, join(dir, "db-password")),
            [SCRIPT_ENV.dbSslCa]: caFile,
            [SCRIPT_ENV.dbSslVerify]: verify ? "1" : "0",
            [SCRIPT_ENV.waitSeconds]: "0",
        };
        const program = `require ${JSON.stringify(CONNECTION)}; echo connectDatabase("tls-test")->query("SHOW STATUS LIKE 'Ssl_cipher'")->fetch()[1];`;
        return spawnGroupSync("php", ["-r", program], { encoding: "utf8", timeout: 30_000, env });
    };

    /**
     * A connection with the driver options Matomo's PDO adapter (core/Db/Adapter/Pdo/Mysql.php)
     * makes of config.ini.php: `ssl_ca` as MYSQL_ATTR_SSL_CA, and `ssl_no_verify = 1` as
     * MYSQL_ATTR_SSL_VERIFY_SERVER_CERT false; nothing else.
     */
    const matomoStyle = (caFile: string, noVerify: boolean) => {
        const options = `[PDO::MYSQL_ATTR_SSL_CA => ${JSON.stringify(caFile)}${noVerify ? ", PDO::MYSQL_ATTR_SSL_VERIFY_SERVER_CERT => false" : ""}]`;
        const program =
            `$db = new PDO("mysql:host=127.0.0.1;port=${port};dbname=${DB.name}", ${JSON.stringify(DB.user)}, ` +
            `file_get_contents(${JSON.stringify(join(dir, "db-password"))}), ${options}); ` +
            `echo $db->query("SHOW STATUS LIKE 'Ssl_cipher'")->fetch()[1];`;
        return spawnGroupSync("php", ["-r", program], { encoding: "utf8", timeout: 30_000 });
    };

    it("is checked as config.ini.php tells Matomo: ssl_ca alone checks the certificate, ssl_no_verify does not", () => {
        const good = matomoStyle(join(dir, "ca.pem"), false);
        assert.equal(good.status, 0, good.stderr + good.stdout);
        assert.match(good.stdout, /^[A-Z0-9_-]+$/, "a TLS cipher");
        const other = matomoStyle(join(dir, "other-ca.pem"), false);
        assert.notEqual(other.status, 0, "another CA's server is refused without any other setting");
        const unchecked = matomoStyle(join(dir, "other-ca.pem"), true);
        assert.equal(unchecked.status, 0, unchecked.stderr + unchecked.stdout);
    });

    /** The MATOMO_DB_SSL_* variables the stack gives Matomo's scripts. */
    const tlsEnvOf = (caFile: string, verify: boolean) =>
        Object.fromEntries(
            databaseScriptEnv(endpointWith(caFile, verify), "matomo_")
                .filter((e) => e.name.startsWith("MATOMO_DB_SSL"))
                .map((e) => [e.name, e.value as string]),
        );

    it("lets the install Job's database check read Matomo's state over TLS", () => {
        const env = {
            ...process.env,
            ...testDatabaseEnv(port, DB, join(dir, "db-password")),
            [SCRIPT_ENV.tablesPrefix]: "matomo_",
            ...tlsEnvOf(join(dir, "ca.pem"), true),
            [SCRIPT_ENV.waitSeconds]: "0",
        };
        const state = spawnGroupSync("php", [join(ROOT, "components", "matomo", "scripts", "database.php"), "state"], {
            encoding: "utf8",
            timeout: 30_000,
            env,
        });
        assert.equal(state.status, DATABASE_STATE.installed, state.stdout + state.stderr);
        assert.match(state.stdout, /installed/);
    });

    it("installs Matomo through its installer over TLS: config/config.php gives the installer's connections the CA", async () => {
        const install = { name: "matomo_new", user: "matomo_new", password: DB.password };
        server.createDatabase(install.name, install.user, install.password);
        const [scripts, webroot] = ["install/scripts", "install/webroot"].map((d) => join(dir, d));
        mkdirSync(join(webroot, "config"), { recursive: true });
        mkdirSync(scripts, { recursive: true });
        for (const file of ["database.php", "database-connection.php", "installer-messages.php", "installer-database-tls.php"] as const)
            writeFileSync(join(scripts, file), scriptSource(file));
        for (const [fixture, as] of [
            ["matomo-installer.php", "index.php"],
            ["matomo-database-events.php", "matomo-database-events.php"],
        ])
            copyFileSync(join(ROOT, "test", "fixtures", fixture), join(webroot, as));
        writeFileSync(join(webroot, "matomo.js"), "/* the tracker */\n");
        for (const file of ["login", "superuser-password"]) writeFileSync(join(dir, "install", file), `${file}-value-42`);
        const env = {
            ...process.env,
            TMPDIR: join(dir, "install"),
            INSTALLER_LOG: join(dir, "install", "installer.log"),
            ...testDatabaseEnv(port, install, join(dir, "db-password")),
            ...tlsEnvOf(join(dir, "ca.pem"), true),
            [SCRIPT_ENV.tablesPrefix]: "matomo_",
            [SCRIPT_ENV.superuserLoginFile]: join(dir, "install", "login"),
            [SCRIPT_ENV.superuserPasswordFile]: join(dir, "install", "superuser-password"),
            [SCRIPT_ENV.superuserEmail]: "admin@analytics.example.com",
            [SCRIPT_ENV.siteName]: "Example site",
            [SCRIPT_ENV.siteUrl]: "https://www.example.com",
            [SCRIPT_ENV.timezone]: "UTC",
            [SCRIPT_ENV.waitSeconds]: "0",
        };
        const script = installScript({ scriptsDir: scripts, webroot, port: await freePort() });
        const result = spawnGroupSync("sh", ["-c", script], { env, encoding: "utf8", timeout: 60_000 });
        assert.equal(result.status, 0, result.stdout + result.stderr);
        assert.match(result.stdout, /databaseSetup: done[\s\S]*Matomo is installed/);
        assert.equal(readFileSync(join(webroot, "config", "config.php"), "utf8"), scriptSource("installer-database-tls.php"));
    });

    /** database-connection.php as the scripts run it, with the default wait of 600 s, and its time taken. */
    const connectOnce = (tls: Record<string, string>) => {
        const env = { ...process.env, ...testDatabaseEnv(port, DB, join(dir, "db-password")), ...tls };
        delete env[SCRIPT_ENV.waitSeconds];
        const started = Date.now();
        const program = `require ${JSON.stringify(CONNECTION)}; connectDatabase("tls-test");`;
        const result = spawnGroupSync("php", ["-r", program], { encoding: "utf8", timeout: 60_000, env });
        return { ...result, seconds: (Date.now() - started) / 1000 };
    };

    it("gives up at once on a failed TLS handshake, naming the TLS settings to check", () => {
        for (const ca of [join(dir, "other-ca.pem"), join(dir, "missing.pem")]) {
            const result = connectOnce(tlsEnvOf(ca, true));
            assert.equal(result.status, 1, result.stderr);
            assert.ok(result.seconds < 20, `not waited for: ${result.seconds} s`);
            assert.match(result.stderr, /TLS handshake .*Cannot connect to MySQL using SSL/);
            assert.match(
                result.stderr,
                /matomo:external\.tls\.caCertificate.*names the host 127\.0\.0\.1.*verifyServerCertificate off; not retried/,
            );
            assert.equal(/MATOMO_DB_SSL_CA \(.*\) cannot be read/.test(result.stderr), ca.endsWith("missing.pem"), result.stderr);
        }
    });

    it("says that a server refusing a clear-text login may require TLS", () => {
        const result = connectOnce({});
        assert.equal(result.status, 1, result.stderr);
        assert.match(result.stderr, /refused the password .*, or the server requires TLS \(matomo:external\.tls\.enabled\)/);
        const withTls = connectOnce({ ...tlsEnvOf(join(dir, "ca.pem"), true), [SCRIPT_ENV.dbPasswordFile]: join(dir, "ca.pem") });
        assert.match(withTls.stderr, /refused the password/);
        assert.doesNotMatch(withTls.stderr, /requires TLS/, "not said when the connection has TLS");
    });

    it("connects the PDO scripts over TLS with the CA, and refuses another CA's server", () => {
        const good = cipherOf(join(dir, "ca.pem"), true);
        assert.equal(good.status, 0, good.stderr);
        assert.match(good.stdout, /^[A-Z0-9_-]+$/, "a TLS cipher");
        const bad = cipherOf(join(dir, "other-ca.pem"), true);
        assert.equal(bad.status, 1, bad.stdout);
        assert.match(bad.stderr, /tls-test: FAILED/);
    });
});
