/** The alert rule object on its own: its kind per form, its labels, and its groups valid for the CRD. */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { createAlertRules, RULES_KINDS } from "../../components/matomo/alertRulesObject";
import type { MonitorForm } from "../../components/matomo/webMonitor";
import { buildAlone } from "../support/component";
import { customResourceProblems } from "../support/customResources";
import { one } from "../support/harness";

const THRESHOLDS = { cronJobMarginMinutes: 60, workersBusyPercent: 90, restartsPerHour: 3, claimFullPercent: 80 };

function build(form: MonitorForm) {
    return buildAlone(() =>
        createAlertRules("alerts", {
            form,
            labels: { release: "kube-prometheus-stack" },
            namespace: pulumi.output("analytics"),
            cronJobs: pulumi.output([{ name: "matomo-archive", schedule: "@hourly", longestGapMinutes: 60 }]),
            webServer: "apache",
            workers: 4,
            thresholds: THRESHOLDS,
            runbookUrl: "docs/runbooks.md",
        }),
    );
}

describe("the alert rule object", () => {
    for (const form of ["prometheusOperator", "gke"] as const) {
        const { apiVersion, kind } = RULES_KINDS[form];
        it(`${form}: a ${kind} in the namespace, with the given labels, that its CRD accepts`, async () => {
            const rules = one(await build(form), `kubernetes:${apiVersion}:${kind}`).inputs;
            assert.equal(rules.metadata.namespace, "analytics");
            assert.equal(rules.metadata.labels.release, "kube-prometheus-stack");
            assert.deepEqual(customResourceProblems({ apiVersion, kind, ...rules }), []);
            const groups = rules.spec.groups as { name: string; rules: { expr: string }[] }[];
            assert.deepEqual(
                groups.map((g) => g.name),
                ["matomo-cronjobs", "matomo-web", "matomo-pods", "matomo-claims"],
            );
            // The archiver's hour plus the hour's margin, in the namespace given as an output.
            assert.match(groups[0].rules[0].expr, /\{namespace="analytics", cronjob="matomo-archive"\} > 7200 /);
        });
    }
});
