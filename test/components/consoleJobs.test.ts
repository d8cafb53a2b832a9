/** The MatomoConsoleJobs component on its own: one CronJob per configured job, under fixed names. */
import assert from "node:assert/strict";
import { MatomoConsoleJobs, type MatomoConsoleJobsArgs } from "../../components/jobs/console";
import { NO_MAINTENANCE } from "../../components/k8s/maintenance";
import { buildAlone, sampleWorkload } from "../support/component";
import { all, podSpecOf } from "../support/harness";
import { assertPlaced, SAMPLE_PLACEMENT } from "../support/placement";

const SCHEDULE = {
    schedule: "@hourly",
    activeDeadlineSeconds: 600,
    phpMemoryLimit: "1024M",
    resources: { requests: { memory: "1Gi", cpu: "100m" }, limits: { memory: "2Gi" } },
};
const HISTORY = { ttlSecondsAfterFinished: 60, successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 2, startingDeadlineSeconds: 60 };
const ARCHIVER = {
    ...SCHEDULE,
    name: "archive",
    concurrentArchivers: 1,
    concurrentRequestsPerWebsite: 2,
    forceIdSites: [],
    skipIdSites: [],
};

/** The component the last `build` made. */
let built: MatomoConsoleJobs;

function build(args: Partial<MatomoConsoleJobsArgs> = {}) {
    return buildAlone(
        () =>
            (built = new MatomoConsoleJobs("cron", {
                ...sampleWorkload(),
                webUrl: "http://web/",
                archivers: [ARCHIVER],
                scheduledTasks: SCHEDULE,
                history: HISTORY,
                maintenance: NO_MAINTENANCE,
                ...args,
            })),
    );
}

const names = (run: Awaited<ReturnType<typeof build>>) =>
    all(run, "kubernetes:batch/v1:CronJob")
        .map((c) => c.inputs.metadata.name as string)
        .sort();

describe("MatomoConsoleJobs", () => {
    it("puts each family's pods where its placement says, and only its", async () => {
        const run = await build({ placement: { scheduledTasks: SAMPLE_PLACEMENT } });
        const cronJobs = all(run, "kubernetes:batch/v1:CronJob");
        assertPlaced(cronJobs.find((c) => c.inputs.metadata.name === "matomo-scheduled-tasks")!);
        const archive = cronJobs.find((c) => c.inputs.metadata.name !== "matomo-scheduled-tasks")!;
        assert.equal(podSpecOf(archive).priorityClassName, undefined);
    });

    it("leaves matomo.js alone: only the web pods serve it", async () => {
        for (const job of all(await build(), "kubernetes:batch/v1:CronJob")) {
            const prepare = podSpecOf(job).initContainers!.find((c) => c.name === "prepare-webroot")!;
            assert.doesNotMatch((prepare.command as string[])[2], /custom-matomo-js/);
        }
    });

    it("runs the archivers and the scheduled tasks, nothing optional unless given", async () => {
        assert.deepEqual(names(await build()), ["matomo-archive", "matomo-scheduled-tasks"]);
    });

    it("adds the deletion (with the scripts mounted) and the LDAP sync when given", async () => {
        const run = await build({
            deleteData: { ...SCHEDULE, sites: [4, 2], daysToKeep: 30 },
            ldapSync: { ...SCHEDULE, purgeNonExistentUsers: false },
        });
        assert.deepEqual(names(run), ["matomo-archive", "matomo-delete-data", "matomo-ldap-sync", "matomo-scheduled-tasks"]);
        const del = all(run, "kubernetes:batch/v1:CronJob").find((c) => c.inputs.metadata.name === "matomo-delete-data")!;
        const pod = podSpecOf(del);
        assert.ok(pod.volumes!.some((v) => v.name === "scripts"));
        assert.equal(pod.containers[0].env!.find((e) => e.name === "MATOMO_DELETE_SITES")!.value, "4 2");
    });

    it("lists every CronJob with its schedule, for the alert rules", async () => {
        await build({ ldapSync: { ...SCHEDULE, schedule: "15 4 * * *", purgeNonExistentUsers: false } });
        const scheduled = await new Promise((resolve) => built.scheduled.apply(resolve));
        assert.deepEqual(scheduled, [
            { name: "matomo-archive", schedule: "@hourly" },
            { name: "matomo-scheduled-tasks", schedule: "@hourly" },
            { name: "matomo-ldap-sync", schedule: "15 4 * * *" },
        ]);
    });

    it("applies the history policy to every CronJob", async () => {
        for (const cron of all(await build(), "kubernetes:batch/v1:CronJob")) {
            assert.deepEqual(
                [cron.inputs.spec.successfulJobsHistoryLimit, cron.inputs.spec.startingDeadlineSeconds, cron.inputs.spec.timeZone],
                [2, 60, "UTC"],
            );
        }
    });

    it("lists the Matomo image's pull secrets in every CronJob's pod, also in a run skipped for maintenance", async () => {
        const image = { ...sampleWorkload().image, pullSecrets: ["matomo-registry"] };
        for (const maintenance of [NO_MAINTENANCE, { ui: true, tracking: true }]) {
            const cronJobs = all(await build({ image, maintenance }), "kubernetes:batch/v1:CronJob");
            assert.ok(cronJobs.length >= 2);
            for (const cronJob of cronJobs) assert.deepEqual(podSpecOf(cronJob).imagePullSecrets, [{ name: "matomo-registry" }]);
        }
    });
});
