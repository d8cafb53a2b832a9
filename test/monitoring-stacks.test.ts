/**
 * The web tier's scrape targets in the stacks: prod (GKE) scrapes them with a PodMonitoring, the
 * everything-on stacks in either form, the dev stack (monitoring off) has neither exporter nor
 * monitor; and a dev stack switches the Prometheus Operator form on with one key.
 */
import assert from "node:assert/strict";
import type { ProgramRun } from "../scripts/lib/mockEngine";
import { all, one, podSpecOf, run, stackConfig, withChanges } from "./support/harness";
import { VARIANTS } from "./support/variants";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor";
const POD_MONITORING = "kubernetes:monitoring.googleapis.com/v1:PodMonitoring";

/** The web pods' container names. */
const webContainers = (r: ProgramRun) =>
    (podSpecOf(one(r, DEPLOYMENT, "matomo-web-deployment")).containers as { name: string }[]).map((c) => c.name);
const monitors = (r: ProgramRun) => [...all(r, POD_MONITOR), ...all(r, POD_MONITORING)];

describe("the web tier's scrape targets in the stacks", () => {
    it("dev: none (monitoring is off)", async () => {
        const r = await VARIANTS.dev();
        assert.deepEqual(webContainers(r), ["matomo"]);
        assert.equal(monitors(r).length, 0);
    });

    it("prod: the Apache exporter in each web pod, and a PodMonitoring for GKE's Managed Service for Prometheus", async () => {
        const r = await VARIANTS.prod();
        assert.deepEqual(webContainers(r), ["matomo", "apache-exporter"]);
        assert.deepEqual(
            monitors(r).map((m) => m.type),
            [POD_MONITORING],
        );
        assert.equal(one(r, POD_MONITORING).inputs.metadata.namespace, "matomo");
    });

    it("everything on: a PodMonitor labelled for kube-prometheus-stack (EEA), a PodMonitoring every minute (Google)", async () => {
        const eea = one(await VARIANTS["everything on, EEA"](), POD_MONITOR).inputs;
        assert.equal(eea.metadata.labels.release, "kube-prometheus-stack");
        assert.equal(eea.spec.podMetricsEndpoints[0].interval, "15s");
        const google = one(await VARIANTS["everything on, Google"](), POD_MONITORING).inputs;
        assert.equal(google.spec.endpoints[0].interval, "1m");
    });

    it("the fpm variant: the php-fpm exporter beside php-fpm and nginx", async () => {
        const r = await VARIANTS["dev, php-fpm behind nginx"]();
        assert.deepEqual(webContainers(r), ["matomo", "nginx", "php-fpm-exporter"]);
        assert.equal(monitors(r).length, 1);
    });

    it("a dev stack switches the Prometheus Operator form on with monitoring.enabled alone", async () => {
        const r = await run(withChanges(stackConfig("dev"), { "matomo:monitoring": { enabled: true } }));
        assert.deepEqual(webContainers(r), ["matomo", "apache-exporter"]);
        assert.equal(all(r, POD_MONITOR).length, 1);
        const policy = all(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find((p) => p.name === "network-web-metrics-from-scraper");
        assert.deepEqual(policy?.inputs.spec.ingress, [
            {
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
                ports: [{ port: "metrics", protocol: "TCP" }],
            },
        ]);
    });
});
