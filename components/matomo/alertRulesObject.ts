/**
 * The alert rules as the cluster's rule evaluator reads them: a `PrometheusRule` of Prometheus
 * Operator, or a `Rules` of GKE's Managed Service for Prometheus. Both carry the same rule groups
 * (alertRules.ts) under `spec.groups`; the CronJobs come as an output, since their names are.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { alertRuleGroups, type AlertRulesArgs, type WatchedCronJob } from "./alertRules";
import type { MonitorForm } from "./webMonitor";

/** The rule object's API version and kind for the form. */
export const RULES_KINDS = {
    prometheusOperator: { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule" },
    gke: { apiVersion: "monitoring.googleapis.com/v1", kind: "Rules" },
} as const;

/** Where and how the rules are created, besides what the rules themselves need. */
export interface AlertRulesObjectArgs extends Omit<AlertRulesArgs, "namespace" | "cronJobs"> {
    readonly form: MonitorForm;
    /** Labels a Prometheus selects rules by (its `ruleSelector`), besides the standard ones. */
    readonly labels: Readonly<Record<string, string>>;
    readonly namespace: pulumi.Output<string>;
    readonly cronJobs: pulumi.Output<WatchedCronJob[]>;
}

/** Creates the rule object of the installation. */
export function createAlertRules(
    name: string,
    args: AlertRulesObjectArgs,
    opts?: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    const { form, labels, namespace, cronJobs, ...rest } = args;
    return new k8s.apiextensions.CustomResource(
        name,
        {
            ...RULES_KINDS[form],
            metadata: { namespace, labels: { ...labels } },
            spec: pulumi
                .all([namespace, cronJobs])
                .apply(([ns, jobs]) => ({ groups: alertRuleGroups({ ...rest, namespace: ns, cronJobs: jobs }) })),
        },
        opts,
    );
}
