/**
 * The web tier under a tracking burst, on loopback: the real servers from Debian run the rendered
 * configuration, a stand-in matomo.php holds memory and time like a tracking request, and `wrk`
 * opens four times as many connections as there are workers. Run with `npm run test:load`.
 *
 * What it shows, for each variant: no request is lost, the number of PHP processes never exceeds
 * the computed workers, their memory (PSS, what a cgroup limit counts) stays below the model's
 * worst case, readiness probes answer within their timeout while the pod is busy, and fail when
 * every worker is stuck.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveWebServer, type WebServerConfig } from "../../components/config/sections/webServer";
import { renderPhpIni } from "../../components/matomo/phpIni";
import { fpmProbes, webProbes } from "../../components/matomo/webPod";
import { webServerFiles } from "../../components/matomo/webServer";
import { requireBinaries } from "../support/system";
import { fpmBinary, probe, processGroup, runLoad, sleep, startApache, startFpm, type RunningServer } from "../support/webServers";

/** A small pod: 512 MiB for PHP, 32M per request; the stand-in uses 24 MiB of it per request. */
const MEMORY_LIMIT = "512Mi";
const PHP_MEMORY_LIMIT = "32M";
const TRACKING = "/matomo.php?mib=24&ms=20";
const PROBE_TIMEOUT = webProbes("/matomo.php").readinessProbe.timeoutSeconds;

function sizing(variant: "apache" | "fpm"): WebServerConfig {
    const nginx = {
        image: { repository: "nginx", tag: "x", reference: "nginx:x", pullPolicy: "IfNotPresent" as const },
        resources: { requests: {}, limits: { memory: "64Mi" } },
    };
    const { config, issues } = resolveWebServer({
        server: { variant, maxRequestsPerWorker: 500, keepAliveTimeout: 0, nginx } as Parameters<typeof resolveWebServer>[0]["server"],
        phpMemoryLimit: PHP_MEMORY_LIMIT,
        memoryLimit: MEMORY_LIMIT,
    });
    assert.deepEqual(issues, []);
    return config!;
}

const PHP_INI = renderPhpIni({ memoryLimit: PHP_MEMORY_LIMIT, maxExecutionTime: "0", maxInputTime: "0", timezone: "UTC" });

/** Peak worker processes and memory of the PHP group while `during` runs, sampled every 50 ms. */
async function watch<T>(server: RunningServer, during: Promise<T>): Promise<{ result: T; processes: number; pss: number }> {
    let processes = 0;
    let pss = 0;
    let done = false;
    const sampler = (async () => {
        while (!done) {
            const group = processGroup(server.groups.php);
            processes = Math.max(processes, group.length);
            pss = Math.max(
                pss,
                group.reduce((sum, p) => sum + p.pss, 0),
            );
            await sleep(50);
        }
    })();
    const result = await during.finally(() => (done = true));
    await sampler;
    return { result, processes, pss };
}

/** Readiness probes every half second until `until` settles. */
async function probesDuring(url: string, until: Promise<unknown>) {
    const results: Awaited<ReturnType<typeof probe>>[] = [];
    let done = false;
    void until.finally(() => (done = true));
    while (!done) {
        results.push(await probe(`${url}/matomo.php`, PROBE_TIMEOUT));
        await sleep(500);
    }
    return results;
}

for (const variant of ["apache", "fpm"] as const) {
    describe(`the ${variant} web tier under a tracking burst`, function () {
        const web = sizing(variant);
        let dir: string;
        let server: RunningServer;

        before(async function () {
            requireBinaries(this, "wrk", ...(variant === "apache" ? ["apache2"] : [fpmBinary(), "nginx"]));
            dir = mkdtempSync(join(tmpdir(), `web-load-${variant}-`));
            const files = webServerFiles({ ...web, variant });
            server =
                variant === "apache"
                    ? await startApache(dir, files["apache.conf"], PHP_INI)
                    : await startFpm(dir, { pool: files["fpm-pool.conf"], nginx: files["nginx.conf"] }, PHP_INI);
        });

        after(async () => {
            await server?.stop();
            if (dir) rmSync(dir, { recursive: true, force: true });
        });

        it(`serves ${4 * web.workers} connections with ${web.workers} workers: nothing lost, within the memory bound, probes answered`, async () => {
            const load = runLoad(`${server.url}${TRACKING}`, 4 * web.workers, 3);
            const [watched, probes] = await Promise.all([watch(server, load), probesDuring(server.url, load)]);
            const { result, processes, pss } = watched;
            assert.equal(result.errors + result.socketErrors, 0, result.output);
            assert.ok(result.requests > 4 * web.workers, result.output);
            // The master (Apache's parent, php-fpm's master) and at most the computed workers (the
            // image's defaults would fork one per connection here).
            assert.ok(processes <= web.workers + 1, `peak processes ${processes}, above ${web.workers + 1}; ${server.logs()}`);
            assert.ok(processes > web.workers / 2, `peak processes ${processes}: the burst did not reach the workers`);
            assert.ok(pss <= web.memory.worstCase, `peak PSS ${pss} bytes above the model's ${web.memory.worstCase}`);
            assert.ok(probes.length >= 3);
            for (const p of probes) assert.ok(p.ok, `a readiness probe failed under load: ${JSON.stringify(p)}`);
        });

        if (variant === "fpm") {
            it("passes php-fpm's own liveness check while it listens, busy or not", () => {
                const command = fpmProbes().livenessProbe.exec.command;
                const script = command[2].replace(/, 9000,/, `, ${server.fpmPort},`);
                assert.equal(spawnSync(command[0], [command[1], script]).status, 0);
            });
        }

        it("fails the readiness probe when every worker is stuck", async () => {
            const stuck = new AbortController();
            const hanging = Array.from({ length: web.workers }, () =>
                fetch(`${server.url}${TRACKING}&hang=1`, { signal: stuck.signal }).catch(() => undefined),
            );
            try {
                await sleep(500);
                const result = await probe(`${server.url}/matomo.php`, PROBE_TIMEOUT);
                assert.equal(result.ok, false, `the probe answered ${result.status} while every worker hung`);
            } finally {
                stuck.abort();
                await Promise.all(hanging);
            }
        });
    });
}
