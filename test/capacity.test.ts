/**
 * The web tier holds a burst: workers sized to the container's memory (the model's properties and
 * its validation), the database's `max_connections` covering every connection the installation can
 * open, and both sums checked on what the dev and prod stacks render.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { budgetTotal, connectionBudget, SETUP_CONNECTIONS, SPARE_CONNECTIONS } from "../components/config/sections/connections";
import {
    APCU_BYTES,
    BASE_BYTES,
    DEFAULT_MAX_WORKERS,
    defaultWorkers,
    OPCACHE_BYTES,
    SERVER_BASE_BYTES,
    spareWorkers,
    webMemory,
    WORKER_OVERHEAD_BYTES,
    workersThatFit,
} from "../components/config/sections/webServer";
import { phpSizeBytes, parseQuantity } from "../components/k8s/units";
import { main as render } from "../scripts/render";
import { assertRejected, google, parse, valid, type Changes } from "./support/configCases";
import { all, one, podSpecOf, runStack, stackConfig } from "./support/harness";
import type { ProgramRun } from "../scripts/lib/mockEngine";

const MiB = 2 ** 20;
const limits = fc.integer({ min: 64, max: 256 * 1024 }).map((mib) => mib * MiB);
const phpLimits = fc.integer({ min: 16, max: 16 * 1024 }).map((mib) => mib * MiB);

describe("capacity", () => {
    describe("the web memory model", () => {
        it("never gives more workers than fit: base + workers × (memory_limit + overhead) stays within the limit", () => {
            fc.assert(
                fc.property(limits, phpLimits, (limit, php) => {
                    const workers = defaultWorkers(limit, php);
                    assert.ok(webMemory(workers, limit, php).worstCase <= limit || workers === 0);
                    // As many as fit, up to the cap: one more would not fit.
                    if (workers < DEFAULT_MAX_WORKERS) assert.ok(webMemory(workers + 1, limit, php).worstCase > limit);
                }),
            );
        });

        it("gives more memory at least as many workers, and a larger memory_limit at most as many", () => {
            fc.assert(
                fc.property(limits, limits, phpLimits, phpLimits, (a, b, p, q) => {
                    const [small, large] = a <= b ? [a, b] : [b, a];
                    const [low, high] = p <= q ? [p, q] : [q, p];
                    assert.ok(workersThatFit(small, low) <= workersThatFit(large, low));
                    assert.ok(workersThatFit(small, high) <= workersThatFit(small, low));
                }),
            );
        });

        it("adds up: the base is the caches and the server, each worker its PHP limit and overhead", () => {
            assert.equal(BASE_BYTES, OPCACHE_BYTES + APCU_BYTES + SERVER_BASE_BYTES);
            fc.assert(
                fc.property(fc.integer({ min: 1, max: 256 }), limits, phpLimits, (workers, limit, php) => {
                    const m = webMemory(workers, limit, php);
                    assert.equal(m.perWorker, php + WORKER_OVERHEAD_BYTES);
                    assert.equal(m.worstCase, m.base + workers * m.perWorker);
                }),
            );
        });

        it("keeps a quarter of the workers ready and never more idle ones than workers", () => {
            fc.assert(
                fc.property(fc.integer({ min: 1, max: 256 }), (workers) => {
                    const s = spareWorkers(workers);
                    assert.ok(1 <= s.min && s.min === s.start && s.min <= s.max && s.max <= workers);
                    if (workers >= 2) assert.ok(s.max > s.min, "Apache wants MaxSpareServers above MinSpareServers");
                }),
            );
        });
    });

    describe("the database connection budget", () => {
        it("sums the web workers (with a rollout's extra pod), each archiver and its requests, each job and the spare", () => {
            const input = {
                webReplicas: 3,
                webWorkers: 7,
                rollingSurge: true,
                archivers: [{ name: "a", concurrentRequestsPerWebsite: 6 }],
                consoleJobs: ["scheduled tasks"],
            };
            assert.equal(budgetTotal(connectionBudget(input)), 4 * 7 + 7 + 1 + SETUP_CONNECTIONS + SPARE_CONNECTIONS);
            fc.assert(
                fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 256 }), fc.boolean(), (replicas, workers, surge) => {
                    const more = connectionBudget({ ...input, webReplicas: replicas + 1, webWorkers: workers, rollingSurge: surge });
                    const less = connectionBudget({ ...input, webReplicas: replicas, webWorkers: workers, rollingSurge: surge });
                    assert.equal(budgetTotal(more) - budgetTotal(less), workers);
                }),
            );
        });
    });

    describe("validation", () => {
        it("refuses more workers than fit, with the sum and the knobs", () => {
            assertRejected({ "matomo:matomo": { webServer: { maxWorkers: 5 } } }, "matomo:matomo.webServer.maxWorkers", "at most 3 fit");
            assertRejected(
                { "matomo:matomo": { webServer: { maxWorkers: 5 } } },
                "matomo:matomo.webServer.maxWorkers",
                "PHP_MEMORY_LIMIT 256M",
            );
        });

        it("refuses a PHP memory_limit that leaves room for one worker, and accepts one worker when asked for", () => {
            const big = { environment: { PHP_MEMORY_LIMIT: "768M" } };
            assertRejected({ "matomo:matomo": big }, "matomo:matomo.environment.PHP_MEMORY_LIMIT", "fits 1 worker");
            assert.equal(valid({ "matomo:matomo": { ...big, webServer: { maxWorkers: 1 } } }).webServer.workers, 1);
        });

        it("refuses keep-alive longer than 5 s with Apache, where each idle connection holds a worker", () => {
            assertRejected(
                { "matomo:matomo": { webServer: { keepAliveTimeout: 30 } } },
                "matomo:matomo.webServer.keepAliveTimeout",
                "holds a worker",
            );
            const fpm = valid({ "matomo:matomo": { image: { tag: "5.11.2-fpm" }, webServer: { variant: "fpm", keepAliveTimeout: 30 } } });
            assert.equal(fpm.webServer.keepAliveTimeout, 30);
            assert.equal(fpm.webServer.nginx?.image.reference, "nginxinc/nginx-unprivileged:1.28-alpine");
        });

        it("refuses nginx settings when Apache serves the pods, where they would have no effect", () => {
            assertRejected(
                { "matomo:matomo": { webServer: { nginx: { resources: { limits: { memory: "256Mi" } } } } } },
                "matomo:matomo.webServer.nginx",
                'webServer.variant is "apache"',
            );
        });

        it("refuses an image of the other variant", () => {
            assertRejected({ "matomo:matomo": { webServer: { variant: "fpm" } } }, "matomo:matomo.image.tag", "5.11.2-fpm");
            assertRejected({ "matomo:matomo": { image: { tag: "5.11.2-fpm" } } }, "matomo:matomo.image.tag", 'webServer.variant to "fpm"');
        });

        it("refuses a MariaDB max_connections below the budget, naming both sides", () => {
            const changes = { "matomo:mariadb": { commands: ["--max_connections=15"] } };
            assertRejected(
                changes,
                "matomo:mariadb.commands",
                "max_connections got 15, below what this installation can open at once: 22 (web: 1 pod × 3 workers: 3",
            );
            assertRejected(changes, "matomo:mariadb.commands", "spare (a shell, a dump, monitoring): 10)");
        });

        it("sets MariaDB's max_connections to the budget when the stack does not", () => {
            const cfg = valid({ "matomo:mariadb": { commands: [] } });
            assert.equal(cfg.topology, "eea");
            if (cfg.topology !== "eea") return;
            assert.deepEqual(
                cfg.mariadb.serverOptions.filter((o) => o.name === "max_connections"),
                [{ name: "max_connections", value: "22" }],
            );
        });

        it("refuses a Cloud SQL max_connections flag below the budget, and a shared-core tier too small for it", () => {
            const prod = stackConfig("prod");
            const issues = (changes: Changes) => parse(changes, prod).issues;
            const flag = issues({ "matomo:cloudsql": { flags: { max_connections: "40" } } });
            assert.equal(flag[0]?.key, "matomo:cloudsql.flags.max_connections");
            assert.match(
                flag[0].message,
                /max_connections got 40, below .*: 54 \(web: 4 pods \(one more during a rollout\) × 7 workers: 28/,
            );
            const micro = issues({
                "matomo:cloudsql": { tier: "db-f1-micro", availabilityType: "ZONAL" },
                "matomo:matomo": { replicaCount: 40, resources: { limits: { memory: "16Gi" } } },
            });
            const tier = micro.find((i) => i.key === "matomo:cloudsql.tier");
            assert.ok(tier, JSON.stringify(micro));
            assert.match(tier.message, /accepts at most 250 connections/);
        });

        it("sets the Cloud SQL flag to the budget when the stack does not", () => {
            const cfg = google(valid({}, stackConfig("prod")));
            assert.ok("create" in cfg.cloudsql.instance);
            if ("create" in cfg.cloudsql.instance)
                assert.equal(cfg.cloudsql.instance.create.flags.max_connections, "54", "53 + the log import's grant step");
        });
    });

    for (const stack of ["dev", "prod"]) {
        describe(`the ${stack} stack as rendered`, () => {
            let run: ProgramRun;
            before(async () => (run = await runStack(stack)));

            it("fits its web pods' worst-case memory in their limit", () => {
                const web = rendered(run);
                const worst = BASE_BYTES + web.workers * (web.phpMemoryLimit + WORKER_OVERHEAD_BYTES);
                assert.ok(web.workers >= 2, `${web.workers} workers`);
                assert.ok(worst <= web.memoryLimit, `${worst} > ${web.memoryLimit}`);
            });

            it("allows every database connection it can open", () => {
                const web = rendered(run);
                const archivers = all(run, "kubernetes:batch/v1:CronJob")
                    .map((c) => (podSpecOf(c).containers[0].command ?? []).join(" "))
                    .filter((command) => command.startsWith("php "));
                const perJob = archivers.map((command) => {
                    const concurrent = /--concurrent-requests-per-website=(\d+)/.exec(command);
                    return concurrent ? 1 + Number(concurrent[1]) : 1;
                });
                const total = web.pods * web.workers + perJob.reduce((a, b) => a + b, 0) + SETUP_CONNECTIONS + SPARE_CONNECTIONS;
                assert.ok(total <= maxConnections(run), `${total} connections > max_connections ${maxConnections(run)}`);
            });

            it("prints both sums with npm run render -- --format capacity", async () => {
                let out = "";
                assert.equal(
                    await render(
                        ["--stack", stack, "--format", "capacity"],
                        (t) => (out += t),
                        () => undefined,
                    ),
                    0,
                );
                assert.match(out, /^web memory, worst case: .* ≤ limit /m);
                assert.match(out, /^ {2}total +\d+ ≤ max_connections \d+$/m);
            });
        });
    }
});

/** The web tier's figures as the rendered objects state them. */
function rendered(run: ProgramRun) {
    const deployment = one(run, "kubernetes:apps/v1:Deployment", "matomo-web-deployment").inputs;
    const container = podSpecOf(one(run, "kubernetes:apps/v1:Deployment", "matomo-web-deployment")).containers[0] as Record<string, any>;
    const apache = one(run, "kubernetes:core/v1:ConfigMap", "matomo-web-server").inputs.data["apache.conf"] as string;
    const phpIni = one(run, "kubernetes:core/v1:ConfigMap", "matomo-php").inputs.data["php.ini"] as string;
    const surge = deployment.spec.strategy.type === "RollingUpdate" ? deployment.spec.strategy.rollingUpdate.maxSurge : 0;
    return {
        workers: Number(/^MaxRequestWorkers (\d+)$/m.exec(apache)![1]),
        pods: deployment.spec.replicas + surge,
        phpMemoryLimit: phpSizeBytes(/^memory_limit = (\S+)$/m.exec(phpIni)![1]),
        memoryLimit: parseQuantity(container.resources.limits.memory)!,
    };
}

/** The database's max_connections as rendered: MariaDB's option file, or the Cloud SQL flag. */
function maxConnections(run: ProgramRun): number {
    const mariadb = run.resources.find((r) => r.name === "mariadb-server-config");
    if (mariadb) return Number(/^max_connections = (\d+)$/m.exec(mariadb.inputs.data["matomo.cnf"])![1]);
    const instance = one(run, "gcp:sql/databaseInstance:DatabaseInstance").inputs;
    return Number(instance.settings.databaseFlags.find((f: { name: string }) => f.name === "max_connections").value);
}
