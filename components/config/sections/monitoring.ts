/**
 * `matomo:monitoring`: the scrape targets an SRE's Prometheus reads, in the form the cluster runs
 * (Prometheus Operator's `PodMonitor`, or GKE Managed Service for Prometheus' `PodMonitoring`).
 * It scrapes the web tier (an exporter sidecar reads Apache's or php-fpm's status inside the pod)
 * and creates the alert rules (`alerts`, docs/monitoring.md). The database exporter and the
 * dashboard join this section as `mariadb` and `dashboard` beside `web`.
 */
import type { ContainerResources } from "../../k8s/resources";
import { boolean, oneOf, string, type Field, type Issue, type ValueOf } from "../schema/fields";
import { checkRequestsWithinLimits } from "../schema/limits";
import { image, resources, type Image } from "../schema/parts";
import { object, record } from "../schema/structures";
import { checkDnsLabel, checkLabelKey, checkLabelValue } from "../schema/validators";
import { fullKey, report, writtenFields, type ResolveContext } from "./context";
import { monitoringAlertsKey, type MonitoringAlertsConfig } from "./monitoringAlerts";

/** The kinds of monitor object, by the scraper that reads them. */
export const MONITORING_FORMS = ["prometheusOperator", "gke"] as const;
export type MonitoringForm = (typeof MONITORING_FORMS)[number];

/** Where each form's scraper runs by default: kube-prometheus-stack's usual namespace, GMP's collectors. */
export const DEFAULT_SCRAPER_NAMESPACE: Readonly<Record<MonitoringForm, string>> = {
    prometheusOperator: "monitoring",
    gke: "gmp-system",
};

/**
 * A scrape interval both forms accept (`30s`, `1m`): whole seconds or minutes, from 5 s (the
 * exporters read the server on every scrape) to an hour (Prometheus marks a series stale after
 * 5 minutes without a sample, so longer intervals leave gaps in every graph).
 */
export function checkScrapeInterval(value: string): string | undefined {
    const match = /^([1-9]\d{0,3})(s|m)$/.exec(value);
    if (!match) return "expected whole seconds or minutes such as 30s or 1m";
    const seconds = Number(match[1]) * (match[2] === "m" ? 60 : 1);
    if (seconds < 5) return "scraping more often than every 5s loads the web server for little gain; use 5s or more";
    if (seconds > 300) return "above 5m Prometheus marks the series stale between scrapes; use 5m or less";
    return undefined;
}

const labels = (doc: string) =>
    record(string({ doc: "Label value.", required: true, check: checkLabelValue }), { doc, default: {}, checkKey: checkLabelKey });

/** An exporter sidecar's keys: its image (an `image(...)` call with literal defaults, which Renovate finds) and resources. */
const exporter = (what: string, imageField: Field<Image>) =>
    object(
        {
            image: imageField,
            resources: resources(what, { requestMemory: "16Mi", requestCpu: "10m", limitMemory: "64Mi" }),
        },
        { doc: `The ${what} sidecar of each web pod.` },
    );

export const monitoringKey = object(
    {
        enabled: boolean({
            doc: "Scrape the installation: an exporter sidecar in each web pod and a monitor object that tells the cluster's Prometheus to read it (docs/monitoring.md).",
            default: false,
        }),
        form: oneOf(MONITORING_FORMS, {
            doc: "The monitor objects: `prometheusOperator` creates a `PodMonitor` (`monitoring.coreos.com/v1`, for kube-prometheus-stack and other Prometheus Operator installs); `gke` a `PodMonitoring` (`monitoring.googleapis.com/v1`, GKE's Managed Service for Prometheus). The cluster must have the CRD.",
            default: "prometheusOperator",
        }),
        interval: string({ doc: "How often the exporters are scraped (`30s`, `1m`).", default: "30s", check: checkScrapeInterval }),
        monitorLabels: labels(
            "Labels of the monitor objects, which a Prometheus selects them by (its `podMonitorSelector`), e.g. `release: kube-prometheus-stack`.",
        ),
        scraper: object(
            {
                namespace: string({
                    doc: "The namespace the scraper's pods run in, which the NetworkPolicies let reach the metrics ports (matched by its `kubernetes.io/metadata.name` label).",
                    optional: true,
                    defaultDoc: "`monitoring` (prometheusOperator), `gmp-system` (gke)",
                    check: checkDnsLabel,
                }),
                podLabels: labels("Labels of the scraper's pods in that namespace; none: every pod of the namespace."),
            },
            { doc: "The scraper, for the NetworkPolicies (with matomo:securityEnabled)." },
        ),
        web: object(
            {
                apacheExporter: exporter(
                    "Apache exporter",
                    image(
                        "the Apache exporter (apache_exporter, for webServer.variant apache)",
                        "quay.io/lusitaniae/apache-exporter",
                        "v1.1.1",
                    ),
                ),
                fpmExporter: exporter(
                    "php-fpm exporter",
                    image("the php-fpm exporter (php-fpm_exporter, for webServer.variant fpm)", "hipages/php-fpm_exporter", "2.2.0"),
                ),
            },
            { doc: "The web tier's exporter: the one for `matomo.webServer.variant`." },
        ),
        alerts: monitoringAlertsKey,
    },
    {
        doc: "Metrics for the cluster's Prometheus (Prometheus Operator or GKE Managed Service for Prometheus): docs/monitoring.md.",
        switches: { enabled: { off: "nothing is scraped" } },
    },
);

