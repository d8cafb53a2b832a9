/**
 * The alert rules in the stacks: prod (GKE) carries a GMP `Rules`, the everything-on stacks a
 * `PrometheusRule` (EEA) or `Rules` (Google) watching every CronJob they run by itself, dev none;
 * `monitoring.alerts.enabled: false` keeps the scrape targets without the rules.
 */
import assert from "node:assert/strict";
import type { ProgramRun } from "../scripts/lib/mockEngine";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { cronLongestGapMinutes } from "../components/config/schema/cronGap";
import { ALERT_NAMES, type RuleGroup } from "../components/matomo/alertRules";
import { all, one, ROOT, run, stackConfig, withChanges } from "./support/harness";
import { VARIANTS } from "./support/variants";

const PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const GMP_RULES = "kubernetes:monitoring.googleapis.com/v1:Rules";
const CRONJOB = "kubernetes:batch/v1:CronJob";

const ruleObjects = (r: ProgramRun) => [...all(r, PROMETHEUS_RULE), ...all(r, GMP_RULES)];
const groupsOf = (r: ProgramRun) => ruleObjects(r)[0].inputs.spec.groups as RuleGroup[];
/** The CronJobs the CronJob alert watches, by the names in its expressions. */
const watchedCronJobs = (r: ProgramRun) =>
    groupsOf(r)
        .find((g) => g.name === "matomo-cronjobs")!
        .rules.map((rule) => /cronjob="([^"]+)"/.exec(rule.expr)![1])
        .sort();
/** The CronJobs of the stack that are not suspended. */
const runningCronJobs = (r: ProgramRun) =>
    all(r, CRONJOB)
        .filter((c) => !c.inputs.spec.suspend)
        .map((c) => c.inputs.metadata.name as string)
        .sort();

describe("the alert rules in the stacks", () => {
    it("dev: none (monitoring is off)", async () => {
        assert.equal(ruleObjects(await VARIANTS.dev()).length, 0);
    });

    it("prod: a GMP Rules in the stack's namespace, every selector limited to it, linking into the runbooks", async () => {
        const r = await VARIANTS.prod();
        const rules = one(r, GMP_RULES).inputs;
        assert.equal(rules.metadata.namespace, "matomo");
        assert.deepEqual(
            groupsOf(r).map((g) => g.name),
            ["matomo-cronjobs", "matomo-web", "matomo-pods", "matomo-claims"],
        );
        for (const rule of groupsOf(r).flatMap((g) => g.rules)) {
            for (const selector of rule.expr.match(/\{[^}]*\}/g)!) assert.match(selector, /namespace="matomo"/, rule.expr);
            assert.match(rule.annotations.runbook_url, /runbooks\.md#matomo[a-z]+$/);
        }
        assert.deepEqual(watchedCronJobs(r), runningCronJobs(r));
    });

    for (const [variant, kind] of [
        ["everything on, EEA", PROMETHEUS_RULE],
        ["everything on, Google", GMP_RULES],
        ["everything on, external database", PROMETHEUS_RULE],
    ] as const) {
        it(`${variant}: a ${kind.split(":").pop()} watching every CronJob that runs by itself, not the restore template`, async () => {
            const r = await VARIANTS[variant]();
            assert.equal(all(r, kind).length, 1);
            assert.deepEqual(watchedCronJobs(r), runningCronJobs(r));
            assert.ok(all(r, CRONJOB).length > runningCronJobs(r).length || variant.endsWith("Google"));
        });
    }

    it("measures the workers against the configured web sizing, and takes the thresholds from the config", async () => {
        const r = await run(
            withChanges(stackConfig("dev"), {
                "matomo:monitoring": {
                    enabled: true,
                    alerts: { workersBusyPercent: 75, claimFullPercent: 90, runbookUrl: "https://x/rb.md" },
                },
                "matomo:matomo": { webServer: { maxWorkers: 2 } },
            }),
        );
        const rules = groupsOf(r).flatMap((g) => g.rules);
        const web = rules.find((rule) => rule.alert === "MatomoWebWorkersSaturated")!;
        assert.match(web.expr, /apache_workers\{namespace="[^"]+", state="busy"\}\) \/ 2 \* 100 >= 75$/);
        assert.match(rules.find((rule) => rule.alert === "MatomoClaimNearlyFull")!.expr, />= 90$/);
        assert.equal(web.annotations.runbook_url, "https://x/rb.md#matomowebworkerssaturated");
    });

    it("everything on, EEA: the fixture's margin, claim threshold and runbook page, and the release label Prometheus selects rules by", async () => {
        const r = await VARIANTS["everything on, EEA"]();
        assert.equal(one(r, PROMETHEUS_RULE).inputs.metadata.labels.release, "kube-prometheus-stack");
        const rules = groupsOf(r).flatMap((g) => g.rules);
        // Each CronJob's own schedule: its longest gap plus the fixture's 30 minutes' margin.
        for (const cron of all(r, CRONJOB).filter((c) => !c.inputs.spec.suspend)) {
            const rule = rules.find((x) => x.expr.includes(`cronjob="${cron.inputs.metadata.name}"`))!;
            const seconds = (cronLongestGapMinutes(cron.inputs.spec.schedule as string)! + 30) * 60;
            assert.match(rule.expr, new RegExp(` > ${seconds}( |$)`), rule.expr);
            assert.equal(
                rule.annotations.runbook_url,
                "https://git.example.org/matomo/blob/main/docs/runbooks.md#matomocronjobnotsucceeded",
            );
        }
        assert.match(rules.find((rule) => rule.alert === "MatomoClaimNearlyFull")!.expr, />= 85$/);
    });

    it("link to runbook sections that exist", () => {
        const headings = readFileSync(resolve(ROOT, "docs/runbooks.md"), "utf8").match(/^#+ .+$/gm)!;
        const anchors = headings.map((h) =>
            h
                .replace(/^#+ /, "")
                .toLowerCase()
                .replace(/[^a-z0-9 -]/g, "")
                .replace(/ /g, "-"),
        );
        for (const name of ALERT_NAMES) assert.ok(anchors.includes(name.toLowerCase()), name);
    });

    it("monitoring.alerts.enabled false keeps the PodMonitor without rules", async () => {
        const r = await run(withChanges(stackConfig("dev"), { "matomo:monitoring": { enabled: true, alerts: { enabled: false } } }));
        assert.equal(all(r, "kubernetes:monitoring.coreos.com/v1:PodMonitor").length, 1);
        assert.equal(ruleObjects(r).length, 0);
    });
});
