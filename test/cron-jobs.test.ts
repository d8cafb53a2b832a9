/**
 * The console CronJobs (archivers, scheduled tasks, raw-data deletion, LDAP sync) as both stacks
 * render them: the command each runs, when, in which time zone, with which policies, memory and
 * resources, and the pieces of config.ini.php they rely on.
 */
import assert from "node:assert/strict";
import { phpSizeBytes } from "../components/k8s/units";
import { parseQuantity } from "../components/k8s/units";
import { archiveCommand, ldapSyncCommand } from "../components/jobs/consoleCommands";
import { consoleJobs } from "../components/jobs/console";
import { BACKOFF_LIMITS } from "../components/jobs/backoffLimits";
import { cronJobSpec } from "../components/k8s/jobs";
import { revealSecrets, type CapturedResource, type ProgramRun } from "../scripts/lib/mockEngine";
import { all, one, podSpecOf, run, runStack, stackConfig, withChanges, type Container } from "./support/harness";
import { LDAP_VARIANT } from "./support/variants";

type Obj = Record<string, any>;
const CRONJOB = "kubernetes:batch/v1:CronJob";

const cronJob = (r: ProgramRun, name: string) => {
    const found = all(r, CRONJOB).find((c) => c.inputs.metadata.name === name);
    if (!found)
        throw new Error(
            `no CronJob ${name}; have ${all(r, CRONJOB)
                .map((c) => c.inputs.metadata.name)
                .join(", ")}`,
        );
    return found;
};
const main = (c: CapturedResource): Container => podSpecOf(c).containers[0];
const configIni = (r: ProgramRun) =>
    (revealSecrets(one(r, "kubernetes:core/v1:Secret", "matomo-config").inputs.stringData) as Obj)["config.ini.php"] as string;
const memoryFlag = (argv: string[]) => argv[argv.indexOf("-d") + 1].replace("memory_limit=", "");

const STACKS = {
    dev: { namespace: "matomo-dev", archivers: ["matomo-archive"], sites: "all" },
    prod: { namespace: "matomo", archivers: ["matomo-archive-main-site", "matomo-archive-other-sites"], sites: "1 2" },
} as const;

for (const [stack, expected] of Object.entries(STACKS)) {
    describe(`console CronJobs (${stack} stack)`, () => {
        let result: ProgramRun;
        before(async () => {
            result = await runStack(stack);
        });

        it("are the archivers, the scheduled tasks and the deletion, under fixed names", () => {
            const names = all(result, CRONJOB)
                .map((c) => c.inputs.metadata.name as string)
                .filter((n) => n.startsWith("matomo-") && !n.startsWith("matomo-log-"));
            assert.deepEqual(names.sort(), [...expected.archivers, "matomo-delete-data", "matomo-scheduled-tasks"].sort());
        });

        it("never overlap, start late at most startingDeadlineSeconds, keep bounded history and run in matomo:timezone", () => {
            for (const c of all(result, CRONJOB)) {
                const spec = c.inputs.spec as Obj;
                assert.equal(spec.concurrencyPolicy, "Forbid", c.name);
                assert.equal(spec.timeZone, "Europe/Copenhagen", `${c.name}: the schedule's zone, not the controller's`);
                assert.equal(spec.startingDeadlineSeconds, 600);
                assert.equal(spec.successfulJobsHistoryLimit, 1);
                assert.equal(spec.failedJobsHistoryLimit, 3);
                const job = spec.jobTemplate.spec;
                assert.equal(job.ttlSecondsAfterFinished, 86400);
                assert.ok(job.activeDeadlineSeconds > 0 && job.backoffLimit <= 2, c.name);
                assert.equal(job.template.spec.restartPolicy, "Never");
            }
        });

        it("run Matomo's console with the web tier's image and generated config", () => {
            const webImage = main(one(result, "kubernetes:apps/v1:Deployment", "matomo-web-deployment")).image;
            for (const name of [...expected.archivers, "matomo-scheduled-tasks", "matomo-delete-data"]) {
                const c = cronJob(result, name);
                assert.equal(main(c).image, webImage, name);
                assert.ok(
                    podSpecOf(c).volumes!.some((v) => v.name === "config"),
                    `${name} has config.ini.php`,
                );
                assert.deepEqual(
                    podSpecOf(c).volumes!.find((v) => v.name === "misc"),
                    { name: "misc", emptyDir: {} },
                    `${name}: no RWO claim`,
                );
            }
        });

        it("archive through the in-cluster Service, which config.ini.php trusts, with browser archiving off", () => {
            const url = `http://matomo.${expected.namespace}.svc/`;
            for (const name of expected.archivers) {
                const argv = main(cronJob(result, name)).command!;
                assert.deepEqual(argv.slice(0, 5), ["php", "-d", argv[2], "/var/www/html/console", "core:archive"]);
                assert.ok(argv.includes(`--url=${url}`), name);
                assert.ok(argv.some((a) => /^--concurrent-archivers=\d+$/.test(a)));
                assert.ok(argv.some((a) => /^--concurrent-requests-per-website=\d+$/.test(a)));
                assert.equal(argv.at(-1), "--no-interaction");
                assert.equal(cronJob(result, name).inputs.spec.jobTemplate.spec.backoffLimit, BACKOFF_LIMITS.archive);
            }
            const ini = configIni(result);
            assert.match(ini, new RegExp(`^trusted_hosts\\[\\] = "matomo\\.${expected.namespace}\\.svc"$`, "m"));
            assert.match(ini, /^enable_browser_archiving_triggering = 0$/m);
            assert.match(ini, /^browser_archiving_disabled_enforce = 1$/m);
        });

        it("run the scheduled tasks once: in their own CronJob, never in core:archive", () => {
            for (const name of expected.archivers)
                assert.ok(main(cronJob(result, name)).command!.includes("--disable-scheduled-tasks"), name);
            const tasks = cronJob(result, "matomo-scheduled-tasks");
            assert.deepEqual(main(tasks).command!.slice(3), ["/var/www/html/console", "scheduled-tasks:run", "--no-interaction"]);
            assert.equal(tasks.inputs.spec.schedule, "15 * * * *");
        });

        it("give PHP a memory limit below the container's, also in the archivers' subprocesses", () => {
            for (const c of all(result, CRONJOB).filter(
                (c) =>
                    c.inputs.metadata.name.startsWith("matomo-") &&
                    !c.inputs.metadata.name.startsWith("matomo-log-") &&
                    c.inputs.metadata.name !== "matomo-delete-data",
            )) {
                const argv = main(c).command!;
                const php = memoryFlag(argv);
                const limit = (main(c).resources as Obj).limits.memory as string;
                assert.ok(phpSizeBytes(php) < parseQuantity(limit)!, `${c.name}: ${php} vs ${limit}`);
                if (argv.includes("core:archive")) assert.ok(argv.includes(`--php-cli-options=-d memory_limit=${php}`));
            }
        });

        it("delete raw data with the scripted command, for the configured sites and days", () => {
            const del = cronJob(result, "matomo-delete-data");
            assert.deepEqual(main(del).command, ["sh", "/etc/matomo-scripts/delete-data.sh"]);
            const env = Object.fromEntries(main(del).env!.map((e) => [e.name, e.value]));
            assert.equal(env.MATOMO_DELETE_SITES, expected.sites);
            assert.equal(env.MATOMO_DAYS_TO_KEEP, stack === "dev" ? "180" : "395");
            assert.equal(env.MATOMO_PHP_MEMORY_LIMIT, "512M");
            assert.equal(del.inputs.spec.schedule, "0 23 * * *");
            assert.ok(podSpecOf(del).volumes!.some((v) => (v as Obj).configMap?.name !== undefined && v.name === "scripts"));
        });
    });
}

