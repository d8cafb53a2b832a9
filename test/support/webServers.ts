/**
 * The web tier's servers, run for real on 127.0.0.1: Debian's Apache with mod_php, or php-fpm
 * behind nginx, each started from the program's rendered configuration inside a stand-in of the
 * official image's own (test/fixtures/web-server/), serving a stand-in webroot laid out like
 * Matomo's (test/fixtures/web-server/webroot/). Each server runs in a process group of its own,
 * so `stop()` ends it and every worker it forked.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

import { WEBROOT } from "../../components/matomo/paths";
import { freePort } from "./mariadbServer";

const FIXTURES = resolve(__dirname, "../fixtures/web-server");

/** A process of a server's group, and the memory a cgroup would count for it. */
export interface ServerProcess {
    readonly pid: number;
    readonly name: string;
    /** Proportional set size in bytes (shared pages split among the processes sharing them). */
    readonly pss: number;
}

/** The live processes of the process group `pgid`. */
export function processGroup(pgid: number): ServerProcess[] {
    const found: ServerProcess[] = [];
    for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
            // Fields after the parenthesised name: state, ppid, pgrp, ...
            const close = stat.lastIndexOf(")");
            const name = stat.slice(stat.indexOf("(") + 1, close);
            const [state, , pgrp] = stat.slice(close + 2).split(" ");
            if (Number(pgrp) !== pgid || state === "Z") continue;
            const pssKb = /^Pss:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${entry}/smaps_rollup`, "utf8"));
            found.push({ pid: Number(entry), name, pss: Number(pssKb?.[1] ?? 0) * 1024 });
        } catch {
            // Gone while we looked.
        }
    }
    return found;
}

/** A running server. */
export interface RunningServer {
    readonly url: string;
    /** Process groups by role: `php` holds the PHP workers (and Apache or php-fpm's master). */
    readonly groups: { readonly php: number; readonly front?: number };
    /** Where php-fpm listens (the fpm variant). */
    readonly fpmPort?: number;
    /** What the servers wrote to their logs. */
    logs(): string;
    stop(): Promise<void>;
}

function startGroup(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
    const child = spawn(command, args, { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    child.stdout!.resume();
    child.stderr!.resume();
    return child;
}

async function stopGroup(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    try {
        process.kill(-child.pid!, "SIGKILL");
    } catch {
        // Already gone.
    }
    await exited;
    // Workers may outlive their master for a moment; they are in the same group.
    for (let i = 0; i < 50 && processGroup(child.pid!).length > 0; i++) await sleep(20);
}

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Waits until `url` answers, or fails with the logs. */
async function waitForHttp(url: string, logs: () => string): Promise<void> {
    for (let i = 0; i < 100; i++) {
        try {
            if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
        } catch {
            // Not listening yet.
        }
        await sleep(50);
    }
    throw new Error(`the server at ${url} did not come up:\n${logs()}`);
}

/** Where a server started in `dir` serves from: the stand-in webroot, unless the test put a Matomo tree there first. */
export const webrootOf = (dir: string) => join(dir, "www");

/** The stand-in webroot, with what a repository cannot hold: a `.git` directory, as in a clone of Matomo. */
function standInWebroot(dir: string): void {
    cpSync(join(FIXTURES, "webroot"), webrootOf(dir), { recursive: true });
    mkdirSync(join(webrootOf(dir), ".git"));
    writeFileSync(join(webrootOf(dir), ".git", "config"), '[remote "origin"]\n\turl = PRIVATE\n');
}

/** A scratch directory with the webroot and the PHP ini the pods get. */
function prepare(dir: string, phpIni: string): void {
    // The servers' workers run as www-data or nobody when started as root: they must read it.
    chmodSync(dir, 0o755);
    if (!existsSync(join(webrootOf(dir), "matomo.php"))) standInWebroot(dir);
    mkdirSync(join(dir, "php"), { recursive: true });
    writeFileSync(join(dir, "php/zz-matomo.ini"), phpIni);
}

const fill = (template: string, values: Record<string, string>) =>
    Object.entries(values).reduce((text, [k, v]) => text.replaceAll(`@${k}@`, v), readFileSync(join(FIXTURES, template), "utf8"));
const readLog = (path: string) => {
    try {
        return readFileSync(path, "utf8");
    } catch {
        return "";
    }
};

/**
 * The image's Apache configuration with the rendered `serverConf` included where conf-enabled/ is
 * (its webroot moved to the test's); `edit` changes the image's part (a test of what the server refuses).
 */
export function apacheConfig(dir: string, port: number, serverConf: string, edit: (text: string) => string = (t) => t): string {
    mkdirSync(webrootOf(dir), { recursive: true });
    writeFileSync(join(dir, "zz-matomo-web.conf"), serverConf.replaceAll(WEBROOT, webrootOf(dir)));
    const path = join(dir, "apache.conf");
    writeFileSync(path, edit(fill("apache-image.conf", { DIR: dir, PORT: String(port), SERVER_CONF: join(dir, "zz-matomo-web.conf") })));
    return path;
}

/** The image's php-fpm configuration with the rendered `pool` included after its own pool files. */
export function fpmConfig(dir: string, pool: string): string {
    writeFileSync(join(dir, "zz-matomo-web.conf"), pool);
    const path = join(dir, "php-fpm.conf");
    writeFileSync(path, fill("php-fpm-image.conf", { DIR: dir, POOL_CONF: join(dir, "zz-matomo-web.conf") }));
    return path;
}

/** `apache2 -t` on the image's configuration (changed by `edit`) with `serverConf`: its exit status and messages. */
export function checkApache(dir: string, serverConf: string, edit?: (text: string) => string) {
    const result = spawnSync("apache2", ["-t", "-f", apacheConfig(dir, 8080, serverConf, edit)], { encoding: "utf8" });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** `php-fpm -t` on the image's configuration with `pool`. */
export function checkFpm(dir: string, pool: string) {
    const result = spawnSync(fpmBinary(), ["-t", "-y", fpmConfig(dir, pool)], { encoding: "utf8" });
    return { status: result.status, output: `${result.stdout}${result.stderr}${readLog(join(dir, "php-fpm.log"))}` };
}

/** `nginx -t` on the rendered configuration. */
export function checkNginx(dir: string, config: string) {
    const path = join(dir, "nginx.conf");
    writeFileSync(path, config);
    const result = spawnSync("nginx", ["-t", "-c", path, "-e", "stderr"], { encoding: "utf8" });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Debian names php-fpm by version (`php-fpm8.2`). */
export function fpmBinary(): string {
    // Read from the directory rather than a shell: `npm run test:unit` asks for it too, and starts no process.
    const found = existsSync("/usr/sbin")
        ? readdirSync("/usr/sbin")
              .filter((f) => f.startsWith("php-fpm"))
              .sort()[0]
        : undefined;
    return found ? `/usr/sbin/${found}` : "php-fpm";
}

/** Apache with mod_php, running the rendered `serverConf` and `phpIni`. */
export async function startApache(dir: string, serverConf: string, phpIni: string): Promise<RunningServer> {
    prepare(dir, phpIni);
    const port = await freePort();
    const config = apacheConfig(dir, port, serverConf);
    // A leading ':' adds the directory to the distribution's scan directory (opcache stays on).
    const apache = startGroup("apache2", ["-f", config, "-D", "FOREGROUND"], { PHP_INI_SCAN_DIR: `:${join(dir, "php")}` });
    const url = `http://127.0.0.1:${port}`;
    const logs = () => readLog(join(dir, "error.log"));
    const server = { url, groups: { php: apache.pid! }, logs, stop: () => stopGroup(apache) };
    await waitForHttp(`${url}/matomo.php`, logs).catch(async (e) => {
        await server.stop();
        throw e;
    });
    return server;
}

