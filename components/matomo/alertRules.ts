/**
 * The alert rules of an installation (pure): Prometheus rule groups over the series
 * kube-state-metrics, the kubelet and the web exporter already expose, every selector limited to
 * the stack's namespace so that two installations in one cluster never alert on each other.
 * The CronJob alert's threshold follows each CronJob's own schedule (its longest gap between two
 * runs, plus a margin), and the worker alert's ceiling is the program's own web sizing.
 */
import type { ScheduledCronJob } from "../k8s/jobs";

/** A CronJob the alerts watch, with the longest wait between two of its runs (the stack computes it from the schedule). */
export interface WatchedCronJob extends ScheduledCronJob {
    readonly longestGapMinutes: number;
}

/** What the alerts fire at. */
export interface AlertThresholds {
    /** Minutes a CronJob may run late beyond its longest gap between two runs. */
    readonly cronJobMarginMinutes: number;
    /** Busy workers, in percent of each web pod's workers, that count as saturated. */
    readonly workersBusyPercent: number;
    /** Container restarts within an hour that count as restarting. */
    readonly restartsPerHour: number;
    /** Used space of a claim, in percent, that counts as nearly full. */
    readonly claimFullPercent: number;
}

/** The inputs of the rules: where, what runs, and the thresholds. */
export interface AlertRulesArgs {
    readonly namespace: string;
    /** The web server variant, which decides the exporter's series. */
    readonly webServer: "apache" | "fpm";
    /** Workers per web pod (`MaxRequestWorkers` / `pm.max_children`). */
    readonly workers: number;
    readonly cronJobs: readonly WatchedCronJob[];
    readonly thresholds: AlertThresholds;
    /** docs/runbooks.md where the operator reads it; each alert links to its section there. */
    readonly runbookUrl: string;
}

/** One alerting rule, as both PrometheusRule and GMP Rules spell it. */
export interface AlertRule {
    readonly alert: string;
    readonly expr: string;
    readonly for?: string;
    readonly labels: { readonly severity: "warning" | "critical" };
    readonly annotations: { readonly summary: string; readonly runbook_url: string };
}

export interface RuleGroup {
    readonly name: string;
    /** How often the group is evaluated (GMP's `Rules` requires it). */
    readonly interval: string;
    readonly rules: readonly AlertRule[];
}

/** The alert names, which are also the runbook sections' anchors (lower-cased). */
export const ALERT_NAMES = [
    "MatomoCronJobNotSucceeded",
    "MatomoWebWorkersSaturated",
    "MatomoContainerOOMKilled",
    "MatomoContainerRestarting",
    "MatomoClaimNearlyFull",
] as const;
type AlertName = (typeof ALERT_NAMES)[number];

/** A label matcher's value, quoted for PromQL. */
const quoted = (value: string) => JSON.stringify(value);

/** Every group's evaluation interval: the alerts wait minutes, so a minute loses nothing. */
const EVALUATION_INTERVAL = "1m";

function rule(name: AlertName, args: AlertRulesArgs, fields: Omit<AlertRule, "alert" | "annotations">, summary: string): AlertRule {
    return { alert: name, ...fields, annotations: { summary, runbook_url: `${args.runbookUrl}#${name.toLowerCase()}` } };
}

/**
 * Each CronJob: its last success older than its longest gap plus the margin, or, before any
 * success, the CronJob itself that old (kube-state-metrics has no success time until the first).
 */
function cronJobRules(args: AlertRulesArgs): AlertRule[] {
    return args.cronJobs.map(({ name, schedule, longestGapMinutes }) => {
        const seconds = (longestGapMinutes + args.thresholds.cronJobMarginMinutes) * 60;
        const select = `{namespace=${quoted(args.namespace)}, cronjob=${quoted(name)}}`;
        return rule(
            "MatomoCronJobNotSucceeded",
            args,
            {
                expr:
                    `time() - kube_cronjob_status_last_successful_time${select} > ${seconds}` +
                    ` or (time() - kube_cronjob_created${select} > ${seconds}` +
                    ` unless on (namespace, cronjob) kube_cronjob_status_last_successful_time${select})`,
                labels: { severity: "warning" },
            },
            `CronJob ${name} (schedule "${schedule}") has not succeeded for over ${seconds / 60} minutes`,
        );
    });
}

/** The busy share of each web pod's workers, from the variant's exporter. */
function busyWorkers(args: AlertRulesArgs): string {
    const ns = `namespace=${quoted(args.namespace)}`;
    const busy =
        args.webServer === "apache"
            ? `sum by (namespace, pod) (apache_workers{${ns}, state="busy"})`
            : `sum by (namespace, pod) (phpfpm_active_processes{${ns}})`;
    return `${busy} / ${args.workers} * 100`;
}

/** The rule groups: jobs, web, pods and claims. */
export function alertRuleGroups(args: AlertRulesArgs): RuleGroup[] {
    const ns = `namespace=${quoted(args.namespace)}`;
    const t = args.thresholds;
    const groups: RuleGroup[] = [
        {
            name: "matomo-web",
            interval: EVALUATION_INTERVAL,
            rules: [
                rule(
                    "MatomoWebWorkersSaturated",
                    args,
                    { expr: `${busyWorkers(args)} >= ${t.workersBusyPercent}`, for: "15m", labels: { severity: "warning" } },
                    `Web pod {{ $labels.pod }} has had ${t.workersBusyPercent}% or more of its ${args.workers} workers busy for 15 minutes`,
                ),
            ],
        },
        {
            name: "matomo-pods",
            interval: EVALUATION_INTERVAL,
            rules: [
                rule(
                    "MatomoContainerOOMKilled",
                    args,
                    {
                        expr:
                            `increase(kube_pod_container_status_restarts_total{${ns}}[15m]) > 0` +
                            ` and on (namespace, pod, container) kube_pod_container_status_last_terminated_reason{${ns}, reason="OOMKilled"} == 1`,
                        labels: { severity: "warning" },
                    },
                    "Container {{ $labels.container }} of pod {{ $labels.pod }} was killed for running out of memory",
                ),
                rule(
                    "MatomoContainerRestarting",
                    args,
                    {
                        expr: `increase(kube_pod_container_status_restarts_total{${ns}}[1h]) >= ${t.restartsPerHour}`,
                        labels: { severity: "warning" },
                    },
                    `Container {{ $labels.container }} of pod {{ $labels.pod }} restarted ${t.restartsPerHour} times or more in an hour`,
                ),
            ],
        },
        {
            name: "matomo-claims",
            interval: EVALUATION_INTERVAL,
            rules: [
                rule(
                    "MatomoClaimNearlyFull",
                    args,
                    {
                        expr:
                            `kubelet_volume_stats_used_bytes{${ns}} / kubelet_volume_stats_capacity_bytes{${ns}} * 100` +
                            ` >= ${t.claimFullPercent}`,
                        for: "5m",
                        labels: { severity: "warning" },
                    },
                    `Claim {{ $labels.persistentvolumeclaim }} is ${t.claimFullPercent}% full or more`,
                ),
            ],
        },
    ];
    const jobs = cronJobRules(args);
    return jobs.length > 0 ? [{ name: "matomo-cronjobs", interval: EVALUATION_INTERVAL, rules: jobs }, ...groups] : groups;
}