describe("console CronJobs in detail", () => {
    it("split the prod archivers by site, each with its own schedule, memory and resources", async () => {
        const prod = await runStack("prod");
        const mainSite = cronJob(prod, "matomo-archive-main-site");
        const others = cronJob(prod, "matomo-archive-other-sites");
        assert.ok(main(mainSite).command!.includes("--force-idsites=1"));
        assert.ok(main(others).command!.includes("--skip-idsites=1"));
        assert.deepEqual([mainSite.inputs.spec.schedule, others.inputs.spec.schedule], ["5 * * * *", "35 * * * *"]);
        assert.equal(memoryFlag(main(mainSite).command!), "6144M");
        assert.equal((main(mainSite).resources as Obj).limits.memory, "8Gi");
        assert.equal(memoryFlag(main(others).command!), "4096M");
    });

    it("run no LDAP sync without LDAP, and sync with a failing exit code when LDAP is configured", async () => {
        assert.ok(!all(await runStack("dev"), CRONJOB).some((c) => c.inputs.metadata.name === "matomo-ldap-sync"));
        const ldap = await LDAP_VARIANT();
        const sync = cronJob(ldap, "matomo-ldap-sync");
        assert.deepEqual(main(sync).command, [
            "php",
            "-d",
            "memory_limit=192M",
            "/var/www/html/console",
            "loginldap:synchronize-users",
            "--purge-non-existent-users",
            "--ignore-warn",
            "--no-interaction",
        ]);
        assert.ok(!main(sync).command!.join(" ").includes("||"), "a failure fails the Job");
        assert.equal(sync.inputs.spec.schedule, "10 1 * * *");
        assert.equal(sync.inputs.spec.jobTemplate.spec.backoffLimit, BACKOFF_LIMITS.ldapSync);
        assert.equal(main(sync).image, "registry.example.com/matomo-ldap:5.11.2-1");
    });

    it("configure LoginLdap in config.ini.php, with the bind password only in the Secret, and activate the plugin", async () => {
        const ldap = await LDAP_VARIANT();
        const ini = configIni(ldap);
        assert.match(ini, /^\[LoginLdap\]$/m);
        assert.match(ini, /^servers\[\] = "corp"$/m);
        assert.match(ini, /^\[LoginLdap_corp\]$/m);
        assert.match(ini, /^hostname = "ldaps:\/\/ldap\.example\.com"$/m);
        assert.match(ini, /^port = 636$/m, "the plugin dials <hostname>:<port>: LDAPS's port, not 389");
        assert.match(ini, /^append_user_email_suffix_to_username = 0$/m, "the e-mail suffix never changes the login LDAP looks up");
        assert.match(ini, /^admin_pass = "ldap-bind-secret-1"$/m);
        const secret = one(ldap, "kubernetes:core/v1:Secret", "matomo-config").inputs.stringData["config.ini.php"];
        assert.notEqual(typeof secret, "string", "config.ini.php is a secret output");
        const pod = podSpecOf(cronJob(ldap, "matomo-ldap-sync"));
        const prepare = pod.initContainers!.find((c) => c.name === "prepare-webroot")!;
        assert.match(prepare.command![2], /Plugins\[\]/);
        assert.match(prepare.command![2], /LoginLdap/);
        assert.ok(!JSON.stringify(revealSecrets(pod)).includes("ldap-bind-secret-1"), "no password in the pod spec");
    });

    it("apply changed schedules and history policies", async () => {
        const changed = await run(
            withChanges(stackConfig("dev"), {
                "matomo:matomocronArchive": { cronSchedule: "*/30 * * * *" },
                "matomo:jobs": { failedJobsHistoryLimit: 5, startingDeadlineSeconds: 120 },
                "matomo:timezone": "UTC",
            }),
        );
        const spec = cronJob(changed, "matomo-archive").inputs.spec as Obj;
        assert.deepEqual(
            [spec.schedule, spec.timeZone, spec.failedJobsHistoryLimit, spec.startingDeadlineSeconds],
            ["*/30 * * * *", "UTC", 5, 120],
        );
    });
});

