/**
 * The web tier's metrics with the real tools on 127.0.0.1: Debian's Apache serves the rendered
 * status page to Debian's prometheus-apache-exporter, which must offer the metrics the alerts of
 * docs/monitoring.md use, under those names; the status page answers nowhere else. php-fpm answers
 * the status request that hipages' php-fpm_exporter sends (Debian has no package of it) on the
 * rendered status listener, with every field the exporter reads (phpfpm/phpfpm.go, v2.2.0), and
 * nginx never passes `/status` to it.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spareWorkers } from "../components/config/sections/webServer";
import { APACHE_STATUS, FPM_STATUS, WEB_EXPORTERS } from "../components/matomo/webMetrics";
import { webServerFiles } from "../components/matomo/webServer";
import { freePort } from "./support/mariadbServer";
import { requireBinaries } from "./support/system";
import { checkApache, fpmBinary, sleep, startApache, startFpm, type RunningServer } from "./support/webServers";

const SIZING = { workers: 3, spareWorkers: spareWorkers(3), maxRequestsPerWorker: 100, keepAliveTimeout: 0 };
const EXPORTER = "prometheus-apache-exporter";

/** The metric families (and label values) the alerts and the dashboard read from apache_exporter. */
const APACHE_METRICS = [
    /^apache_up 1$/m,
    /^apache_workers\{state="busy"\} \d+$/m,
    /^apache_workers\{state="idle"\} \d+$/m,
    /^apache_scoreboard\{state="idle"\} \d+$/m,
    /^apache_scoreboard\{state="reply"\} \d+$/m,
    /^apache_accesses_total \d+$/m,
    /^apache_sent_kilobytes_total \d+$/m,
    /^apache_uptime_seconds_total \d+$/m,
];

