/**
 * The CronJobs that run Matomo console commands: the archivers (`core:archive`), the scheduled
 * tasks, the raw-data deletion and the LDAP user sync. Every pod comes from the shared Matomo pod
 * builder, so it runs the web tier's image with the generated config.ini.php (and, on Google, the
 * Cloud SQL proxy as a native sidecar, which lets the Job complete when the command ends).
 *
 * CronJob names are fixed (`matomo-archive`, `matomo-scheduled-tasks`, ...): operators start a run
 * by name (`kubectl create job --from=cronjob/matomo-archive ...`, see docs/scheduled-work.md).
 *
 * Every one of them writes Matomo's database, so each stops while the UI is in maintenance, the
 * switch that asks for the database to be left alone (a restore, a migration, a large upgrade);
 * with only tracking switched off, the UI keeps working and so do they.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { EgressFlow } from "../k8s/egress";
import { cronJobSpec, type CronJobHistory, type ScheduledCronJob } from "../k8s/jobs";
import type { PodPlacement } from "../k8s/placement";
import type { MaintenanceSwitches, WhileMaintenance } from "../k8s/maintenance";
import { selectorLabels, standardLabels, versionLabel } from "../k8s/labels";
import type { ContainerResources } from "../k8s/resources";
import { SCRIPTS_MOUNT } from "../matomo/paths";
import {
    buildMatomoPodSpec,
    matomoEgress,
    type MatomoContainer,
    type MatomoEgress,
    type MatomoRuntimeRef,
    type MatomoWorkload,
} from "../matomo/podBuilder";
import { SCRIPT_ENV } from "../matomo/scripts";
import { BACKOFF_LIMITS } from "./backoffLimits";
import {
    archiveCommand,
    deleteDataCommand,
    ldapSyncCommand,
    scheduledTasksCommand,
    type ArchiverJob,
    type ConsoleJobSchedule,
    type DeleteDataJob,
    type LdapSyncJob,
} from "./consoleCommands";

/** The image is the web tier's (code and schema must match); the time zone is also the schedules'. */
export interface MatomoConsoleJobsArgs extends MatomoWorkload {
    /** The shared runtime, with the scripts some jobs run. */
    readonly runtime: MatomoRuntimeRef & { readonly scriptsConfigMapName: pulumi.Input<string> };
    /** Base URL of the web tier's Service, which the archivers pass as `--url`. */
    readonly webUrl: string;
    /** One CronJob each; together they must archive each site once. */
    readonly archivers: readonly ArchiverJob[];
    /** `scheduled-tasks:run` (e-mail reports, data purges, ...). */
    readonly scheduledTasks: ConsoleJobSchedule;
    /** The raw-data deletion. Defaults to none. */
    readonly deleteData?: DeleteDataJob;
    /** The LDAP user sync. Defaults to none (no LDAP). */
    readonly ldapSync?: LdapSyncJob;
    /** History and starting deadline of every CronJob. */
    readonly history: CronJobHistory;
    /** The maintenance switches that are on: each job's `whileMaintenance` says what they stop. */
    readonly maintenance: MaintenanceSwitches;
    /** What must exist before the first run may start (the install and upgrade Jobs). Defaults to none. */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
    /** Where each family's pods run and their extra labels and annotations. Defaults to none for each. */
    readonly placement?: { readonly [F in ConsoleJobFamily]?: PodPlacement };
}

/** The console jobs by what they do: every archiver is `archive`. */
export type ConsoleJobFamily = "archive" | "scheduledTasks" | "deleteData" | "ldapSync";

/** One console CronJob: its name, schedule and limits, and the container. */
interface ConsoleJob {
    /** Suffix of the CronJob's name and its `component` label. */
    readonly job: string;
    /** What it does, which decides where it runs. */
    readonly family: ConsoleJobFamily;
    readonly schedule: string;
    readonly activeDeadlineSeconds: number;
    readonly backoffLimit: number;
    readonly command: string[];
    readonly resources: ContainerResources;
    readonly env?: MatomoContainer["env"];
    /** Mount the scripts ConfigMap (for commands that are scripts). */
    readonly scripts?: boolean;
    /** The outside servers the command talks to (the scheduled tasks send the e-mail reports). */
    readonly uses: readonly (keyof MatomoEgress)[];
    readonly whileMaintenance: WhileMaintenance;
}

const SCRIPTS_VOLUME_MOUNT = { name: "scripts", mountPath: SCRIPTS_MOUNT, readOnly: true };

