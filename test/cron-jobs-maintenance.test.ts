/**
 * Every CronJob beside maintenance mode, as a stack with all of them renders it with each switch
 * on: which schedules the same `pulumi up` suspends, what a run started by hand from each does
 * (`kubectl create job --from=cronjob/...` copies the job template, not `suspend`), and that
 * nothing of it can fail a Job.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CapturedResource, ProgramRun } from "../scripts/lib/mockEngine";
import { all, podSpecOf, ROOT, run, stackConfig, withChanges } from "./support/harness";
import { requireBinaries } from "./support/system";
import { everyCronJobConfig } from "./support/variants";

type Obj = Record<string, any>;
const CRONJOB = "kubernetes:batch/v1:CronJob";

const everyCronJob = (maintenance: Parameters<typeof everyCronJobConfig>[0]) => run(everyCronJobConfig(maintenance));

const byName = (r: ProgramRun): Map<string, CapturedResource> => new Map(all(r, CRONJOB).map((c) => [c.inputs.metadata.name as string, c]));
const template = (c: CapturedResource): Obj => c.inputs.spec.jobTemplate as Obj;

const CONSOLE = ["matomo-archive", "matomo-scheduled-tasks", "matomo-delete-data", "matomo-ldap-sync"];
const RUN_THROUGH = ["geoipupdate", "matomo-log-sync"];

describe("CronJobs in maintenance", () => {
    let off: Map<string, CapturedResource>;
    let ui: Map<string, CapturedResource>;
    let tracking: Map<string, CapturedResource>;
    let both: Map<string, CapturedResource>;
    before(async () => {
        // One after the other: a program run holds the process's Pulumi settings while it runs.
        off = byName(await everyCronJob({}));
        ui = byName(await everyCronJob({ disableUi: true }));
        tracking = byName(await everyCronJob({ disableTracking: true }));
        both = byName(await everyCronJob({ disableUi: true, disableTracking: true }));
    });

    it("covers every CronJob the program can create", () => {
        assert.deepEqual(
            [...off.keys()].sort(),
            [...CONSOLE, ...RUN_THROUGH, "matomo-log-import", "mariadb-backup", "mariadb-restore"].sort(),
        );
    });

    it("are all on their schedule without maintenance, but the restore template", () => {
        for (const [name, c] of off) assert.equal(c.inputs.spec.suspend, name === "mariadb-restore", name);
    });

    const suspended = (jobs: Map<string, CapturedResource>) =>
        [...jobs]
            .filter(([, c]) => c.inputs.spec.suspend)
            .map(([name]) => name)
            .sort();

    it("UI in maintenance: every job that writes the database is suspended; the log fetch and GeoIP run", () => {
        assert.deepEqual(suspended(ui), [...CONSOLE, "matomo-log-import", "mariadb-backup", "mariadb-restore"].sort());
        assert.deepEqual(suspended(both), suspended(ui));
    });

    it("tracking off alone: only the import is suspended, the UI and the jobs behind it keep working", () => {
        assert.deepEqual(suspended(tracking), ["mariadb-restore", "matomo-log-import"]);
        for (const name of [...CONSOLE, "mariadb-backup"]) assert.deepEqual(template(tracking.get(name)!), template(off.get(name)!), name);
    });

    it("a run started by hand from a suspended console job or the import does nothing, says why and succeeds", function () {
        requireBinaries(this, "echo");
        const UI = "Matomo is in maintenance mode (UI and API switched off)";
        const TRACKING = "tracking is switched off";
        for (const [jobs, why] of [
            [ui, () => UI],
            [tracking, () => TRACKING],
            // Each names what stops it: the console jobs stop for the UI only.
            [both, (name: string) => (name === "matomo-log-import" ? `${UI} and ${TRACKING}` : UI)],
        ] as const) {
            for (const [name, c] of jobs) {
                if (!c.inputs.spec.suspend || name.startsWith("mariadb-")) continue;
                const pod = podSpecOf(c);
                const normal = podSpecOf(off.get(name)!);
                assert.equal(pod.initContainers, undefined, `${name}: no init step (the import's grants write the database)`);
                assert.equal((pod as Obj).volumes, undefined, name);
                assert.equal((pod as Obj).serviceAccountName, undefined, `${name}: no database identity`);
                assert.equal(pod.containers.length, 1);
                const [skip] = pod.containers;
                assert.equal(skip.name, normal.containers[0].name, `${name}: kubectl logs finds the same container`);
                assert.equal(skip.image, normal.containers[0].image, `${name}: an image already on the nodes`);
                assert.deepEqual(skip.securityContext, normal.containers[0].securityContext);
                const [command, ...argv] = skip.command!;
                assert.equal(command, "echo");
                assert.equal(
                    argv[0],
                    `${name}: skipped, nothing done: ${why(name)}. Its schedule is suspended until maintenance is switched off.`,
                );
                const ran = spawnSync(command, argv, { encoding: "utf8" });
                assert.equal(ran.status, 0, `${name}: the Job completes, never fails`);
                assert.equal(ran.stdout.trim(), argv[0]);
                // Not a failure, and nothing to retry.
                assert.equal(template(c).spec.template.spec.restartPolicy, "Never");
            }
        }
    });

    it("a backup started by hand in maintenance works (a quiet database before a risky operation)", () => {
        assert.deepEqual(template(ui.get("mariadb-backup")!), template(off.get("mariadb-backup")!));
    });

    it("the restore, started by hand from its suspended CronJob in maintenance, runs the restore as always", () => {
        for (const jobs of [ui, tracking, both]) {
            const restore = jobs.get("mariadb-restore")!;
            assert.equal(restore.inputs.spec.suspend, true);
            assert.deepEqual(template(restore), template(off.get("mariadb-restore")!));
            const env = podSpecOf(restore).containers[0].env!.map((e) => e.name);
            assert.ok(env.includes("RESTORE_BACKUP"), "the variable the restore procedure sets");
        }
    });

    it("the log fetch and GeoIP run through maintenance, unchanged", () => {
        for (const name of RUN_THROUGH) {
            assert.equal(both.get(name)!.inputs.spec.suspend, false, name);
            assert.deepEqual(template(both.get(name)!), template(off.get(name)!), name);
        }
    });
});

describe("CronJobs in maintenance on Cloud SQL (prod stack)", () => {
    it("suspend the console jobs, whose skipped runs start no Cloud SQL proxy", async () => {
        const prod = byName(await run(withChanges(stackConfig("prod"), { "matomo:maintenance": { disableUi: true } }), { stack: "prod" }));
        const consoleJobs = [...prod.keys()].filter((n) => n.startsWith("matomo-archive") || n === "matomo-scheduled-tasks");
        assert.ok(consoleJobs.length >= 2);
        for (const name of consoleJobs) {
            const c = prod.get(name)!;
            assert.equal(c.inputs.spec.suspend, true, name);
            assert.equal(podSpecOf(c).initContainers, undefined, `${name}: no proxy sidecar`);
        }
    });
});

describe("the documented restore, against a stack in maintenance", () => {
    const doc = readFileSync(join(ROOT, "docs", "backup-restore.md"), "utf8");
    const section = doc.slice(doc.indexOf("## Topology `eea`: restore"), doc.indexOf("## Topology `google`"));
    const commands = /```sh\n([\s\S]*?)```/.exec(section)![1];
    const jq = (args: string[], input: unknown) => {
        const result = spawnSync("jq", args, { input: JSON.stringify(input), encoding: "utf8" });
        assert.equal(result.status, 0, result.stderr);
        return result.stdout;
    };
    before(function () {
        requireBinaries(this, "jq");
    });

    it("switches maintenance on, stops the runs already going, then restores the backup it names", () => {
        const lines = commands.split("\n");
        const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
        assert.ok(at(/maintenance\.disableUi true/) < at(/delete job/), "runs stopped after maintenance is on");
        assert.ok(at(/delete job/) < at(/create job --from=cronjob\/mariadb-restore/), "and before the restore starts");
    });

    it("stops exactly the runs that are still active, whatever their CronJob", () => {
        const filter = /jq -r '([^']+)'/.exec(commands)![1];
        const jobs = {
            items: [
                { metadata: { name: "matomo-archive-29001" }, status: { active: 1 } },
                { metadata: { name: "matomo-log-import-29002" }, status: { active: 1, ready: 0 } },
                { metadata: { name: "mariadb-backup-29003" }, status: { succeeded: 1 } },
                { metadata: { name: "matomo-scheduled-tasks-29004" }, status: { failed: 1 } },
                { metadata: { name: "matomo-setup-install" }, status: {} },
            ],
        };
        assert.deepEqual(jq(["-r", filter], jobs).trim().split("\n"), ["matomo-archive-29001", "matomo-log-import-29002"]);
    });

    it("starts the restore of the named backup from the suspended CronJob's template", async () => {
        const maintenance = byName(await run(everyCronJobConfig({ disableUi: true, disableTracking: true })));
        const cronJob = maintenance.get("mariadb-restore")!;
        assert.equal(cronJob.inputs.spec.suspend, true);
        // What `kubectl create job --from=cronjob/mariadb-restore --dry-run=client -o json` prints.
        const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "restore-now" }, spec: template(cronJob).spec };
        const filter = /jq --arg b "\$BACKUP" '([^']+)'/.exec(commands)![1];
        const started = JSON.parse(jq(["--arg", "b", "matomo-20261201T013000Z.sql.gz", filter], job)) as Obj;
        const [container] = started.spec.template.spec.containers;
        assert.deepEqual(container.command, ["sh", "/etc/mariadb-backup/restore-database.sh"]);
        const env = Object.fromEntries((container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
        assert.equal(env.RESTORE_BACKUP, "matomo-20261201T013000Z.sql.gz");
    });
});