/** Runs `command` in a process group of its own until `stop()` kills the group. */
function startProcess(command: string, args: string[]) {
    const child = spawn(command, args, { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    return {
        output: () => output,
        stop: async () => {
            if (child.exitCode !== null || child.signalCode !== null) return;
            const exited = new Promise((done) => child.once("exit", done));
            process.kill(-child.pid!, "SIGKILL");
            await exited;
        },
    };
}

/** The body at `url` once it answers with `status`, or the last answer after ~5 s. */
async function waitFor(url: string, until: (body: string) => boolean): Promise<string> {
    let body = "";
    for (let i = 0; i < 100; i++) {
        try {
            body = await (await fetch(url, { signal: AbortSignal.timeout(2000) })).text();
            if (until(body)) return body;
        } catch {
            // Not listening yet.
        }
        await sleep(50);
    }
    return body;
}

describe("the web tier's metrics, read by the real exporters' way on 127.0.0.1", function () {
    this.timeout(60_000);
    let dir: string;
    let server: RunningServer | undefined;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "web-metrics-"))));
    afterEach(async () => {
        await server?.stop();
        server = undefined;
        rmSync(dir, { recursive: true, force: true });
    });

    describe("Apache's mod_status and the apache_exporter", function () {
        before(function () {
            requireBinaries(this, "apache2", EXPORTER);
        });

        it("offers the metrics the alerts use (busy workers up to MaxRequestWorkers), from the status page on 127.0.0.1, which no other port serves", async () => {
            const statusPort = await freePort();
            const statusAddress = `127.0.0.1:${statusPort}`;
            const conf = webServerFiles({ ...SIZING, variant: "apache" }, true)["apache.conf"].replaceAll(
                APACHE_STATUS.address,
                statusAddress,
            );
            assert.notEqual(conf, webServerFiles({ ...SIZING, variant: "apache" }, true)["apache.conf"], "the status address is moved");
            server = await startApache(dir, conf, "");

            // The pod's scrape URI, on the test's port. Debian's exporter (0.12) names its listen flag
            // --telemetry.address; the image's (1.x) --web.listen-address.
            const scrapeUri = WEB_EXPORTERS.apache.args[0].replace(APACHE_STATUS.address, statusAddress);
            const metricsPort = await freePort();
            const exporter = startProcess(EXPORTER, [scrapeUri, `--telemetry.address=127.0.0.1:${metricsPort}`]);
            try {
                await fetch(`${server.url}/matomo.php`);
                const metrics = await waitFor(`http://127.0.0.1:${metricsPort}/metrics`, (b) => /^apache_up 1$/m.test(b));
                const missing = APACHE_METRICS.filter((re) => !re.test(metrics)).map(String);
                assert.deepEqual(
                    missing,
                    [],
                    `${metrics
                        .split("\n")
                        .filter((l) => l.startsWith("apache_"))
                        .join("\n")}\n${exporter.output()}`,
                );
                assert.match(metrics, /^apache_accesses_total [1-9]\d*$/m, "the request to matomo.php is counted");
                assert.doesNotMatch(metrics, /^apache_exporter_scrape_failures_total [1-9]/m);

                // Saturation: two slow requests and the status request itself hold all three workers.
                const slow = [1, 2].map(() => fetch(`${server!.url}/matomo.php?mib=1&ms=4000`));
                const busy = (b: string) => Number(/^apache_workers\{state="busy"\} (\d+)$/m.exec(b)?.[1] ?? 0);
                const during = await waitFor(`http://127.0.0.1:${metricsPort}/metrics`, (b) => busy(b) === SIZING.workers);
                assert.equal(busy(during), SIZING.workers, "busy workers reach MaxRequestWorkers");
                await Promise.all(slow);
            } finally {
                await exporter.stop();
            }
            // The web port refuses the status page, even from 127.0.0.1 (Debian's status.conf allows that).
            assert.equal((await fetch(`${server.url}${APACHE_STATUS.path}?auto`)).status, 403);
            assert.equal((await fetch(`http://${statusAddress}${APACHE_STATUS.path}?auto`)).status, 200);
        });

        it("is a check that can fail: an exporter pointed at the web port is refused, counts a failure and has no workers", async () => {
            const conf = webServerFiles({ ...SIZING, variant: "apache" }, true)["apache.conf"].replaceAll(
                APACHE_STATUS.address,
                `127.0.0.1:${await freePort()}`,
            );
            server = await startApache(dir, conf, "");
            const metricsPort = await freePort();
            const uri = `--scrape_uri=${server.url}${APACHE_STATUS.path}?auto`;
            const exporter = startProcess(EXPORTER, [uri, `--telemetry.address=127.0.0.1:${metricsPort}`]);
            try {
                const metrics = await waitFor(`http://127.0.0.1:${metricsPort}/metrics`, (b) => /^apache_up /m.test(b));
                // apache_up says only that Apache answered (both 0.12 and 1.x): a refused status page
                // is a scrape failure, and the series the alerts read are missing.
                assert.match(metrics, /^apache_exporter_scrape_failures_total [1-9]\d*$/m);
                assert.doesNotMatch(metrics, /^apache_workers\{/m);
            } finally {
                await exporter.stop();
            }
        });
    });

    describe("Apache without mod_status", function () {
        before(function () {
            requireBinaries(this, "apache2");
        });

        it("refuses to start with the status page, saying why, instead of failing every scrape", () => {
            const conf = webServerFiles({ ...SIZING, variant: "apache" }, true)["apache.conf"];
            const withoutStatus = (text: string) =>
                text.replace(/^LoadModule status_module .*$/m, "").replace(/<Location \/server-status>[^]*?<\/Location>/, "");
            const refused = checkApache(dir, conf, withoutStatus);
            assert.notEqual(refused.status, 0);
            assert.match(refused.output, /mod_status is not loaded/);
            assert.equal(checkApache(dir, conf).status, 0, checkApache(dir, conf).output);
        });
    });

    describe("php-fpm's status page, as php-fpm_exporter reads it", function () {
        before(function () {
            requireBinaries(this, "nginx", fpmBinary());
        });

        it("answers on its own listener, also while every worker is busy, with every field the exporter reads; nginx never passes /status", async () => {
            const statusPort = await freePort();
            const files = webServerFiles({ ...SIZING, variant: "fpm" }, true);
            const pool = files["fpm-pool.conf"].replace(FPM_STATUS.address, `127.0.0.1:${statusPort}`);
            server = await startFpm(dir, { pool, nginx: files["nginx.conf"] }, "");
            assert.equal((await fetch(`${server.url}${FPM_STATUS.path}?json`)).status, 404, "the web port never shows the status");

            // The exporter's FastCGI request (SCRIPT_NAME and SCRIPT_FILENAME /status, QUERY_STRING
            // json&full), sent by an nginx of the test's to the status listener.
            const bridgePort = await freePort();
            const bridge = join(dir, "bridge.conf");
            writeFileSync(
                bridge,
                `pid ${dir}/bridge.pid; error_log stderr; daemon off; events {}
http { access_log off; client_body_temp_path ${dir}/b; fastcgi_temp_path ${dir}/f; proxy_temp_path ${dir}/p; uwsgi_temp_path ${dir}/u; scgi_temp_path ${dir}/s;
  server { listen 127.0.0.1:${bridgePort};
    location = /status { fastcgi_param SCRIPT_NAME /status; fastcgi_param SCRIPT_FILENAME /status; fastcgi_param QUERY_STRING json&full;
      fastcgi_param REQUEST_METHOD GET; fastcgi_param REMOTE_ADDR 127.0.0.1; fastcgi_pass 127.0.0.1:${statusPort}; } } }\n`,
            );
            const nginx = startProcess("nginx", ["-c", bridge, "-e", "stderr"]);
            try {
                const body = await waitFor(`http://127.0.0.1:${bridgePort}/status`, (b) => b.startsWith("{"));
                const status = JSON.parse(body) as Record<string, unknown> & { processes: Record<string, unknown>[] };
                for (const field of POOL_FIELDS) assert.ok(field in status, `${field} in ${body}\n${nginx.output()}`);
                assert.ok(status.processes.length >= 1);
                for (const field of PROCESS_FIELDS) assert.ok(field in status.processes[0], field);
                assert.ok(
                    status.processes.every((p) => ["Idle", "Running"].includes(String(p.state))),
                    body,
                );

                // Saturation: with every worker busy, the status listener (a pool of its own) still answers.
                const slow = Array.from({ length: SIZING.workers }, () => fetch(`${server!.url}/matomo.php?mib=1&ms=4000`));
                // Workers serving the slow requests: all of the pool's (a status request served by the pool
                // itself would hold one of them).
                const serving = (b: string) =>
                    b.startsWith("{")
                        ? (JSON.parse(b) as { processes: Record<string, unknown>[] }).processes.filter(
                              (p) => p.state === "Running" && String(p["request uri"]).startsWith("/matomo.php"),
                          ).length
                        : 0;
                const during = await waitFor(`http://127.0.0.1:${bridgePort}/status`, (b) => serving(b) === SIZING.workers);
                assert.equal(serving(during), SIZING.workers, `every worker busy, and the status answered: ${during}`);
                await Promise.all(slow);
            } finally {
                await nginx.stop();
            }
        });
    });
});

/** The pool fields php-fpm_exporter 2.2.0 reads (its Pool struct's JSON names). */
const POOL_FIELDS = [
    "pool",
    "process manager",
    "start time",
    "start since",
    "accepted conn",
    "listen queue",
    "max listen queue",
    "listen queue len",
    "idle processes",
    "active processes",
    "total processes",
    "max active processes",
    "max children reached",
    "slow requests",
    "processes",
];
/** The per-process fields it reads (PoolProcess), of which the alerts use the state and the request duration. */
const PROCESS_FIELDS = ["pid", "state", "start time", "start since", "requests", "request duration", "request method", "request uri"];
