/**
 * What a CronJob does while the installation is in maintenance. Each job declares it beside its
 * spec ({@link WhileMaintenance}); the `pulumi up` that switches maintenance on applies it: the
 * schedule of a job that maintenance stops is suspended, and a run started by hand from it
 * (`kubectl create job --from=cronjob/...`, which copies the job template but not `suspend`) gets
 * a pod that prints why it does nothing and exits 0. Maintenance never fails a Job, retries one or
 * leaves a half-done run: nothing of the job starts, not even its init containers.
 */
import type * as k8s from "@pulumi/kubernetes";
import { HELPER_RESOURCES, toResourceRequirements } from "./resources";
import { restrictedContainer } from "./security";

type PodSpec = k8s.types.input.core.v1.PodSpec;

/** The maintenance switches of the installation that are on now. */
export interface MaintenanceSwitches {
    /**
     * The UI and the API are in maintenance (Matomo's `maintenance_mode`): the database is left
     * alone, for a restore, a migration or a large upgrade.
     */
    readonly ui: boolean;
    /** The tracker refuses hits (`record_statistics = 0`). */
    readonly tracking: boolean;
}

export type MaintenanceSwitch = keyof MaintenanceSwitches;

/** No maintenance: every job runs on its schedule. */
export const NO_MAINTENANCE: MaintenanceSwitches = { ui: false, tracking: false };

/** A job's declaration of what it does while maintenance is on. */
export interface WhileMaintenance {
    /**
     * The switches that stop the job: while one of them is on, its schedule is suspended. Empty
     * for a job that runs through maintenance.
     */
    readonly stopsFor: readonly MaintenanceSwitch[];
    /**
     * What a run started by hand does while the job is stopped: `skips` (prints why, does nothing,
     * succeeds), or `works`, for a job worth running exactly then (a backup of a quiet database
     * before a risky operation). Defaults to `skips`.
     */
    readonly startedByHand?: "skips" | "works";
}

/** Runs through maintenance, on its schedule and by hand. */
export const RUNS_THROUGH_MAINTENANCE: WhileMaintenance = { stopsFor: [] };

const WHY: Record<MaintenanceSwitch, string> = {
    ui: "Matomo is in maintenance mode (UI and API switched off)",
    tracking: "tracking is switched off",
};

/** The switches that stop the job now; none when it runs. */
export function stoppedBy(job: WhileMaintenance, switches: MaintenanceSwitches): MaintenanceSwitch[] {
    return job.stopsFor.filter((s) => switches[s]);
}

/** The line a skipped run of the CronJob `cronJobName` prints. */
export function skippedRunMessage(cronJobName: string, stopped: readonly MaintenanceSwitch[]): string {
    return (
        `${cronJobName}: skipped, nothing done: ${stopped.map((s) => WHY[s]).join(" and ")}. ` +
        "Its schedule is suspended until maintenance is switched off."
    );
}

/**
 * The pod of a skipped run: the job's first container with its image (already on the nodes) and
 * security context, printing `message`. No init containers, volumes, service account or
 * database sidecar: nothing of the job runs.
 */
export function skippedRunPod(pod: PodSpec, message: string): PodSpec {
    const main = (pod.containers as k8s.types.input.core.v1.Container[])[0];
    return {
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        // Those of every image of the job: the first container's are among them.
        imagePullSecrets: pod.imagePullSecrets,
        securityContext: pod.securityContext,
        containers: [
            {
                name: main.name,
                image: main.image,
                imagePullPolicy: main.imagePullPolicy,
                command: ["echo", message],
                resources: toResourceRequirements(HELPER_RESOURCES),
                securityContext: restrictedContainer(),
            },
        ],
    };
}

/**
 * What maintenance makes of a CronJob now: whether its schedule is suspended, and the pod its runs
 * get (the job's own, or a skipped run's).
 */
export function duringMaintenance(
    cronJobName: string,
    job: WhileMaintenance,
    switches: MaintenanceSwitches,
    pod: PodSpec,
): { readonly suspend: boolean; readonly pod: PodSpec } {
    const stopped = stoppedBy(job, switches);
    if (stopped.length === 0) return { suspend: false, pod };
    if (job.startedByHand === "works") return { suspend: true, pod };
    return { suspend: true, pod: skippedRunPod(pod, skippedRunMessage(cronJobName, stopped)) };
}
