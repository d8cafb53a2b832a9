/**
 * installer-database-tls.php, the install Job's config/config.php, loaded by real PHP into a
 * stand-in of Matomo's DI container and event dispatcher (test/fixtures/matomo-database-events.php,
 * which behaves as Matomo 5.1 and 4.16 do): it turns the installer's hard-coded clear-text
 * connection settings into TLS ones from the environment, on Matomo 5 (Piwik\DI) and 4 (PHP-DI's
 * functions), and changes nothing without a CA.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installerDatabaseTlsScript, SCRIPT_ENV } from "../components/matomo/scripts";
import { ROOT } from "./support/harness";
import { requireBinaries } from "./support/system";

const EVENTS = join(ROOT, "test", "fixtures", "matomo-database-events.php");
/** The settings Matomo's installer builds from its database form (FormDatabaseSetup::createDatabaseObject). */
const INSTALLER_SETTINGS = { host: "db.example.com", port: "3306", username: "matomo", dbname: "matomo", enable_ssl: false };

describe("the installer's database TLS (installer-database-tls.php)", () => {
    let webroot: string;
    before(function () {
        requireBinaries(this, "php");
        webroot = mkdtempSync(join(tmpdir(), "matomo-installer-tls-"));
        mkdirSync(join(webroot, "config"));
        writeFileSync(join(webroot, "config", "config.php"), installerDatabaseTlsScript());
    });
    after(() => {
        if (webroot) rmSync(webroot, { recursive: true, force: true });
    });

    /** What Db::getDatabaseConfig hands the installer's adapter, and the PDO options Matomo derives from it. */
    const connectionSettings = (env: Record<string, string>, root = webroot) => {
        const program =
            `require ${JSON.stringify(EVENTS)};` +
            `$c = matomoDatabaseConfig(json_decode(${JSON.stringify(JSON.stringify(INSTALLER_SETTINGS))}, true), ${JSON.stringify(root)});` +
            "$o = matomoPdoOptions($c);" +
            "echo json_encode(['config' => $c, 'pdo' => ['ca' => $o[PDO::MYSQL_ATTR_SSL_CA] ?? null," +
            " 'verify' => array_key_exists(PDO::MYSQL_ATTR_SSL_VERIFY_SERVER_CERT, $o) ? $o[PDO::MYSQL_ATTR_SSL_VERIFY_SERVER_CERT] : 'default']]);";
        const result = spawnSync("php", ["-r", program], { encoding: "utf8", env: { PATH: process.env.PATH, ...env } });
        assert.equal(result.status, 0, result.stderr + result.stdout);
        return JSON.parse(result.stdout) as { config: Record<string, unknown>; pdo: { ca: string | null; verify: boolean | "default" } };
    };

    for (const version of ["5", "4"]) {
        it(`gives every installer connection TLS with the CA, checking the certificate when told (Matomo ${version})`, () => {
            const env = { MATOMO_STAND_IN_VERSION: version, [SCRIPT_ENV.dbSslCa]: "/etc/matomo-database-tls/ca.pem" };
            const verified = connectionSettings({ ...env, [SCRIPT_ENV.dbSslVerify]: "1" });
            assert.deepEqual(verified.config, {
                ...INSTALLER_SETTINGS,
                enable_ssl: 1,
                ssl_ca: "/etc/matomo-database-tls/ca.pem",
                ssl_no_verify: 0,
            });
            assert.equal(verified.pdo.ca, "/etc/matomo-database-tls/ca.pem");
            assert.equal(verified.pdo.verify, "default", "mysqlnd's default: checked");
            const unverified = connectionSettings({ ...env, [SCRIPT_ENV.dbSslVerify]: "0" });
            assert.equal(unverified.config.ssl_no_verify, 1);
            assert.equal(unverified.pdo.verify, false);
        });
    }

    it("leaves the installer's settings alone without a CA, and the stand-in without the file is Matomo's clear text", () => {
        assert.deepEqual(connectionSettings({}).config, INSTALLER_SETTINGS);
        const bare = mkdtempSync(join(tmpdir(), "matomo-installer-bare-"));
        try {
            const plain = connectionSettings({ [SCRIPT_ENV.dbSslCa]: "/ca.pem" }, bare);
            assert.deepEqual(plain.config, INSTALLER_SETTINGS);
            assert.equal(plain.pdo.ca, null);
        } finally {
            rmSync(bare, { recursive: true, force: true });
        }
    });
});
