/** The MatomoWeb component on its own with metrics: the exporter sidecar, the status page and the monitor object follow from its args. */
import assert from "node:assert/strict";
import { MatomoWeb, type MatomoWebArgs } from "../../components/matomo/web";
import { buildAlone, sampleWorkload } from "../support/component";
import { all, one, podSpecOf } from "../support/harness";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor";
const POD_MONITORING = "kubernetes:monitoring.googleapis.com/v1:PodMonitoring";
const SIZING = { workers: 3, spareWorkers: { start: 1, min: 1, max: 2 }, maxRequestsPerWorker: 500, keepAliveTimeout: 0 };
const FPM: MatomoWebArgs["server"] = {
    ...SIZING,
    variant: "fpm",
    nginx: {
        image: { reference: "nginxinc/nginx-unprivileged:1.28-alpine", pullPolicy: "IfNotPresent" },
        resources: { requests: { memory: "32Mi", cpu: "50m" }, limits: { memory: "128Mi" } },
    },
};
const METRICS: NonNullable<MatomoWebArgs["metrics"]> = {
    image: { reference: "quay.io/lusitaniae/apache-exporter:v1.1.1", pullPolicy: "IfNotPresent", pullSecrets: ["exporter-registry"] },
    resources: { requests: { memory: "16Mi", cpu: "10m" }, limits: { memory: "64Mi" } },
    monitor: { form: "prometheusOperator", interval: "15s", labels: { release: "kube-prometheus-stack" } },
};

function build(args: Partial<MatomoWebArgs> = {}) {
    return buildAlone(
        () =>
            new MatomoWeb("web", {
                ...sampleWorkload(),
                replicas: 1,
                resources: { requests: { memory: "256Mi", cpu: "100m" }, limits: { memory: "512Mi" } },
                sharedStorage: false,
                serviceName: "analytics",
                server: { ...SIZING, variant: "apache" },
                ...args,
            }),
    );
}

type Run = Awaited<ReturnType<typeof build>>;
const containers = (run: Run) => podSpecOf(one(run, DEPLOYMENT)).containers as Record<string, any>[];
const serverFiles = (run: Run) => one(run, "kubernetes:core/v1:ConfigMap").inputs.data as Record<string, string>;

describe("MatomoWeb with metrics", () => {
    it("has no exporter, no status page and no monitor without them", async () => {
        const run = await build();
        assert.deepEqual(
            containers(run).map((c) => c.name),
            ["matomo"],
        );
        assert.doesNotMatch(serverFiles(run)["apache.conf"], /server-status/);
        assert.equal(all(run, POD_MONITOR).length + all(run, POD_MONITORING).length, 0);
    });

    it("runs the Apache exporter beside Apache, reading the status page on 127.0.0.1, with the exporter image's pull secrets", async () => {
        const run = await build({ metrics: METRICS });
        const [, exporter] = containers(run);
        assert.equal(exporter.name, "apache-exporter");
        assert.equal(exporter.image, "quay.io/lusitaniae/apache-exporter:v1.1.1");
        assert.ok(exporter.args.includes("--scrape_uri=http://127.0.0.1:8081/server-status?auto"));
        assert.deepEqual(exporter.ports, [{ name: "metrics", containerPort: 9117, protocol: "TCP" }]);
        assert.deepEqual(exporter.resources, { requests: { memory: "16Mi", cpu: "10m" }, limits: { memory: "64Mi" } });
        assert.equal(exporter.securityContext.readOnlyRootFilesystem, true);
        assert.match(serverFiles(run)["apache.conf"], /^<VirtualHost 127\.0\.0\.1:8081>$/m);
        assert.deepEqual(podSpecOf(one(run, DEPLOYMENT)).imagePullSecrets, [{ name: "exporter-registry" }]);
        const without = one(await build(), DEPLOYMENT).inputs.spec.template.metadata.annotations["checksum/server"];
        assert.notEqual(one(run, DEPLOYMENT).inputs.spec.template.metadata.annotations["checksum/server"], without, "the pods roll");
    });

    it("never routes the metrics port through the Service", async () => {
        const service = one(await build({ metrics: METRICS }), "kubernetes:core/v1:Service").inputs;
        assert.deepEqual(
            service.spec.ports.map((p: { name: string }) => p.name),
            ["http"],
        );
    });

    it("runs the php-fpm exporter beside php-fpm and nginx in the fpm variant, reading php-fpm's own status listener", async () => {
        const run = await build({ server: FPM, metrics: METRICS });
        assert.deepEqual(
            containers(run).map((c) => c.name),
            ["matomo", "nginx", "php-fpm-exporter"],
        );
        assert.ok(containers(run)[2].args.includes("--phpfpm.scrape-uri=tcp://127.0.0.1:9001/status"));
        assert.match(serverFiles(run)["fpm-pool.conf"], /^pm.status_listen = 127\.0\.0\.1:9001$/m);
        assert.doesNotMatch(serverFiles(run)["nginx.conf"], /status/);
    });

    it("tells Prometheus Operator to scrape the web pods' metrics port, with the labels it selects monitors by", async () => {
        const monitor = one(await build({ metrics: METRICS }), POD_MONITOR).inputs;
        assert.equal(monitor.apiVersion, "monitoring.coreos.com/v1");
        assert.equal(monitor.metadata.labels.release, "kube-prometheus-stack");
        assert.equal(monitor.metadata.labels["app.kubernetes.io/component"], "web");
        assert.deepEqual(monitor.spec.selector.matchLabels, {
            "app.kubernetes.io/name": "matomo",
            "app.kubernetes.io/component": "web",
            "app.kubernetes.io/instance": sampleWorkload().instance,
        });
        assert.deepEqual(monitor.spec.podMetricsEndpoints, [{ port: "metrics", path: "/metrics", interval: "15s" }]);
    });

    it("tells GKE's Managed Service for Prometheus the same with a PodMonitoring", async () => {
        const run = await build({ metrics: { ...METRICS, monitor: { form: "gke", interval: "1m", labels: {} } } });
        assert.equal(all(run, POD_MONITOR).length, 0);
        const monitor = one(run, POD_MONITORING).inputs;
        assert.deepEqual(monitor.spec.endpoints, [{ port: "metrics", path: "/metrics", interval: "1m" }]);
    });
});
