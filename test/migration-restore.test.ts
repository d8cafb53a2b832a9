/**
 * The migration path on a real MariaDB 10.11: an existing installation's database with another
 * table prefix, dumped by the old host's mariadb-dump, put on the backup claim under a backup's name
 * and restored with the generated restore script; the install Job's state check then reports it
 * installed under that prefix, so the install Job leaves it alone.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DATABASE_STATE, SCRIPT_ENV, scriptSource } from "../components/matomo/scripts";
import { ROOT } from "./support/harness";
import { freePort, TestMariaDb, testDatabaseEnv } from "./support/mariadbServer";
import { requireBinaries } from "./support/system";

const DB = { name: "matomo", user: "matomo", password: "migrate-pass-1" };
const OLD = "piwik_";

describe("migration of an installation with another table prefix", function () {
    this.timeout(60_000);
    let server: TestMariaDb;
    let port: number;
    let dir: string;

    before(async function () {
        requireBinaries(this, "mariadbd", "mariadb-dump", "mariadb", "gzip", "php");
        port = await freePort();
        server = await TestMariaDb.start("[mysqld]\ninnodb_flush_log_at_trx_commit = 0\n", { port });
        server.createDatabase(DB.name, DB.user, DB.password);
        dir = mkdtempSync(join(tmpdir(), "matomo-migration-"));
        writeFileSync(join(dir, "db-password"), DB.password);
        writeFileSync(join(dir, "database.php"), scriptSource("database.php"));
        writeFileSync(join(dir, "database-connection.php"), scriptSource("database-connection.php"));
    });

    after(async () => {
        await server?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("restores the old dump and the state check finds the installation under its prefix", () => {
        const t = (name: string) => `${DB.name}.${OLD}${name}`;
        server.query(
            `CREATE TABLE ${t("option")} (option_name VARCHAR(191) PRIMARY KEY, option_value LONGTEXT); INSERT INTO ${t("option")} VALUES ('version_core', '4.16.0'); ` +
                `CREATE TABLE ${t("user")} (login VARCHAR(100), superuser_access TINYINT); INSERT INTO ${t("user")} VALUES ('admin', 1); ` +
                `CREATE TABLE ${t("site")} (idsite INT); INSERT INTO ${t("site")} VALUES (1), (2);`,
        );
        const backups = join(dir, "backups");
        const env = {
            ...process.env,
            BACKUP_DIR: backups,
            BACKUP_DB_HOST: "127.0.0.1",
            BACKUP_DB_PORT: String(port),
            BACKUP_DB_NAME: DB.name,
            BACKUP_DB_USER: DB.user,
            BACKUP_DB_PASSWORD_FILE: join(dir, "db-password"),
        };
        // The old host's dump, as the runbook asks for it, named as a backup on the claim.
        mkdirSync(backups);
        const dump = spawnSync(
            "sh",
            ["-c", `mariadb-dump -h127.0.0.1 -P${port} -u${DB.user} --single-transaction --quick --routines ${DB.name} | gzip > "$OUT"`],
            { env: { ...env, MYSQL_PWD: DB.password, OUT: join(backups, "matomo-20000101T000000Z.sql.gz") }, encoding: "utf8" },
        );
        assert.equal(dump.status, 0, dump.stderr);
        server.query(`DROP TABLE ${t("option")}, ${t("user")}, ${t("site")}`);

        const restore = spawnSync("sh", [join(ROOT, "components/database/scripts/restore-database.sh")], {
            env: { ...env, RESTORE_BACKUP: "matomo-20000101T000000Z.sql.gz", RESTORE_TABLES_PREFIX: OLD },
            encoding: "utf8",
        });
        assert.equal(restore.status, 0, restore.stdout + restore.stderr);

        const state = (prefix: string) =>
            spawnSync("php", [join(dir, "database.php"), "state"], {
                env: {
                    ...process.env,
                    ...testDatabaseEnv(port, DB, join(dir, "db-password")),
                    [SCRIPT_ENV.tablesPrefix]: prefix,
                },
                encoding: "utf8",
            });
        const found = state(OLD);
        assert.equal(found.status, DATABASE_STATE.installed, found.stderr);
        assert.equal(found.stdout.trim(), "installed: 1 superuser(s), 2 website(s)");
        assert.equal(state("matomo_").status, DATABASE_STATE.empty, "without matomo.tablesPrefix the installation would not be seen");
    });
});
