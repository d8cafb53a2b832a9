/**
 * `matomo:monitoring.alerts`: the alert rules beside the scrape targets (a `PrometheusRule` or a
 * GMP `Rules`, docs/monitoring.md), and what they fire at. The CronJob alert's period is not a
 * key: it comes from each CronJob's own schedule, plus the margin here.
 */
import { boolean, integer, string } from "../schema/fields";
import { object } from "../schema/structures";

/** A link the alerts carry: no fragment (each alert adds its own) and nothing a URL cannot hold. */
export function checkRunbookUrl(value: string): string | undefined {
    if (value === "")
        return "is empty; give where docs/runbooks.md is read, e.g. https://git.example.org/matomo/blob/main/docs/runbooks.md";
    if (/\s/.test(value)) return "contains white space; a URL cannot";
    if (value.includes("#")) return "has a #fragment; each alert appends its own section's, so give the page alone";
    return undefined;
}

const percent = (doc: string, fallback: number, max: number) => integer({ doc, default: fallback, min: 1, max });

export const monitoringAlertsKey = object(
    {
        enabled: boolean({
            doc: "Create the alert rules (docs/monitoring.md): CronJobs not succeeding, web workers saturated, containers OOM-killed or restarting, claims nearly full.",
            default: true,
        }),
        cronJobMarginMinutes: integer({
            doc: "Minutes a CronJob may be late beyond the longest gap between two runs of its schedule before `MatomoCronJobNotSucceeded` fires (a run's own duration counts here too).",
            default: 60,
            min: 5,
            max: 10080,
        }),
        workersBusyPercent: percent(
            "Busy workers of a web pod, in percent of its workers (`matomo.webServer.workers`), that fire `MatomoWebWorkersSaturated` after 15 minutes.",
            90,
            100,
        ),
        restartsPerHour: integer({
            doc: "Restarts of one container within an hour that fire `MatomoContainerRestarting`.",
            default: 3,
            min: 1,
            max: 1000,
        }),
        claimFullPercent: percent("Used space of a claim, in percent, that fires `MatomoClaimNearlyFull` after 5 minutes.", 80, 99),
        runbookUrl: string({
            doc: "Where the operators read docs/runbooks.md; each alert's `runbook_url` is this with its section's anchor (`#matomocronjobnotsucceeded`).",
            default: "docs/runbooks.md",
            check: checkRunbookUrl,
        }),
    },
    { doc: "Alert rules for the cluster's Prometheus rule evaluator.", switches: { enabled: { off: "no alert rule is created" } } },
);

/** The alerts when on: their thresholds and the runbook page. */
export interface MonitoringAlertsConfig {
    readonly thresholds: {
        readonly cronJobMarginMinutes: number;
        readonly workersBusyPercent: number;
        readonly restartsPerHour: number;
        readonly claimFullPercent: number;
    };
    readonly runbookUrl: string;
}
