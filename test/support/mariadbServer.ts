/**
 * A throw-away MariaDB server (Debian's `mariadb-server`, the same 10.11 series the StatefulSet
 * runs) for tests that must prove something on a real server: it listens only on a Unix socket in
 * a temporary directory and reads the server config under test exactly as the container does,
 * from an included option file.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCRIPT_ENV } from "../../components/matomo/scripts";
import { RUN_DIRECTORY } from "./processes";

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as { port: number };
            server.close(() => resolve(port));
        });
    });
}

/**
 * A data directory as `mariadb-install-db` leaves it (root without a password, no test database),
 * made once per test run and copied for each server: installing takes seconds, copying a fraction
 * of one. The first process to need it makes it under a lock; the others wait for it.
 */
export async function templateDataDirectory(): Promise<string> {
    const template = join(RUN_DIRECTORY, "mariadb-template");
    const ready = join(template, "ready");
    mkdirSync(RUN_DIRECTORY, { recursive: true });
    for (let waited = 0; !existsSync(ready); waited += 100) {
        try {
            mkdirSync(`${template}.lock`);
        } catch {
            if (waited > 120_000) throw new Error(`no MariaDB template data directory after two minutes (${template}.lock)`);
            await new Promise((resolve) => setTimeout(resolve, 100));
            continue;
        }
        rmSync(template, { recursive: true, force: true });
        mkdirSync(template);
        // A small redo log keeps the copies small (a server whose config asks for another size resizes it at start).
        writeFileSync(
            join(template, "base.cnf"),
            `[mysqld]\ndatadir=${template}/data\ninnodb_log_file_size=8M\n${process.getuid?.() === 0 ? "user=root\n" : ""}`,
        );
        const install = spawnSync(
            "mariadb-install-db",
            [`--defaults-file=${template}/base.cnf`, "--skip-test-db", "--auth-root-authentication-method=normal"],
            { encoding: "utf8" },
        );
        if (install.status !== 0) {
            rmSync(`${template}.lock`, { recursive: true, force: true });
            throw new Error(`mariadb-install-db failed:\n${install.stdout}${install.stderr}`);
        }
        writeFileSync(ready, "");
    }
    return join(template, "data");
}

export class TestMariaDb {
    private constructor(
        private readonly dir: string,
        private readonly process: ChildProcess,
    ) {}

    /**
     * Starts a server with `serverConfig` (an option file such as the rendered matomo.cnf). With a
     * `port` it also listens on 127.0.0.1:port, as clients in a pod reach it; otherwise only on its socket.
     * With a `dataDirectory` it runs on that one (which it leaves in place), not on a fresh copy.
     */
    static async start(serverConfig: string, options: { port?: number; dataDirectory?: string } = {}): Promise<TestMariaDb> {
        const dir = mkdtempSync(join(tmpdir(), "matomo-mariadb-"));
        const data = options.dataDirectory ?? `${dir}/data`;
        const base = [
            "[client]",
            `socket=${dir}/mysqld.sock`,
            "user=root",
            "[mysqld]",
            `datadir=${data}`,
            `socket=${dir}/mysqld.sock`,
            `pid-file=${dir}/mysqld.pid`,
            `log-error=${dir}/error.log`,
            ...(options.port === undefined ? ["skip-networking"] : ["bind-address=127.0.0.1", `port=${options.port}`]),
            ...(process.getuid?.() === 0 ? ["user=root"] : []),
            "",
        ].join("\n");
        writeFileSync(join(dir, "base.cnf"), base);
        writeFileSync(join(dir, "server.cnf"), serverConfig);
        writeFileSync(join(dir, "my.cnf"), `${base}!include ${dir}/server.cnf\n`);

        // The data directory is created without the config under test, as the image's entrypoint does.
        try {
            if (!options.dataDirectory) cpSync(await templateDataDirectory(), data, { recursive: true });
        } catch (e) {
            rmSync(dir, { recursive: true, force: true });
            throw e;
        }

        const child = spawn("mariadbd", [`--defaults-file=${dir}/my.cnf`], { stdio: "ignore" });
        const server = new TestMariaDb(dir, child);
        let exited = false;
        child.on("exit", () => (exited = true));
        for (let attempt = 0; attempt < 300; attempt++) {
            if (exited) break;
            if (spawnSync("mariadb", [`--defaults-file=${dir}/my.cnf`, "-e", "SELECT 1"], { stdio: "ignore" }).status === 0) {
                return server;
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const log = server.errorLog();
        await server.stop();
        throw new Error(`mariadbd did not start with this config:\n${serverConfig}\nerror log:\n${log}`);
    }

    /** The option file clients reach this server with, as root (`--defaults-file`). */
    get defaultsFile(): string {
        return join(this.dir, "my.cnf");
    }

    /** Rows of a query, each a list of column texts. */
    query(sql: string): string[][] {
        const result = spawnSync("mariadb", [`--defaults-file=${this.dir}/my.cnf`, "-N", "-B", "-e", sql], { encoding: "utf8" });
        if (result.status !== 0) throw new Error(`query failed: ${sql}\n${result.stderr}`);
        return result.stdout
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => line.split("\t"));
    }

    /** Creates a database and a user with all privileges on it, reachable over TCP. */
    createDatabase(name: string, user: string, password: string): void {
        const quoted = password.replace(/\\/g, "\\\\").replace(/'/g, "''");
        this.query(
            `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4; CREATE USER '${user}'@'%' IDENTIFIED BY '${quoted}'; ` +
                `GRANT ALL ON \`${name}\`.* TO '${user}'@'%';`,
        );
    }

    /** Global variables as name to value. */
    variables(): Map<string, string> {
        return new Map(this.query("SHOW GLOBAL VARIABLES").map(([name, value]) => [name, value ?? ""]));
    }

    errorLog(): string {
        const file = join(this.dir, "error.log");
        return existsSync(file) ? readFileSync(file, "utf8") : "";
    }

    async stop(): Promise<void> {
        if (this.process.exitCode === null && this.process.signalCode === null) {
            const exited = new Promise((resolve) => this.process.once("exit", resolve));
            // Its data is thrown away: no need for InnoDB's orderly shutdown.
            this.process.kill("SIGKILL");
            await exited;
        }
        rmSync(this.dir, { recursive: true, force: true });
    }
}

/**
 * The environment through which the shipped scripts reach a test database on 127.0.0.1:`port`, as
 * `databaseScriptEnv` gives it to the pods: host, port, database, user and the password's file.
 */
export function testDatabaseEnv(
    port: number,
    db: { readonly name: string; readonly user: string },
    passwordFile: string,
): Record<string, string> {
    return {
        [SCRIPT_ENV.dbHost]: "127.0.0.1",
        [SCRIPT_ENV.dbPort]: String(port),
        [SCRIPT_ENV.dbName]: db.name,
        [SCRIPT_ENV.dbUser]: db.user,
        [SCRIPT_ENV.dbPasswordFile]: passwordFile,
    };
}