/** An exporter sidecar: its image and resources. */
export interface ExporterConfig {
    readonly image: Image;
    readonly resources: ContainerResources;
}

export interface MonitoringConfig {
    readonly form: MonitoringForm;
    readonly interval: string;
    /** Labels of the monitor objects (besides the standard ones). */
    readonly monitorLabels: Readonly<Record<string, string>>;
    /** Who may connect to the metrics ports. */
    readonly scraper: { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> };
    /** The web tier's exporter, for the configured variant. */
    readonly webExporter: ExporterConfig;
    /** The alert rules; none when `alerts.enabled` is false. */
    readonly alerts?: MonitoringAlertsConfig;
}

/** The exporter key of a web server variant. */
const exporterKey = (variant: "apache" | "fpm") => (variant === "apache" ? "apacheExporter" : "fpmExporter");

/**
 * Monitoring when enabled: the variant's exporter; settings without effect are reported (the other
 * variant's exporter, the scraper without NetworkPolicies, labels that would replace the standard ones).
 */
export function resolveMonitoring(
    value: ValueOf<typeof monitoringKey>,
    context: { readonly variant: "apache" | "fpm"; readonly networkPolicies: boolean },
    ctx: ResolveContext,
): MonitoringConfig | undefined {
    if (!value.enabled) return undefined;
    const unused = exporterKey(context.variant === "apache" ? "fpm" : "apache");
    if (writtenFields(ctx, "monitoring", "web").includes(unused)) {
        report(ctx, `monitoring.web.${unused}`, `has no effect: matomo.webServer.variant is "${context.variant}"; remove it`);
    }
    if (!context.networkPolicies && writtenFields(ctx, "monitoring", "scraper").length > 0) {
        report(
            ctx,
            "monitoring.scraper",
            "has no effect: matomo:securityEnabled is false, so no NetworkPolicy names the scraper; remove it",
        );
    }
    for (const key of Object.keys(value.monitorLabels).filter((k) => k.startsWith("app.kubernetes.io/"))) {
        report(ctx, `monitoring.monitorLabels.${key}`, "would replace a standard label the program sets; use a label of your own");
    }
    const webExporter = value.web[exporterKey(context.variant)];
    ctx.issues.push(...exporterIssues(`monitoring.web.${exporterKey(context.variant)}`, webExporter));
    return {
        form: value.form,
        interval: value.interval,
        monitorLabels: value.monitorLabels,
        scraper: { namespace: value.scraper.namespace ?? DEFAULT_SCRAPER_NAMESPACE[value.form], podLabels: value.scraper.podLabels },
        webExporter,
        alerts: value.alerts.enabled ? { thresholds: thresholdsOf(value.alerts), runbookUrl: value.alerts.runbookUrl } : undefined,
    };
}

function thresholdsOf(alerts: ValueOf<typeof monitoringAlertsKey>): MonitoringAlertsConfig["thresholds"] {
    const { cronJobMarginMinutes, workersBusyPercent, restartsPerHour, claimFullPercent } = alerts;
    return { cronJobMarginMinutes, workersBusyPercent, restartsPerHour, claimFullPercent };
}

function exporterIssues(path: string, exporter: ExporterConfig): Issue[] {
    return checkRequestsWithinLimits(fullKey(path), exporter.resources);
}
