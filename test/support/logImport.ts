/**
 * The log import's surroundings for tests that run import-logs.sh for real: a real MariaDB holding
 * a small Matomo database per test (its site table and the actions table the hits land in), a
 * stand-in of Matomo's HTTP side on PHP's built-in server (fixtures/log-import/fake-matomo.php) and
 * a stand-in of import_logs.py that talks to it over HTTP as the real one does
 * (fixtures/log-import/fake-import-logs.py). Each run of the script has the real import records
 * beside it (import-records.php, as the pod's sidecar), on the same database. What an operator
 * counts on is read where Matomo keeps it: one row of <prefix>log_link_visit_action per line.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LOG_SCRIPT_ENV as E } from "../../components/jobs/scripts";
import { databaseConnectionScript } from "../../components/matomo/scripts/database";
import { ROOT } from "./harness";
import { freePort, TestMariaDb, testDatabaseEnv } from "./mariadbServer";
import { spawnGroupSync } from "./processes";

export const IMPORT_SCRIPT = join(ROOT, "components/jobs/scripts/import-logs.sh");
const IMPORTER = join(ROOT, "test/fixtures/log-import/fake-import-logs.py");
const FAKE_MATOMO = join(ROOT, "test/fixtures/log-import/fake-matomo.php");
const RECORDS = join(ROOT, "components/jobs/scripts/import-records.php");
/** The records sidecar's script with the file it requires beside it, as the pod's scripts ConfigMap ships them. */
function recordsScript(dir: string): string {
    mkdirSync(join(dir, "scripts"), { recursive: true });
    writeFileSync(join(dir, "scripts", "database-connection.php"), databaseConnectionScript());
    writeFileSync(join(dir, "scripts", "import-records.php"), readFileSync(RECORDS, "utf8"));
    return join(dir, "scripts", "import-records.php");
}
export const TOKEN = "0123456789abcdef0123456789abcdef";
export const PREFIX = "matomo_";
const DB_USER = { user: "matomo", password: "db-Pa$$;w'rd=#x" };

/** Access-log lines in the common log format, each one unique: `/<tag>/<n>` for n in from..to. */
export const logLines = (tag: string, from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => `1.2.3.4 - - [01/May/2024:10:00:00 +0000] "GET /${tag}/${from + i} HTTP/1.0" 200 9\n`);

/** The actions expected in Matomo: `<site> <path>` for each line, once, sorted. */
export const expected = (...logs: [string, string[]][]) =>
    logs.flatMap(([site, lines]) => lines.map((l) => `${site} ${/"GET (\S+)/.exec(l)![1]}`)).sort();

/** Matomo's control switches as the stand-in reads them (fake-matomo.php). */
export interface MatomoControl {
    maintenanceMode?: boolean;
    recordStatistics?: boolean;
    delayMs?: number;
    /** Bulk requests holding a hit with this URL path fail (500) this many times (-1: always). */
    fail?: Record<string, number>;
}

/** A MariaDB server for a test file, and a Matomo stand-in, database and directories per test. */
export class LogImportBench {
    private readonly servers: ChildProcess[] = [];
    private count = 0;
    /** The password of the tests' database user. */
    readonly password = DB_USER.password;

    private constructor(
        readonly db: TestMariaDb,
        readonly port: number,
        private readonly dir: string,
        /** The Python that runs the importer and the script's helper. */
        readonly python: string,
    ) {}

    /** Starts the database server; `dir` is the test file's scratch directory. */
    static async start(dir: string): Promise<LogImportBench> {
        const port = await freePort();
        const db = await TestMariaDb.start("[mysqld]\ninnodb_flush_log_at_trx_commit = 0\n", { port });
        db.query(`CREATE USER '${DB_USER.user}'@'%' IDENTIFIED BY '${DB_USER.password.replace(/'/g, "''")}'`);
        writeFileSync(join(dir, "db-password"), DB_USER.password);
        // Without a version manager's shim and site-packages (-S), Python starts in milliseconds, not a tenth of a second.
        const executable = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).stdout.trim();
        const python = join(dir, "python");
        writeFileSync(python, `#!/bin/sh\nexec '${executable}' -S "$@"\n`, { mode: 0o755 });
        return new LogImportBench(db, port, dir, python);
    }

    async stop(): Promise<void> {
        for (const server of this.servers) killGroup(server);
        await this.db.stop();
    }

    /** A test's database (sites 1 and 2), log root, state directory and Matomo stand-in. */
    async setUp(name: string, options: { root?: string; state?: string } = {}): Promise<ImportTest> {
        const dir = join(this.dir, name);
        const database = `import_${++this.count}`;
        this.db.query(
            `CREATE DATABASE ${database} CHARACTER SET utf8mb4; GRANT ALL ON ${database}.* TO '${DB_USER.user}'@'%'; USE ${database};
            CREATE TABLE ${PREFIX}site (idsite INTEGER UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, main_url VARCHAR(255) NOT NULL);
            CREATE TABLE ${PREFIX}option (option_name VARCHAR(191) NOT NULL PRIMARY KEY, option_value LONGTEXT NOT NULL);
            CREATE TABLE ${PREFIX}user (login VARCHAR(100) NOT NULL PRIMARY KEY);
            CREATE TABLE ${PREFIX}log_link_visit_action (idlink_va BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
                idsite INTEGER UNSIGNED NOT NULL, server_time DATETIME NOT NULL, url VARCHAR(2048) NOT NULL) ENGINE=InnoDB;
            INSERT INTO ${PREFIX}site VALUES (1, 'https://one.example.org'), (2, 'https://two.example.org');`,
        );
        mkdirSync(join(dir, options.root ?? "logs"), { recursive: true });
        const file = (f: string) => join(dir, f);
        writeFileSync(file("token"), `${TOKEN}\n`);
        writeFileSync(file("runs"), "");
        const env: Record<string, string> = {
            ...testDatabaseEnv(this.port, { name: database, user: DB_USER.user }, join(this.dir, "db-password")),
            MATOMO_TABLES_PREFIX: PREFIX,
            MATOMO_DB_WAIT_SECONDS: "5",
            FAKE_MATOMO_TOKEN: TOKEN,
            FAKE_MATOMO_CONTROL: file("control.json"),
            FAKE_IMPORTER_RUNS: file("runs"),
        };
        const port = await freePort();
        const server = spawn("php", ["-S", `127.0.0.1:${port}`, FAKE_MATOMO], {
            detached: true,
            stdio: "ignore",
            env: { ...process.env, ...env, PHP_CLI_SERVER_WORKERS: "2" },
        });
        this.servers.push(server);
        await waitForHttp(`http://127.0.0.1:${port}/matomo.php`);
        return new ImportTest(this, dir, database, join(dir, options.root ?? "logs"), join(dir, options.state ?? "state"), {
            ...env,
            [E.root]: join(dir, options.root ?? "logs"),
            [E.stateDir]: join(dir, options.state ?? "state"),
            [E.sites]: "1 2",
            [E.importer]: IMPORTER,
            [E.python]: this.python,
            [E.matomoUrl]: `http://127.0.0.1:${port}/`,
            [E.tokenFile]: file("token"),
            [E.options]: "",
            [E.maxAttempts]: "3",
            [E.recordsSocket]: file("records.sock"),
            [E.recordsWaitSeconds]: "10",
            [E.lockWaitSeconds]: "2",
        });
    }
}

