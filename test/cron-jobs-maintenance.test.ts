/**
 * Every CronJob beside maintenance mode, as a stack with all of them renders it with each switch
 * on: which schedules the same `pulumi up` suspends, what a run started by hand from each does
 * (`kubectl create job --from=cronjob/...` copies the job template, not `suspend`), and that
 * nothing of it can fail a Job.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import type { CapturedResource, ProgramRun } from "../scripts/lib/mockEngine";
import { all, podSpecOf, run, stackConfig, withChanges } from "./support/harness";
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

    it("a run started by hand from a suspended console job or the import does nothing, says why and succeeds", () => {
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
