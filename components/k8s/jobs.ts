/**
 * The policies every Job and CronJob of this program shares, as pure functions: the seed chart's
 * jobs had no deadlines, unbounded retries, no history limits and schedules in the controller's
 * time zone (it set only the container's `TZ`); these do not.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { duringMaintenance, type MaintenanceSwitches, type WhileMaintenance } from "./maintenance";
import { placedTemplate, type PodPlacement } from "./placement";

export type { PodPlacement } from "./placement";

/** What every CronJob keeps and how late it may start (`matomo:jobs`). */
export interface CronJobHistory {
    /** Seconds a finished run is kept (`ttlSecondsAfterFinished`). */
    readonly ttlSecondsAfterFinished: number;
    /** Successful runs kept. */
    readonly successfulJobsHistoryLimit: number;
    /** Failed runs kept, for their logs. */
    readonly failedJobsHistoryLimit: number;
    /** A run that cannot start within this many seconds of its time is skipped. */
    readonly startingDeadlineSeconds: number;
}

/** A CronJob that runs by itself (not a suspended template): its name and schedule, which alerts watch. */
export interface ScheduledCronJob {
    readonly name: string;
    readonly schedule: string;
}

/** How one CronJob runs. */
export interface CronJobPolicy {
    /** Five-field cron schedule (or a `@daily`-style macro), read in `timeZone`. */
    readonly schedule: string;
    /** IANA time zone of the schedule (`spec.timeZone`). */
    readonly timeZone: string;
    /** Longest run; a longer one is stopped and counts as failed. */
    readonly activeDeadlineSeconds: number;
    /** Retries of a failed run before the run counts as failed. */
    readonly backoffLimit: number;
    /** History, TTL and starting deadline. */
    readonly history: CronJobHistory;
    /** What the job does while maintenance is on. */
    readonly whileMaintenance: WhileMaintenance;
}

type Labels = Readonly<Record<string, string>>;

/**
 * The spec of a CronJob that never overlaps itself and cleans up after itself, as the maintenance
 * switches that are on leave it (`cronJobName` names it in the line a skipped run prints).
 * `suspend` is always set, `false` included: the stack owns it (the maintenance switches are the way
 * to stop jobs), and a `pulumi up` with maintenance off leaves every schedule running. The runs'
 * pods, skipped ones included, go where `placement` says.
 */
export function cronJobSpec(
    policy: CronJobPolicy,
    labels: Labels,
    podSpec: k8s.types.input.core.v1.PodSpec,
    maintenance: { readonly cronJobName: string; readonly switches: MaintenanceSwitches },
    placement?: PodPlacement,
): k8s.types.input.batch.v1.CronJobSpec {
    const run = duringMaintenance(maintenance.cronJobName, policy.whileMaintenance, maintenance.switches, podSpec);
    return {
        schedule: policy.schedule,
        timeZone: policy.timeZone,
        suspend: run.suspend,
        // A run still going when the next is due keeps going; the next one is skipped.
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: policy.history.startingDeadlineSeconds,
        successfulJobsHistoryLimit: policy.history.successfulJobsHistoryLimit,
        failedJobsHistoryLimit: policy.history.failedJobsHistoryLimit,
        jobTemplate: {
            metadata: { labels },
            spec: jobSpec(
                { ...policy, ttlSecondsAfterFinished: policy.history.ttlSecondsAfterFinished },
                labels,
                run.pod,
                undefined,
                placement,
            ),
        },
    };
}

/**
 * The spec of one run, bounded in time and retries; its pods never restart in place (a failed
 * run is retried as a new pod, up to `backoffLimit`). `ttlSecondsAfterFinished` is for the runs of a
 * CronJob only: a Job Pulumi manages must stay, or the next refresh would recreate and rerun it.
 * The pods go where `placement` says, with its labels and annotations beside `labels` and `annotations`.
 */
export function jobSpec(
    policy: Pick<CronJobPolicy, "activeDeadlineSeconds" | "backoffLimit"> & { readonly ttlSecondsAfterFinished?: number },
    labels: Labels,
    podSpec: k8s.types.input.core.v1.PodSpec,
    annotations?: Readonly<Record<string, pulumi.Input<string>>>,
    placement?: PodPlacement,
): k8s.types.input.batch.v1.JobSpec {
    return {
        backoffLimit: policy.backoffLimit,
        activeDeadlineSeconds: policy.activeDeadlineSeconds,
        ttlSecondsAfterFinished: policy.ttlSecondsAfterFinished,
        template: placedTemplate(placement, { metadata: { labels, annotations }, spec: { ...podSpec, restartPolicy: "Never" } }),
    };
}
