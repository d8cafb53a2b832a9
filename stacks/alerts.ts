/**
 * The alert rules of the installation (`matomo:monitoring.alerts`): every CronJob that runs by
 * itself, watched for the longest gap of its own schedule, and the web sizing the worker alert
 * measures against. Here the schedules become gaps, so the rules component needs no config.
 */
import * as pulumi from "@pulumi/pulumi";
import { cronLongestGapMinutes } from "../components/config/schema/cronGap";
import type { ScheduledCronJob } from "../components/k8s/jobs";
import { standardLabels } from "../components/k8s/labels";
import type { WatchedCronJob } from "../components/matomo/alertRules";
import { createAlertRules } from "../components/matomo/alertRulesObject";
import type { StackContext } from "./context";

/** A CronJob with its longest gap; the configuration refused every schedule that never fires. */
export function watched(job: ScheduledCronJob): WatchedCronJob {
    const gap = cronLongestGapMinutes(job.schedule);
    if (gap === undefined) throw new Error(`CronJob ${job.name}: the schedule "${job.schedule}" never fires`);
    return { ...job, longestGapMinutes: gap };
}

/** The rule object when monitoring and its alerts are on, watching the `scheduled` CronJobs. */
export function alertRulesFor(ctx: StackContext, scheduled: readonly (pulumi.Output<ScheduledCronJob[]> | undefined)[]): void {
    const { cfg, instance, namespace } = ctx;
    const alerts = cfg.monitoring?.alerts;
    if (!cfg.monitoring || !alerts) return;
    const present = scheduled.filter((s): s is pulumi.Output<ScheduledCronJob[]> => s !== undefined);
    createAlertRules("matomo-alerts", {
        form: cfg.monitoring.form,
        labels: { ...cfg.monitoring.monitorLabels, ...standardLabels({ name: "matomo", component: "alerts", instance }) },
        namespace,
        cronJobs: pulumi.all(present).apply((lists) => lists.flat().map(watched)),
        webServer: cfg.webServer.variant,
        workers: cfg.webServer.workers,
        thresholds: alerts.thresholds,
        runbookUrl: alerts.runbookUrl,
    });
}