/** One test's import: its files, its runs of the script and what reached Matomo. */
export class ImportTest {
    constructor(
        private readonly bench: LogImportBench,
        readonly dir: string,
        readonly database: string,
        readonly root: string,
        readonly state: string,
        readonly env: Record<string, string>,
    ) {}

    /** Writes a log as rsync does: a temporary dotfile renamed into place. */
    write(site: string, name: string, lines: string[] | Buffer): void {
        mkdirSync(join(this.root, site), { recursive: true });
        const temp = join(this.root, site, `.${name}.Xy12Ab`);
        writeFileSync(temp, Array.isArray(lines) ? lines.join("") : lines);
        renameSync(temp, join(this.root, site, name));
    }

    /** Matomo's switches and injected failures, from the next request on. */
    control(control: MatomoControl): void {
        writeFileSync(this.env.FAKE_MATOMO_CONTROL, JSON.stringify(control));
    }

    /** A run of the script, with the import records answering beside it as in the pod (`records: false`: without). */
    run(more: Record<string, string> = {}, options: { records?: boolean } = {}) {
        const r = spawnGroupSync("sh", this.command(options.records ?? true), {
            env: { ...process.env, ...this.env, ...more },
            encoding: "utf8",
            timeout: 30_000,
        });
        return { status: r.status, stdout: r.stdout, stderr: r.stderr, output: r.stdout + r.stderr };
    }

    /** A run in the background (its process group is killed when it ends or `timeoutMs` passes). */
    start(more: Record<string, string> = {}, timeoutMs = 30_000): Promise<{ status: number | null; output: string }> {
        const child = spawn("sh", this.command(true), { detached: true, env: { ...process.env, ...this.env, ...more } });
        let output = "";
        child.stdout.on("data", (d: Buffer) => (output += d.toString()));
        child.stderr.on("data", (d: Buffer) => (output += d.toString()));
        const timer = setTimeout(() => killGroup(child), timeoutMs);
        return new Promise((done) =>
            child.once("close", (status) => {
                clearTimeout(timer);
                killGroup(child);
                done({ status, output });
            }),
        );
    }

    private command(records: boolean): string[] {
        return [
            "-c",
            `${records ? 'php "$1" >>"$2" 2>&1 & ' : ""}exec sh "$0"`,
            IMPORT_SCRIPT,
            recordsScript(this.dir),
            join(this.dir, "records.log"),
        ];
    }

    /** What import-records.php printed in every run. */
    recordsLog(): string {
        try {
            return readFileSync(join(this.dir, "records.log"), "utf8");
        } catch {
            return "";
        }
    }

    /** The import records as the database holds them: `<site> <key> <lines> <failed runs> <name>`. */
    records(): string[] {
        return this.bench.db
            .query(`SELECT idsite, log_key, lines_imported, failed_runs, file_name FROM ${this.database}.${PREFIX}logimport_record`)
            .map((row) => row.join(" "))
            .sort();
    }

    /** What Matomo holds: one `<site> <path>` per action, sorted. */
    actions(): string[] {
        return this.bench.db
            .query(`SELECT idsite, url FROM ${this.database}.${PREFIX}log_link_visit_action`)
            .map(([site, url]) => `${site} ${new URL(url).pathname}`)
            .sort();
    }

    /** The importer's arguments, one list per run. */
    runs(): string[][] {
        return readFileSync(this.env.FAKE_IMPORTER_RUNS, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l) as string[]);
    }
}

function killGroup(child: ChildProcess): void {
    try {
        process.kill(-child.pid!, "SIGKILL");
    } catch {
        // Already gone.
    }
}

async function waitForHttp(url: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
        try {
            await fetch(url, { signal: AbortSignal.timeout(1000) });
            return;
        } catch {
            await new Promise((done) => setTimeout(done, 50));
        }
    }
    throw new Error(`the Matomo stand-in at ${url} did not come up`);
}
