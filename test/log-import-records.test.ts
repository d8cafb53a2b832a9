/**
 * The log import's records in Matomo's database (import-records.php beside import-logs.sh, as in
 * the import pod), with the real backup and restore scripts on the same real MariaDB: a restore
 * rolls the records back with the visits, so the next import brings the database back to one
 * action per line; a backup and a restore never meet a file being imported; records kept on the
 * log volume by earlier versions move into the database once.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./support/harness";
import { expected, type ImportTest, LogImportBench, logLines, PREFIX } from "./support/logImport";
import { spawnGroupSync } from "./support/processes";
import { requireBinaries } from "./support/system";

const SCRIPTS = join(ROOT, "components/database/scripts");
const keyOf = (line: string) => createHash("sha256").update(line, "latin1").digest("hex");

describe("the log import's records in Matomo's database, with backups and restores", function () {
    this.timeout(60_000);
    let base: string;
    let bench: LogImportBench;
    const holders: ChildProcess[] = [];

    before(async function () {
        requireBinaries(this, "python3", "php", "mariadbd", "mariadb-install-db", "mariadb", "mariadb-dump", "gzip");
        base = mkdtempSync(join(tmpdir(), "log-import-records-"));
        bench = await LogImportBench.start(base);
    });

    afterEach(() => {
        for (const holder of holders.splice(0)) holder.kill("SIGKILL");
    });

    after(async () => {
        await bench?.stop();
        if (base) rmSync(base, { recursive: true, force: true });
    });

    /** backup-database.sh or restore-database.sh on the test's database, its backups in `backups`. */
    const database = (t: ImportTest, script: "backup" | "restore", backups: string, more: Record<string, string> = {}) => {
        const r = spawnGroupSync("sh", [join(SCRIPTS, `${script}-database.sh`)], {
            encoding: "utf8",
            timeout: 30_000,
            env: {
                ...process.env,
                BACKUP_DIR: backups,
                BACKUP_DB_HOST: "127.0.0.1",
                BACKUP_DB_PORT: t.env.MATOMO_DB_PORT,
                BACKUP_DB_NAME: t.database,
                BACKUP_DB_USER: t.env.MATOMO_DB_USER,
                BACKUP_DB_PASSWORD_FILE: t.env.MATOMO_DB_PASSWORD_FILE,
                BACKUP_KEEP: "5",
                RESTORE_BACKUP: "latest",
                RESTORE_TABLES_PREFIX: PREFIX,
                ...more,
            },
        });
        return { status: r.status, output: r.stdout + r.stderr };
    };
    /** The test's actions as `<path> <count>` for every path recorded more than once. */
    const duplicates = (t: ImportTest) =>
        bench.db.query(`SELECT url, COUNT(*) FROM ${t.database}.${PREFIX}log_link_visit_action GROUP BY idsite, url HAVING COUNT(*) > 1`);
    /** A session holding the import's lock, as a backup or a restore does, until it is killed. */
    const holdLock = async (t: ImportTest) => {
        const holder = spawn("mariadb", [
            "-h127.0.0.1",
            `-P${t.env.MATOMO_DB_PORT}`,
            `-u${t.env.MATOMO_DB_USER}`,
            `-p${bench.password}`,
            t.database,
            "-e",
            "SELECT GET_LOCK(CONCAT('log-import:', DATABASE()), 0), SLEEP(60)",
        ]);
        holders.push(holder);
        await until(() => lockHolder(t) !== "NULL");
    };
    const lockHolder = (t: ImportTest) => bench.db.query(`SELECT IS_USED_LOCK('log-import:${t.database}')`)[0][0];

    it("keeps each log's record in Matomo's database, not on the log volume", async () => {
        const t = await bench.setUp("records");
        const a = logLines("a", 1, 4);
        t.write("1", "a.log", a);
        const run = t.run();
        assert.equal(run.status, 0, run.output);
        assert.match(run.stdout, /^import records: 0 record\(s\) in Matomo's database$/m);
        assert.deepEqual(t.records(), [`1 ${keyOf(a[0])} 4 0 a.log`]);
        assert.ok(!existsSync(join(t.state, "sites")), "no record on the volume");
        assert.match(t.recordsLog(), /created matomo_logimport_record with the 0 record\(s\) found in/);
    });

    it("moves the records an earlier version kept on the log volume into the database on its first run: nothing is imported twice", async () => {
        const t = await bench.setUp("migration");
        const [a, b] = [logLines("a", 1, 6), logLines("b", 1, 5)];
        t.write("1", "a.log", a);
        t.write("1", "b.log", b);
        // As the earlier import-logs.sh left them: a.log imported to line 4, b.log failed once at line 3.
        mkdirSync(join(t.state, "sites", "1"), { recursive: true });
        writeFileSync(join(t.state, "sites", "1", keyOf(a[0])), "4 0 a.log\n");
        writeFileSync(join(t.state, "sites", "1", keyOf(b[0])), "2 1 b.log\n");
        bench.db.query(
            `INSERT INTO ${t.database}.${PREFIX}log_link_visit_action (idsite, server_time, url) VALUES ` +
                [...a.slice(0, 4), ...b.slice(0, 2)]
                    .map((l) => `(1, NOW(), 'https://one.example.org${/"GET (\S+)/.exec(l)![1]}')`)
                    .join(", "),
        );

        const run = t.run();
        assert.equal(run.status, 0, run.output);
        assert.match(
            t.recordsLog(),
            /created matomo_logimport_record with the 2 record\(s\) found in .*\/sites \(left there, no longer written\)/,
        );
        assert.match(run.stdout, /"a\.log" grew from 4 to 6 lines: importing lines 5-6/);
        assert.match(run.stdout, /resuming "b\.log" from line 3 \(--skip=2\), attempt 2 of 3/);
        assert.deepEqual(t.actions(), expected(["1", a], ["1", b]));
        assert.deepEqual(t.records(), [`1 ${keyOf(a[0])} 6 0 a.log`, `1 ${keyOf(b[0])} 5 0 b.log`].sort());
    });

    it("after a restore of an older backup, the next import brings back every line once (330 lines, then more, restored, imported again)", async () => {
        const t = await bench.setUp("restore");
        const backups = mkdtempSync(join(base, "backups-"));
        const [a, b, c, d] = [logLines("a", 1, 250), logLines("b", 1, 80), logLines("c", 1, 40), logLines("d", 1, 30)];
        t.write("1", "a.log", a.slice(0, 200));
        t.write("2", "b.log", b);
        assert.equal(t.run().status, 0);
        assert.equal(t.actions().length, 280);
        t.write("1", "a.log", a);
        assert.equal(t.run().status, 0);
        assert.equal(t.actions().length, 330, "330 lines imported");
        const backup = database(t, "backup", backups);
        assert.equal(backup.status, 0, backup.output);
        assert.match(backup.output, /holding the log import's lock: no file is being imported/);

        // After the backup: a new file, and one of another site; both reach Matomo.
        t.write("1", "c.log", c);
        t.write("2", "d.log", d);
        assert.equal(t.run().status, 0);
        assert.equal(t.actions().length, 400);

        const restore = database(t, "restore", backups, { RESTORE_BACKUP: readdirSync(backups).filter((f) => f.endsWith(".sql.gz"))[0] });
        assert.equal(restore.status, 0, restore.output);
        assert.match(restore.output, /holding the log import's lock/);
        assert.equal(t.actions().length, 330, "the restore took the database back to the backup");

        const again = t.run();
        assert.equal(again.status, 0, again.output);
        assert.match(again.stdout, /imported "c\.log" lines 1-40/);
        assert.match(again.stdout, /imported "d\.log" lines 1-30/);
        assert.match(again.stdout, /Every file is imported\./);
        assert.deepEqual(t.actions(), expected(["1", a], ["2", b], ["1", c], ["2", d]));
        assert.deepEqual(duplicates(t), []);
    });

    it("a backup waits for the file being imported, so that a restore of it holds every line once", async () => {
        const t = await bench.setUp("backup-in-flight");
        const backups = mkdtempSync(join(base, "backups-"));
        const [a, b] = [logLines("a", 1, 60), logLines("b", 1, 20)];
        t.write("1", "a.log", a);
        t.control({ delayMs: 150 }); // 6 bulk requests of 10 lines: about a second in flight
        const importing = t.start({ LOG_IMPORT_OPTIONS: "--recorder-max-payload-size=10" });
        await until(() => lockHolder(t) !== "NULL");
        const backup = database(t, "backup", backups);
        assert.equal(backup.status, 0, backup.output);
        assert.match(backup.output, /holding the log import's lock: no file is being imported/);
        const first = await importing;
        assert.equal(first.status, 0, first.output);
        t.control({});

        t.write("1", "b.log", b);
        assert.equal(t.run().status, 0);
        const restore = database(t, "restore", backups);
        assert.equal(restore.status, 0, restore.output);
        assert.deepEqual(t.actions(), expected(["1", a]), "the backup has all of a.log, and its record");
        assert.equal(t.run().status, 0);
        assert.deepEqual(t.actions(), expected(["1", a], ["1", b]));
        assert.deepEqual(duplicates(t), []);
    });

    it("writes the record of a file on a new connection when the database dropped the old one meanwhile", async () => {
        const t = await bench.setUp("reconnect");
        const a = logLines("a", 1, 30);
        t.write("1", "a.log", a);
        t.control({ delayMs: 150 });
        const importing = t.start({ LOG_IMPORT_OPTIONS: "--recorder-max-payload-size=5" });
        await until(() => lockHolder(t) !== "NULL");
        bench.db.query(`KILL ${lockHolder(t)}`); // a database restart, a proxy reconnecting
        const run = await importing;
        assert.equal(run.status, 0, run.output);
        assert.match(t.recordsLog(), /the database connection was lost \(.*\): connecting again/);
        assert.deepEqual(t.records(), [`1 ${keyOf(a[0])} 30 0 a.log`]);
        t.control({});
        assert.equal(t.run().status, 0);
        assert.deepEqual(t.actions(), expected(["1", a]), "nothing imported twice");
    });

    it("an import waits for a backup or restore holding the lock, and stops for the next run when it holds it too long", async () => {
        const t = await bench.setUp("lock-busy");
        const a = logLines("a", 1, 3);
        t.write("1", "a.log", a);
        await holdLock(t);
        const run = t.run({ LOG_LOCK_WAIT_SECONDS: "1" });
        assert.equal(run.status, 0, run.output);
        assert.match(
            run.stdout,
            /Stopped: a backup or restore of the database has held the import lock for 1 s\. The next run continues\.\n$/,
        );
        assert.deepEqual(t.actions(), []);
        bench.db.query(`KILL ${lockHolder(t)}`); // the backup ends
        await until(() => lockHolder(t) === "NULL");
        assert.equal(t.run().status, 0);
        assert.deepEqual(t.actions(), expected(["1", a]));
    });

    it("a restore never runs beneath a file being imported: after waiting, it leaves the database untouched", async () => {
        const t = await bench.setUp("restore-busy");
        const backups = mkdtempSync(join(base, "backups-"));
        t.write("1", "a.log", logLines("a", 1, 3));
        assert.equal(t.run().status, 0);
        assert.equal(database(t, "backup", backups).status, 0);
        t.write("1", "b.log", logLines("b", 1, 3));
        assert.equal(t.run().status, 0);
        await holdLock(t); // as the import holds it while a file is in flight
        const restore = database(t, "restore", backups, { BACKUP_LOCK_WAIT_SECONDS: "1" });
        assert.equal(restore.status, 3, restore.output);
        assert.match(
            restore.output,
            /the log import is still importing a file after 1 s .*; let it finish, or stop its Job, and restore again; the database was not touched/,
        );
        assert.equal(t.actions().length, 6);
    });

    it("imports nothing when its records do not answer", async () => {
        const t = await bench.setUp("no-records");
        t.write("1", "a.log", logLines("a", 1, 3));
        const run = t.run({ LOG_RECORDS_WAIT_SECONDS: "1" }, { records: false });
        assert.equal(run.status, 1, run.output);
        assert.match(run.stdout, /the import records \(import-records\.php\) did not answer in 1 s: no answer at .*records\.sock/);
        assert.deepEqual(t.actions(), []);

        // The database refuses the sidecar (at once, not after its 600 s wait): it says why in its own
        // log, to which the import points.
        writeFileSync(join(t.dir, "wrong-password"), "not the password");
        const wrong = t.run({ LOG_RECORDS_WAIT_SECONDS: "1", MATOMO_DB_PASSWORD_FILE: join(t.dir, "wrong-password") });
        assert.equal(wrong.status, 1, wrong.output);
        assert.match(wrong.stdout, /did not answer in 1 s: .*\(its own log, the pod's container import-records, says why\)/);
        assert.match(
            t.recordsLog(),
            /import-records: FAILED: the database at 127\.0\.0\.1:\d+ refused the password of user matomo \(\[1045\]/,
        );
        assert.deepEqual(t.actions(), []);
        assert.deepEqual(t.runs(), []);
    });
});

/** Waits (up to 20 s) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
    for (let i = 0; i < 400 && !condition(); i++) await new Promise((done) => setTimeout(done, 50));
    assert.ok(condition(), "timed out waiting");
}