/** The console jobs the config asks for, in a fixed order. Pure: what the component creates. */
export function consoleJobs(
    args: Pick<MatomoConsoleJobsArgs, "webUrl" | "archivers" | "scheduledTasks" | "deleteData" | "ldapSync">,
): ConsoleJob[] {
    const jobs: ConsoleJob[] = args.archivers.map((archiver) => ({
        job: archiver.name,
        family: "archive",
        schedule: archiver.schedule,
        activeDeadlineSeconds: archiver.activeDeadlineSeconds,
        backoffLimit: BACKOFF_LIMITS.archive,
        command: archiveCommand(archiver, args.webUrl),
        resources: archiver.resources,
        uses: [],
        // As Matomo's own archiver, which refuses to start in maintenance mode ("Archiving won't
        // run because maintenance mode is enabled", exit 0). Tracking off alone: it archives what
        // was recorded.
        whileMaintenance: { stopsFor: ["ui"] },
    }));
    const tasks = args.scheduledTasks;
    jobs.push({
        job: "scheduled-tasks",
        family: "scheduledTasks",
        schedule: tasks.schedule,
        activeDeadlineSeconds: tasks.activeDeadlineSeconds,
        backoffLimit: BACKOFF_LIMITS.scheduledTasks,
        command: scheduledTasksCommand(tasks.phpMemoryLimit),
        resources: tasks.resources,
        uses: ["mail"],
        // Matomo runs them in maintenance mode (its console ignores the switch): options, e-mail
        // reports, data purges and table optimisation would all write meanwhile.
        whileMaintenance: { stopsFor: ["ui"] },
    });
    const del = args.deleteData;
    if (del) {
        jobs.push({
            job: "delete-data",
            family: "deleteData",
            schedule: del.schedule,
            activeDeadlineSeconds: del.activeDeadlineSeconds,
            backoffLimit: BACKOFF_LIMITS.deleteData,
            command: deleteDataCommand(),
            resources: del.resources,
            scripts: true,
            uses: [],
            env: [
                { name: SCRIPT_ENV.sites, value: del.sites === "all" ? "all" : del.sites.join(" ") },
                { name: SCRIPT_ENV.daysToKeep, value: String(del.daysToKeep) },
                { name: SCRIPT_ENV.phpMemoryLimit, value: del.phpMemoryLimit },
            ],
            // Matomo's deletion ignores maintenance mode: it would delete from tables being restored.
            whileMaintenance: { stopsFor: ["ui"] },
        });
    }
    const sync = args.ldapSync;
    if (sync) {
        jobs.push({
            job: "ldap-sync",
            family: "ldapSync",
            schedule: sync.schedule,
            activeDeadlineSeconds: sync.activeDeadlineSeconds,
            backoffLimit: BACKOFF_LIMITS.ldapSync,
            command: ldapSyncCommand(sync),
            resources: sync.resources,
            uses: ["ldap"],
            // Creates, updates and (with purging) deletes users, whatever maintenance mode says.
            whileMaintenance: { stopsFor: ["ui"] },
        });
    }
    return jobs;
}

export class MatomoConsoleJobs extends pulumi.ComponentResource {
    /** CronJob names by job (`archive`, `scheduled-tasks`, `delete-data`, `ldap-sync`, ...). */
    readonly cronJobNames: Readonly<Record<string, pulumi.Output<string>>>;
    /** Every CronJob with its schedule. */
    readonly scheduled: pulumi.Output<ScheduledCronJob[]>;
    /** The connections the jobs' pods open out of the installation. */
    readonly egress: readonly EgressFlow[];

    constructor(name: string, args: MatomoConsoleJobsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("matomo:index:MatomoConsoleJobs", name, {}, opts);
        const names: Record<string, pulumi.Output<string>> = {};
        const egress: EgressFlow[] = [];
        const scheduled: pulumi.Output<ScheduledCronJob>[] = [];
        for (const job of consoleJobs(args)) {
            egress.push(...matomoEgress(args, selectorLabels({ name: "matomo", component: job.job, instance: args.instance }), job.uses));
            const labels = {
                ...standardLabels({ name: "matomo", component: job.job, instance: args.instance }),
                ...versionLabel(args.image),
            };
            const podSpec = buildMatomoPodSpec(args, {
                container: {
                    name: job.job,
                    command: job.command,
                    env: job.env,
                    resources: job.resources,
                    volumeMounts: job.scripts ? [SCRIPTS_VOLUME_MOUNT] : undefined,
                },
                volumes: job.scripts ? [{ name: "scripts", configMap: { name: args.runtime.scriptsConfigMapName } }] : undefined,
            });
            const cronJobName = `matomo-${job.job}`;
            const cronJob = new k8s.batch.v1.CronJob(
                `${name}-${job.job}`,
                {
                    metadata: { name: cronJobName, namespace: args.namespace, labels },
                    spec: cronJobSpec(
                        {
                            schedule: job.schedule,
                            timeZone: args.timezone,
                            activeDeadlineSeconds: job.activeDeadlineSeconds,
                            backoffLimit: job.backoffLimit,
                            history: args.history,
                            whileMaintenance: job.whileMaintenance,
                        },
                        labels,
                        podSpec,
                        { cronJobName, switches: args.maintenance },
                        args.placement?.[job.family],
                    ),
                },
                { parent: this, dependsOn: [...args.database.dependencies, ...(args.dependsOn ?? [])] },
            );
            names[job.job] = cronJob.metadata.name;
            scheduled.push(cronJob.metadata.name.apply((n) => ({ name: n, schedule: job.schedule })));
        }
        this.cronJobNames = names;
        this.scheduled = pulumi.all(scheduled);
        this.egress = egress;
        this.registerOutputs({ cronJobNames: this.cronJobNames });
    }
}