/**
 * php-fpm behind nginx, running the rendered pool, nginx config and `phpIni`. The two fixed
 * addresses of the pod (nginx's port, php-fpm's 127.0.0.1:9000) are moved to free ports.
 */
export async function startFpm(dir: string, files: { pool: string; nginx: string }, phpIni: string): Promise<RunningServer> {
    prepare(dir, phpIni);
    const [httpPort, fpmPort] = [await freePort(), await freePort()];
    const pool = files.pool.replace("127.0.0.1:9000", `127.0.0.1:${fpmPort}`);
    const nginxConf = files.nginx
        .replaceAll("127.0.0.1:9000", `127.0.0.1:${fpmPort}`)
        .replace(/listen \d+;/, `listen 127.0.0.1:${httpPort};`)
        .replace(`root ${WEBROOT};`, `root ${webrootOf(dir)};`);
    writeFileSync(join(dir, "nginx.conf"), nginxConf);
    const env = { PHP_INI_SCAN_DIR: `:${join(dir, "php")}` };
    const fpm = startGroup(fpmBinary(), ["-F", "-y", fpmConfig(dir, pool)], env);
    const nginx = startGroup("nginx", ["-c", join(dir, "nginx.conf"), "-e", "stderr", "-g", "daemon off;"], {});
    const url = `http://127.0.0.1:${httpPort}`;
    const logs = () => readLog(join(dir, "php-fpm.log"));
    const server = {
        url,
        groups: { php: fpm.pid!, front: nginx.pid! },
        fpmPort,
        logs,
        stop: async () => {
            await stopGroup(nginx);
            await stopGroup(fpm);
        },
    };
    await waitForHttp(`${url}/matomo.php`, logs).catch(async (e) => {
        await server.stop();
        throw e;
    });
    return server;
}

/** What `wrk` reports. */
export interface LoadResult {
    readonly requests: number;
    readonly requestsPerSecond: number;
    /** Responses other than 2xx/3xx. */
    readonly errors: number;
    /** Connect, read, write and timeout errors. */
    readonly socketErrors: number;
    readonly output: string;
}

/** `wrk` with `connections` open connections for `seconds` against `url`. */
export function runLoad(url: string, connections: number, seconds: number): Promise<LoadResult> {
    return new Promise((done, fail) => {
        const args = ["-t", "2", "-c", String(connections), "-d", `${seconds}s`, "--timeout", "30s", url];
        const child = spawn("wrk", args, { stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        child.once("error", fail);
        child.once("exit", (code) => {
            if (code !== 0) return fail(new Error(`wrk exited with ${code}:\n${output}`));
            const number = (re: RegExp) => Number(re.exec(output)?.[1] ?? 0);
            const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
            done({
                requests: number(/(\d+) requests in/),
                requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
                errors: number(/Non-2xx or 3xx responses: (\d+)/),
                socketErrors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
                output,
            });
        });
    });
}

/** One readiness probe as the kubelet sends it: a GET that must answer 2xx/3xx within `timeoutSeconds`. */
export async function probe(url: string, timeoutSeconds: number): Promise<{ ok: boolean; seconds: number; status?: number }> {
    const start = performance.now();
    try {
        const response = await fetch(url, { signal: AbortSignal.timeout(timeoutSeconds * 1000) });
        await response.arrayBuffer();
        return {
            ok: response.status >= 200 && response.status < 400,
            seconds: (performance.now() - start) / 1000,
            status: response.status,
        };
    } catch {
        return { ok: false, seconds: (performance.now() - start) / 1000 };
    }
}
