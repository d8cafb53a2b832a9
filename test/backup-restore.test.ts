/**
 * backup-database.sh and restore-database.sh, run for real with sh against a real MariaDB 10.11 on
 * a Matomo-like database (test/support/backupFixture.ts: utf8mb4 text, non-UTF-8 bytes in binary
 * columns, a foreign key, a view). Proves: a dropped database comes back table for table, row for
 * row and byte for byte (CHECKSUM TABLE, counts, the binary columns); the dump names no database,
 * so it restores into another; a failed run (no server, a disk that fills up) publishes nothing,
 * leaves no temporary file and keeps every earlier backup; retention keeps exactly the newest
 * BACKUP_KEEP; the restore refuses a broken or misnamed backup without touching the database; the
 * password (with quotes, backslash and #) works through the option file and is never printed.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backupsIn, EXACT_VALUES, exactValues, filesOf, gunzip, loadFixture, LOGO, snapshot } from "./support/backupFixture";
import { ROOT } from "./support/harness";
import { freePort, TestMariaDb } from "./support/mariadbServer";
import { spawnGroupSync } from "./support/processes";
import { requireBinaries } from "./support/system";

const SCRIPTS = join(ROOT, "components", "database", "scripts");
const BACKUP = join(SCRIPTS, "backup-database.sh");
const RESTORE = join(SCRIPTS, "restore-database.sh");
const EARLIER = "matomo-20240101T000000Z.sql.gz";
const DB = { name: "matomo", copy: "matomo_copy", user: "matomo", password: `db-Pa$$ "w\\o#r'd;=x` };

describe("database backup and restore scripts on a real MariaDB", function () {
    this.timeout(60_000);
    let server: TestMariaDb;
    let port: number;
    let dir: string;
    const outputs: string[] = [];
    let original: Record<string, string>;
    /** A backup of the fixture, made once. */
    let seedBackup: string;

    /** The scripts' temporary directories (with the client option file) in /tmp. */
    const workDirs = () => readdirSync("/tmp").filter((f) => /^(backup|restore)-database\./.test(f));
    const workDirsBefore = workDirs();

    before(async function () {
        requireBinaries(this, "mariadbd", "mariadb-install-db", "mariadb", "mariadb-dump", "gzip", "tar");
        port = await freePort();
        // Durability is not under test: no flush per commit, so loading a dump takes milliseconds.
        server = await TestMariaDb.start("[mysqld]\ninnodb_flush_log_at_trx_commit = 0\ninnodb_doublewrite = 0\n", { port });
        server.createDatabase(DB.name, DB.user, DB.password);
        server.query(`CREATE DATABASE ${DB.copy} CHARACTER SET utf8mb4; GRANT ALL ON ${DB.copy}.* TO '${DB.user}'@'%'`);
        loadFixture(server, DB.name);
        original = snapshot(server, DB.name);
        dir = mkdtempSync(join(tmpdir(), "matomo-backup-"));
        writeFileSync(join(dir, "db-password"), `${DB.password}\n`);
        const seed = volume();
        backup(seed);
        seedBackup = join(seed, backupsIn(seed)[0]);
    });

    after(async () => {
        await server?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** A new, empty backup volume. */
    const volume = () => mkdtempSync(join(dir, "backups-"));
    /**
     * A `date` that tells the time `epoch` (the system's date, given that moment): backups named a
     * second apart without waiting a second for each.
     */
    const clockAt = (epoch: number) => {
        const bin = join(dir, `clock-${epoch}`);
        mkdirSync(bin, { recursive: true });
        const real = spawnSync("sh", ["-c", "command -v date"], { encoding: "utf8" }).stdout.trim();
        writeFileSync(join(bin, "date"), `#!/bin/sh\nexec ${real} -d @${epoch} "$@"\n`, { mode: 0o755 });
        return { PATH: `${bin}:${process.env.PATH}` };
    };
    const env = (backupDir: string, extra: Record<string, string> = {}) => ({
        ...process.env,
        BACKUP_DIR: backupDir,
        BACKUP_DB_HOST: "127.0.0.1",
        BACKUP_DB_PORT: String(port),
        BACKUP_DB_NAME: DB.name,
        BACKUP_DB_USER: DB.user,
        BACKUP_DB_PASSWORD_FILE: join(dir, "db-password"),
        BACKUP_KEEP: "3",
        RESTORE_BACKUP: "latest",
        RESTORE_TABLES_PREFIX: "matomo_",
        ...extra,
    });
    /** Runs a script with sh (`limits`: ulimit options set first, as a smaller volume would). */
    const run = (script: string, environment: NodeJS.ProcessEnv, limits = "") => {
        const options = { cwd: dir, encoding: "utf8", timeout: 30_000, env: environment } as const;
        const result = spawnGroupSync("sh", ["-c", `${limits}exec sh "$0"`, script], options);
        outputs.push(result.stdout + result.stderr);
        return result;
    };
    const backup = (backupDir: string, extra: Record<string, string> = {}) => {
        const result = run(BACKUP, env(backupDir, extra));
        assert.equal(result.status, 0, result.stdout + result.stderr);
        return result;
    };
    /** A new volume holding an earlier backup: the seed, under an older name. */
    const volumeWithBackup = () => {
        const path = volume();
        copyFileSync(seedBackup, join(path, EARLIER));
        return path;
    };

    it("backs up, and a dropped database comes back table for table, row for row, byte for byte", () => {
        const backups = volume();
        const result = backup(backups);
        const [name] = backupsIn(backups);
        assert.deepEqual(Object.keys(filesOf(backups)), [name], "one backup, nothing else");
        assert.match(result.stdout, new RegExp(`wrote ${name.replace(/\./g, "\\.")} \\(\\d+ bytes.* in \\d+ s`));
        assert.match(result.stdout, /kept 1 backup\(s\) \(BACKUP_KEEP=3\), deleted 0/);
        const dump = gunzip(join(backups, name)).stdout;
        assert.match(dump.trimEnd().split("\n").pop() ?? "", /^-- Dump completed on \d{4}-/);
        assert.doesNotMatch(dump, /CREATE DATABASE|^USE /m, "the dump names no database");

        server.query(`DROP DATABASE ${DB.name}; CREATE DATABASE ${DB.name} CHARACTER SET utf8mb4`);
        const restore = run(RESTORE, env(backups));
        assert.equal(restore.status, 0, restore.stdout + restore.stderr);
        assert.match(restore.stdout, /9 table\(s\) and view\(s\); rows: matomo_option 3, matomo_site 2, matomo_user 2/);
        assert.deepEqual(snapshot(server, DB.name), original);
        assert.deepEqual(exactValues(server, DB.name), EXACT_VALUES);
    });

    it("restores over a changed database (tables it lacks are dropped) and into a database of another name", () => {
        const backups = volumeWithBackup();
        server.query(
            `USE ${DB.name}; DELETE FROM matomo_site_url; UPDATE matomo_option SET option_value = '6.0.0'; DROP TABLE matomo_access; ` +
                "CREATE TABLE matomo_archive_numeric_2025_01 (idarchive INT PRIMARY KEY); CREATE VIEW matomo_later AS SELECT 1 AS one",
        );
        const [name] = backupsIn(backups);
        const over = run(RESTORE, env(backups, { RESTORE_BACKUP: name }));
        assert.equal(over.status, 0, over.stdout + over.stderr);
        assert.match(over.stdout, /dropping the 10 table\(s\) and view\(s\) of matomo/);
        assert.deepEqual(snapshot(server, DB.name), original);

        const copy = run(RESTORE, env(backups, { BACKUP_DB_NAME: DB.copy }));
        assert.equal(copy.status, 0, copy.stdout + copy.stderr);
        assert.deepEqual(snapshot(server, DB.copy), original);
        // The copy's view reads the copy's tables, not those of the database the backup came from.
        server.query(
            `INSERT INTO ${DB.name}.matomo_log_visit (idsite, idvisitor, location_ip, visit_last_action_time) VALUES (1, 'x', 'y', NOW())`,
        );
        assert.notDeepEqual(snapshot(server, DB.name).matomo_visits_per_site, snapshot(server, DB.copy).matomo_visits_per_site);
        server.query(`DELETE FROM ${DB.name}.matomo_log_visit WHERE location_ip = 'y'`);
    });

    it("fails without a server: nothing published, earlier backups untouched, no temporary file", () => {
        const backups = volumeWithBackup();
        const before = filesOf(backups);
        const result = run(BACKUP, env(backups, { BACKUP_DB_PORT: "1" }));
        assert.equal(result.status, 1);
        assert.match(result.stderr, /FAILED: mariadb-dump exit 2: .*Can't connect to server on '127\.0\.0\.1'/);
        assert.match(result.stderr, /no backup published, earlier backups untouched/);
        assert.deepEqual(filesOf(backups), before);
    });

    it("fails when the volume fills up: nothing published, earlier backups untouched, no temporary file", () => {
        const backups = volumeWithBackup();
        const before = filesOf(backups);
        // A file-size limit (unprivileged, unlike a tiny tmpfs) makes gzip's writes fail partway, as a full disk does.
        const result = run(BACKUP, env(backups), "ulimit -c 0; ulimit -f 64; ");
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /FAILED: gzip could not write .*\.incomplete-matomo-.*disk full/);
        assert.deepEqual(filesOf(backups), before);
        for (const name of backupsIn(backups)) assert.equal(spawnSync("gzip", ["-t", join(backups, name)]).status, 0, name);
    });

    it("keeps the newest BACKUP_KEEP backups and their misc/user archives, deletes leftovers of killed runs", async () => {
        const backups = volume();
        const misc = join(dir, "misc-user");
        mkdirSync(misc, { recursive: true });
        writeFileSync(join(misc, "logo.png"), LOGO);
        const keep = 2;
        const made: string[] = [];
        const now = Math.floor(Date.now() / 1000);
        for (let i = 0; i < keep + 2; i++) {
            if (i === keep + 1) {
                writeFileSync(join(backups, ".incomplete-matomo-20240101T000000Z.sql.gz.AbCdEf"), "half a dump");
                writeFileSync(join(backups, "matomo-20240101T000000Z-misc-user.tar.gz"), "an orphan");
            }
            const result = backup(backups, { BACKUP_KEEP: String(keep), BACKUP_MISC_DIR: misc, ...clockAt(now + i) });
            made.push(backupsIn(backups).pop() ?? "");
            assert.match(result.stdout, new RegExp(`kept ${Math.min(i + 1, keep)} backup\\(s\\)`));
        }
        const kept = made.slice(-keep);
        assert.deepEqual(backupsIn(backups), kept);
        assert.deepEqual(Object.keys(filesOf(backups)), kept.flatMap((n) => [n.replace(".sql.gz", "-misc-user.tar.gz"), n]).sort());

        const restored = join(dir, "misc-restored");
        mkdirSync(restored);
        const result = run(RESTORE, env(backups, { RESTORE_MISC_DIR: restored }));
        assert.equal(result.status, 0, result.stdout + result.stderr);
        assert.match(result.stdout, new RegExp(`restored ${kept[1].replace(/\./g, "\\.")} into matomo`));
        assert.deepEqual(readFileSync(join(restored, "logo.png")), readFileSync(join(misc, "logo.png")));
    });

    it("refuses a broken, incomplete or misnamed backup without touching the database", () => {
        const backups = volumeWithBackup();
        const [good] = backupsIn(backups);
        const bytes = readFileSync(join(backups, good));
        writeFileSync(join(backups, "matomo-20000101T000000Z.sql.gz"), bytes.subarray(0, bytes.length >> 1));
        const cut = gunzip(join(backups, good)).stdout.trimEnd().split("\n").slice(0, -1).join("\n");
        writeFileSync(join(backups, "matomo-20000102T000000Z.sql.gz"), spawnSync("gzip", { input: Buffer.from(cut, "latin1") }).stdout);
        server.query(`CREATE TABLE ${DB.name}.matomo_changed_since (id INT); INSERT INTO ${DB.name}.matomo_changed_since VALUES (1)`);
        const now = snapshot(server, DB.name);
        for (const [name, status, message] of [
            ["matomo-20000101T000000Z.sql.gz", 3, /matomo-20000101T000000Z\.sql\.gz is broken: .*the database was not touched/],
            ["matomo-20000102T000000Z.sql.gz", 3, /is incomplete \(it does not end with the dump's completion line\)/],
            ["matomo-20990101T000000Z.sql.gz", 2, /there is no backup matomo-20990101T000000Z\.sql\.gz in/],
            [`../${good}`, 2, /RESTORE_BACKUP must be latest or a backup's file name/],
            [join(backups, good), 2, /RESTORE_BACKUP must be/],
            [`.incomplete-${good}.AbCdEf`, 2, /RESTORE_BACKUP must be/],
        ] as const) {
            const result = run(RESTORE, env(backups, { RESTORE_BACKUP: name }));
            assert.equal(result.status, status, `${name}: ${result.stderr}`);
            assert.match(result.stderr, message);
        }
        assert.deepEqual(snapshot(server, DB.name), now);
        server.query(`DROP TABLE ${DB.name}.matomo_changed_since`);
    });

    it("refuses a configuration it cannot follow, before connecting", () => {
        const backups = volume();
        for (const [script, extra, message] of [
            [BACKUP, { BACKUP_KEEP: "0" }, /BACKUP_KEEP must be a whole number of at least 1/],
            [BACKUP, { BACKUP_DB_PORT: "33o6" }, /BACKUP_DB_PORT '33o6' is not a port number/],
            [BACKUP, { BACKUP_DIR: join(dir, "missing") }, /BACKUP_DIR .* is not a writable directory/],
            [BACKUP, { BACKUP_DB_PASSWORD_FILE: "" }, /BACKUP_DB_PASSWORD_FILE is not set/],
            [RESTORE, { RESTORE_TABLES_PREFIX: "matomo_; DROP" }, /RESTORE_TABLES_PREFIX .* may only have letters, digits and _/],
            [RESTORE, { BACKUP_DB_NAME: "--all" }, /BACKUP_DB_NAME '--all' is not a database name/],
        ] as const) {
            const result = run(script, env(backups, extra));
            assert.equal(result.status, 2, `${JSON.stringify(extra)}: ${result.stderr}`);
            assert.match(result.stderr, message);
        }
        assert.deepEqual(filesOf(backups), {});
    });

    it("never prints the password, and leaves no option file in /tmp", () => {
        assert.ok(outputs.length > 20);
        for (const output of outputs) assert.ok(!output.includes(DB.password), `the password in:\n${output}`);
        assert.deepEqual(workDirs(), workDirsBefore);
    });
});
