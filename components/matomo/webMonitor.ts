/**
 * The object that tells the cluster's Prometheus to scrape the web pods' exporter: a `PodMonitor`
 * of Prometheus Operator, or a `PodMonitoring` of GKE's Managed Service for Prometheus. Both select
 * the pods by label and name the exporter's port, so the Service (which routes only HTTP) needs no
 * metrics port, and nothing but the scraper ever dials it.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { METRICS_PORT_NAME } from "./webMetrics";

/** Which scraper reads the monitor objects. */
export type MonitorForm = "prometheusOperator" | "gke";

/** How the web pods are scraped. */
export interface WebMonitorArgs {
    readonly form: MonitorForm;
    /** Scrape interval (`30s`, `1m`). */
    readonly interval: string;
    /** Labels a Prometheus selects monitors by (e.g. `release: kube-prometheus-stack`), besides the standard ones. */
    readonly labels: Readonly<Record<string, string>>;
}

/** The monitor object's API version and kind for the form. */
export const MONITOR_KINDS = {
    prometheusOperator: { apiVersion: "monitoring.coreos.com/v1", kind: "PodMonitor" },
    gke: { apiVersion: "monitoring.googleapis.com/v1", kind: "PodMonitoring" },
} as const;

/** The monitor's spec (pure): the pods by `selector`, their metrics port, every `interval`. */
export function webMonitorSpec(form: MonitorForm, selector: Readonly<Record<string, string>>, interval: string) {
    const endpoint = { port: METRICS_PORT_NAME, path: "/metrics", interval };
    const selectorSpec = { matchLabels: { ...selector } };
    return form === "prometheusOperator"
        ? { selector: selectorSpec, podMetricsEndpoints: [endpoint] }
        : { selector: selectorSpec, endpoints: [endpoint] };
}

/** Creates the monitor object of the web pods, as a child of `parent`. */
export function createWebMonitor(
    name: string,
    args: WebMonitorArgs & {
        readonly namespace: pulumi.Input<string>;
        /** The web pods' selector labels. */
        readonly selector: Readonly<Record<string, string>>;
    },
    parent: pulumi.Resource,
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
        name,
        {
            ...MONITOR_KINDS[args.form],
            metadata: { namespace: args.namespace, labels: { ...args.labels } },
            spec: webMonitorSpec(args.form, args.selector, args.interval),
        },
        { parent },
    );
}