describe("console job builders", () => {
    const archiver = {
        name: "archive",
        schedule: "5 * * * *",
        phpMemoryLimit: "2048M",
        resources: { requests: { memory: "1Gi", cpu: "100m" }, limits: { memory: "3Gi", cpu: undefined } },
        concurrentArchivers: 2,
        concurrentRequestsPerWebsite: 4,
        forceIdSites: [] as number[],
        skipIdSites: [5, 9],
        activeDeadlineSeconds: 3600,
    };

    it("build core:archive with the site selection", () => {
        assert.deepEqual(archiveCommand(archiver, "http://matomo.ns.svc/"), [
            "php",
            "-d",
            "memory_limit=2048M",
            "/var/www/html/console",
            "core:archive",
            "--url=http://matomo.ns.svc/",
            "--concurrent-archivers=2",
            "--concurrent-requests-per-website=4",
            "--disable-scheduled-tasks",
            "--php-cli-options=-d memory_limit=2048M",
            "--skip-idsites=5,9",
            "--no-interaction",
        ]);
        assert.ok(archiveCommand({ ...archiver, skipIdSites: [], forceIdSites: [3, 4] }, "u").includes("--force-idsites=3,4"));
    });

    it("build the LDAP sync without purging unless asked", () => {
        const sync = {
            schedule: "1 1 * * *",
            phpMemoryLimit: "256M",
            resources: archiver.resources,
            purgeNonExistentUsers: false,
            activeDeadlineSeconds: 60,
        };
        assert.ok(!ldapSyncCommand(sync).includes("--purge-non-existent-users"));
    });

    it("list one job per archiver, the scheduled tasks, and the optional ones only when configured", () => {
        const tasks = {
            schedule: "15 * * * *",
            phpMemoryLimit: archiver.phpMemoryLimit,
            resources: archiver.resources,
            activeDeadlineSeconds: 60,
        };
        const jobs = consoleJobs({ webUrl: "u", archivers: [archiver, { ...archiver, name: "archive-big" }], scheduledTasks: tasks });
        assert.deepEqual(
            jobs.map((j) => j.job),
            ["archive", "archive-big", "scheduled-tasks"],
        );
    });

    it("put the policies into a CronJob spec", () => {
        const spec = cronJobSpec(
            {
                schedule: "@daily",
                timeZone: "UTC",
                activeDeadlineSeconds: 99,
                backoffLimit: 1,
                history: {
                    ttlSecondsAfterFinished: 7,
                    successfulJobsHistoryLimit: 2,
                    failedJobsHistoryLimit: 4,
                    startingDeadlineSeconds: 30,
                },
                whileMaintenance: { stopsFor: ["ui"] },
            },
            { a: "b" },
            { containers: [] },
            { cronJobName: "job", switches: { ui: false, tracking: true } },
        ) as Obj;
        assert.deepEqual(
            [
                spec.schedule,
                spec.timeZone,
                spec.concurrencyPolicy,
                spec.startingDeadlineSeconds,
                spec.successfulJobsHistoryLimit,
                spec.failedJobsHistoryLimit,
            ],
            ["@daily", "UTC", "Forbid", 30, 2, 4],
        );
        assert.equal(spec.suspend, false, "set, not left to the server: the stack owns it");
        const job = spec.jobTemplate.spec;
        assert.deepEqual(
            [job.backoffLimit, job.activeDeadlineSeconds, job.ttlSecondsAfterFinished, job.template.spec.restartPolicy],
            [1, 99, 7, "Never"],
        );
    });
});
