/**
 * The alert rules with the real promtool: `check rules` on the rendered groups of both web
 * variants, and `test rules` per group with series that make each alert fire and, for the same
 * installation's healthy objects or another namespace's, not fire.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { cronLongestGapMinutes } from "../components/config/schema/cronGap";
import { alertRuleGroups, type AlertRulesArgs, type RuleGroup } from "../components/matomo/alertRules";
import { requireBinaries } from "./support/system";

const ARGS: AlertRulesArgs = {
    namespace: "matomo",
    webServer: "apache",
    workers: 10,
    cronJobs: [
        { name: "matomo-archive", schedule: "5 * * * *" }, // 60 + 60 minutes: 7200 s
        { name: "matomo-backup", schedule: "0 3 * * *" }, // 1440 + 60 minutes: 90000 s
    ].map((job) => ({ ...job, longestGapMinutes: cronLongestGapMinutes(job.schedule)! })),
    thresholds: { cronJobMarginMinutes: 60, workersBusyPercent: 90, restartsPerHour: 3, claimFullPercent: 80 },
    runbookUrl: "https://example.org/docs/runbooks.md",
};

interface Expected {
    readonly exp_labels: Record<string, string>;
    readonly exp_annotations: Record<string, string>;
}

describe("Alert rules, with promtool", function () {
    let dir: string;
    before(function () {
        requireBinaries(this, "promtool");
        dir = mkdtempSync(path.join(tmpdir(), "matomo-alerts-"));
    });
    after(() => dir && rmSync(dir, { recursive: true, force: true }));

    function promtool(...args: string[]): void {
        const run = spawnSync("promtool", args, { cwd: dir, encoding: "utf8", timeout: 30_000 });
        assert.equal(run.status, 0, `promtool ${args.join(" ")}:\n${run.stdout}${run.stderr}`);
    }

    /** The alert the group fires for these labels, with its rendered annotations. */
    function expected(group: RuleGroup, alert: string, labels: Record<string, string>, match?: string): Expected {
        const rule = group.rules.find((r) => r.alert === alert && (!match || r.expr.includes(match)))!;
        const fill = (text: string) => text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, k: string) => labels[k]);
        return {
            exp_labels: { ...labels, severity: rule.labels.severity },
            exp_annotations: { summary: fill(rule.annotations.summary), runbook_url: rule.annotations.runbook_url },
        };
    }

    /** Writes the group and its test cases, and runs `promtool test rules` on them. */
    function testGroup(
        group: RuleGroup,
        series: { series: string; values: string }[],
        cases: { eval_time: string; alertname: string; exp_alerts: Expected[] }[],
    ): void {
        writeFileSync(path.join(dir, `${group.name}.rules.yaml`), stringify({ groups: [group] }));
        const test = {
            rule_files: [`${group.name}.rules.yaml`],
            evaluation_interval: "1m",
            tests: [{ interval: "1m", input_series: series, alert_rule_test: cases }],
        };
        writeFileSync(path.join(dir, `${group.name}.test.yaml`), stringify(test));
        promtool("check", "rules", `${group.name}.rules.yaml`);
        promtool("test", "rules", `${group.name}.test.yaml`);
    }

    const group = (args: AlertRulesArgs, name: string) => alertRuleGroups(args).find((g) => g.name === name)!;

    it("pass promtool check rules for both web variants", () => {
        for (const webServer of ["apache", "fpm"] as const) {
            writeFileSync(path.join(dir, `${webServer}.yaml`), stringify({ groups: alertRuleGroups({ ...ARGS, webServer }) }));
            promtool("check", "rules", `${webServer}.yaml`);
        }
    });

    it("fire for a CronJob not succeeded within its longest gap plus the margin, and before its first success", () => {
        const g = group(ARGS, "matomo-cronjobs");
        const archive = { namespace: "matomo", cronjob: "matomo-archive" };
        const backup = { namespace: "matomo", cronjob: "matomo-backup" };
        testGroup(
            g,
            [
                // matomo-archive last succeeded at 0 s; another namespace's archive never did (and is ignored).
                { series: 'kube_cronjob_status_last_successful_time{namespace="matomo",cronjob="matomo-archive"}', values: "0x1600" },
                { series: 'kube_cronjob_created{namespace="matomo",cronjob="matomo-archive"}', values: "0x1600" },
                { series: 'kube_cronjob_created{namespace="other",cronjob="matomo-archive"}', values: "0x1600" },
                // matomo-backup was created at 0 s and has never succeeded.
                { series: 'kube_cronjob_created{namespace="matomo",cronjob="matomo-backup"}', values: "0x1600" },
            ],
            [
                { eval_time: "1h59m", alertname: "MatomoCronJobNotSucceeded", exp_alerts: [] },
                {
                    eval_time: "2h1m",
                    alertname: "MatomoCronJobNotSucceeded",
                    exp_alerts: [expected(g, "MatomoCronJobNotSucceeded", archive, "matomo-archive")],
                },
                {
                    eval_time: "25h1m",
                    alertname: "MatomoCronJobNotSucceeded",
                    exp_alerts: [
                        expected(g, "MatomoCronJobNotSucceeded", archive, "matomo-archive"),
                        expected(g, "MatomoCronJobNotSucceeded", backup, "matomo-backup"),
                    ],
                },
            ],
        );
    });

    for (const [webServer, metric] of [
        ["apache", 'apache_workers{namespace="matomo",pod="web-1",state="busy"}'],
        ["fpm", 'phpfpm_active_processes{namespace="matomo",pod="web-1",pool="www"}'],
    ] as const) {
        it(`fire for ${webServer} web workers busy at the threshold of the sized workers for 15 minutes`, () => {
            const args = { ...ARGS, webServer };
            const g = group(args, "matomo-web");
            const idle = metric.replace("web-1", "web-2");
            testGroup(
                g,
                [
                    { series: metric, values: "9x30" }, // 90 % of 10 workers
                    { series: idle, values: "8x30" },
                    { series: metric.replace('"matomo"', '"other"'), values: "10x30" },
                ],
                [
                    { eval_time: "10m", alertname: "MatomoWebWorkersSaturated", exp_alerts: [] },
                    {
                        eval_time: "20m",
                        alertname: "MatomoWebWorkersSaturated",
                        exp_alerts: [expected(g, "MatomoWebWorkersSaturated", { namespace: "matomo", pod: "web-1" })],
                    },
                ],
            );
        });
    }

    it("fire for a container OOM-killed and for one restarting, not for one restarted once for another reason", () => {
        const g = group(ARGS, "matomo-pods");
        const web = { namespace: "matomo", pod: "web-1", container: "matomo" };
        const archive = { namespace: "matomo", pod: "archive-1", container: "archive" };
        const restarts = (l: Record<string, string>) =>
            `kube_pod_container_status_restarts_total{namespace="${l.namespace}",pod="${l.pod}",container="${l.container}"}`;
        const reason = (l: Record<string, string>, why: string) =>
            `kube_pod_container_status_last_terminated_reason{namespace="${l.namespace}",pod="${l.pod}",container="${l.container}",reason="${why}"}`;
        testGroup(
            g,
            [
                { series: restarts(web), values: "0x10 1x50" }, // one restart at 11 min, OOM-killed
                { series: reason(web, "OOMKilled"), values: "0x10 1x50" },
                { series: restarts(archive), values: "0+1x60" }, // one restart a minute, for an error
                { series: reason(archive, "Error"), values: "1x60" },
                { series: restarts({ ...web, namespace: "other" }), values: "0+1x60" },
            ],
            [
                { eval_time: "5m", alertname: "MatomoContainerOOMKilled", exp_alerts: [] },
                { eval_time: "15m", alertname: "MatomoContainerOOMKilled", exp_alerts: [expected(g, "MatomoContainerOOMKilled", web)] },
                {
                    eval_time: "15m",
                    alertname: "MatomoContainerRestarting",
                    exp_alerts: [expected(g, "MatomoContainerRestarting", archive)],
                },
            ],
        );
    });

    it("fire for a claim at the threshold for 5 minutes", () => {
        const g = group(ARGS, "matomo-claims");
        const claim = (name: string, ns = "matomo") => `{namespace="${ns}",persistentvolumeclaim="${name}"}`;
        testGroup(
            g,
            [
                { series: `kubelet_volume_stats_used_bytes${claim("backups")}`, values: "80x20" },
                { series: `kubelet_volume_stats_capacity_bytes${claim("backups")}`, values: "100x20" },
                { series: `kubelet_volume_stats_used_bytes${claim("misc")}`, values: "79x20" },
                { series: `kubelet_volume_stats_capacity_bytes${claim("misc")}`, values: "100x20" },
                { series: `kubelet_volume_stats_used_bytes${claim("misc", "other")}`, values: "99x20" },
                { series: `kubelet_volume_stats_capacity_bytes${claim("misc", "other")}`, values: "100x20" },
            ],
            [
                { eval_time: "3m", alertname: "MatomoClaimNearlyFull", exp_alerts: [] },
                {
                    eval_time: "10m",
                    alertname: "MatomoClaimNearlyFull",
                    exp_alerts: [expected(g, "MatomoClaimNearlyFull", { namespace: "matomo", persistentvolumeclaim: "backups" })],
                },
            ],
        );
    });
});
