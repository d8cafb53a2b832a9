/**
 * `matomo:monitoring`: off by default, the variant's exporter when on, the scraper's namespace by
 * form, and every setting the API server or the scraper would refuse, or that would have no
 * effect, refused with its key. The pure parts the web component renders from it: the status
 * pages, the exporter sidecar and the monitor objects.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkScrapeInterval } from "../components/config/sections/monitoring";
import { APACHE_STATUS, FPM_STATUS, METRICS_PORT_NAME, WEB_EXPORTERS, webExporterContainer } from "../components/matomo/webMetrics";
import { MONITOR_KINDS, webMonitorSpec } from "../components/matomo/webMonitor";
import { renderApacheConfig, renderFpmPool } from "../components/matomo/webServer";
import { restrictedViolations } from "../policy/rules/podSecurity";
import { assertRejected, parse, valid } from "./support/configCases";
import { customResourceProblems } from "./support/customResources";

const FPM = { "matomo:matomo": { image: { tag: "5.11.2-fpm" }, webServer: { variant: "fpm" } } };
const SIZING = { workers: 2, spareWorkers: { start: 1, min: 1, max: 2 }, maxRequestsPerWorker: 100, keepAliveTimeout: 0 };

describe("monitoring configuration", () => {
    it("is off by default", () => {
        assert.equal(valid({}).monitoring, undefined);
    });

    it("runs the Apache exporter with the apache variant, and the scraper in the form's usual namespace", () => {
        const cfg = valid({ "matomo:monitoring": { enabled: true } })!;
        assert.equal(cfg.monitoring?.form, "prometheusOperator");
        assert.equal(cfg.monitoring?.interval, "30s");
        assert.equal(cfg.monitoring?.webExporter.image.reference, "quay.io/lusitaniae/apache-exporter:v1.1.1");
        assert.deepEqual(cfg.monitoring?.scraper, { namespace: "monitoring", podLabels: {} });
        const gke = valid({ "matomo:monitoring": { enabled: true, form: "gke" } });
        assert.deepEqual(gke.monitoring?.scraper, { namespace: "gmp-system", podLabels: {} });
    });

    it("runs the php-fpm exporter with the fpm variant", () => {
        const cfg = valid({ ...FPM, "matomo:monitoring": { enabled: true } });
        assert.equal(cfg.monitoring?.webExporter.image.reference, "hipages/php-fpm_exporter:2.2.0");
    });

    it("refuses settings while it is off, which would have no effect", () => {
        const { issues } = parse({ "matomo:monitoring": { interval: "1m" } });
        assert.deepEqual(
            issues.map((i) => i.key),
            ["matomo:monitoring.interval"],
        );
        assert.match(issues[0].message, /enabled/);
    });

    it("creates the alert rules by default, with their default thresholds, and none with alerts.enabled false", () => {
        assert.deepEqual(valid({ "matomo:monitoring": { enabled: true } }).monitoring?.alerts, {
            thresholds: { cronJobMarginMinutes: 60, workersBusyPercent: 90, restartsPerHour: 3, claimFullPercent: 80 },
            runbookUrl: "docs/runbooks.md",
        });
        assert.equal(valid({ "matomo:monitoring": { enabled: true, alerts: { enabled: false } } }).monitoring?.alerts, undefined);
    });

    it("refuses alert thresholds out of range, a runbook URL it cannot link from, and thresholds with the alerts off", () => {
        for (const [alerts, key, text] of [
            [{ claimFullPercent: 100 }, "claimFullPercent", "from 1 to 99"],
            [{ workersBusyPercent: 0 }, "workersBusyPercent", "from 1 to 100"],
            [{ cronJobMarginMinutes: 1 }, "cronJobMarginMinutes", "from 5 to 10080"],
            [{ restartsPerHour: "many" }, "restartsPerHour", '"many"'],
            [{ runbookUrl: "https://x/runbooks.md#alerts" }, "runbookUrl", "#fragment"],
            [{ runbookUrl: "docs/run books.md" }, "runbookUrl", "white space"],
            [{ enabled: false, claimFullPercent: 90 }, "claimFullPercent", "enabled"],
        ] as const) {
            assertRejected({ "matomo:monitoring": { enabled: true, alerts } }, `matomo:monitoring.alerts.${key}`, text);
        }
    });

    it("refuses the other variant's exporter, which would have no effect", () => {
        assertRejected(
            { "matomo:monitoring": { enabled: true, web: { fpmExporter: { resources: { limits: { memory: "32Mi" } } } } } },
            "matomo:monitoring.web.fpmExporter",
            'matomo.webServer.variant is "apache"',
        );
    });

    it("refuses a scraper without NetworkPolicies, which nothing would read", () => {
        assertRejected(
            { "matomo:securityEnabled": false, "matomo:monitoring": { enabled: true, scraper: { namespace: "observability" } } },
            "matomo:monitoring.scraper",
            "securityEnabled is false",
        );
    });

    it("refuses what the API server or the scraper would refuse, naming the key and the value", () => {
        const cases: [Record<string, unknown>, string, string][] = [
            [{ interval: "30" }, "matomo:monitoring.interval", 'got "30"; expected whole seconds or minutes'],
            [{ interval: "1s" }, "matomo:monitoring.interval", "use 5s or more"],
            [{ interval: "10m" }, "matomo:monitoring.interval", "use 5m or less"],
            [{ form: "prometheus" }, "matomo:monitoring.form", '"prometheusOperator", "gke"'],
            [{ scraper: { namespace: "Monitoring" } }, "matomo:monitoring.scraper.namespace", 'got "Monitoring"'],
            [{ monitorLabels: { release: "kube prometheus" } }, "matomo:monitoring.monitorLabels.release", "label value"],
            [
                { monitorLabels: { "app.kubernetes.io/name": "x" } },
                "matomo:monitoring.monitorLabels.app.kubernetes.io/name",
                "standard label",
            ],
            [
                { web: { apacheExporter: { resources: { requests: { memory: "128Mi" } } } } },
                "matomo:monitoring.web.apacheExporter.resources.requests.memory",
                "128Mi",
            ],
            [
                { web: { apacheExporter: { image: { tag: "latest version" } } } },
                "matomo:monitoring.web.apacheExporter.image.tag",
                "latest version",
            ],
        ];
        for (const [monitoring, key, text] of cases) assertRejected({ "matomo:monitoring": { enabled: true, ...monitoring } }, key, text);
    });

    it("accepts every interval from 5s to 5m in seconds or minutes, and nothing else", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 400 }), fc.constantFrom("s", "m"), (n, unit) => {
                const seconds = n * (unit === "m" ? 60 : 1);
                assert.equal(checkScrapeInterval(`${n}${unit}`) === undefined, seconds >= 5 && seconds <= 300);
            }),
        );
        for (const bad of ["", "30", "1h", "1m30s", "05s", "-5s", "5.5s"]) assert.ok(checkScrapeInterval(bad), bad);
    });
});

describe("the web tier's metrics, rendered", () => {
    it("adds the status pages only when asked for, on 127.0.0.1", () => {
        assert.doesNotMatch(renderApacheConfig({ ...SIZING, variant: "apache" }), /server-status|^Listen /m);
        assert.doesNotMatch(renderFpmPool({ ...SIZING, variant: "fpm" }), /status/);
        const apache = renderApacheConfig({ ...SIZING, variant: "apache" }, true);
        assert.match(apache, new RegExp(`^Listen ${APACHE_STATUS.address}$`, "m"));
        assert.match(apache, new RegExp(`^<VirtualHost ${APACHE_STATUS.address}>$`, "m"));
        assert.ok(APACHE_STATUS.address.startsWith("127.0.0.1:") && FPM_STATUS.address.startsWith("127.0.0.1:"));
        const pool = renderFpmPool({ ...SIZING, variant: "fpm" }, true);
        assert.match(pool, new RegExp(`^pm.status_listen = ${FPM_STATUS.address}$`, "m"));
        assert.match(pool, /^pm.status_path = \/status$/m);
    });

    it("points each exporter at its server's status page and offers the named metrics port", () => {
        assert.ok(WEB_EXPORTERS.apache.args.includes(`--scrape_uri=http://${APACHE_STATUS.address}/server-status?auto`));
        assert.ok(WEB_EXPORTERS.fpm.args.includes(`--phpfpm.scrape-uri=tcp://${FPM_STATUS.address}/status`));
        for (const variant of ["apache", "fpm"] as const) {
            const image = { reference: "registry.example.com/exporter:1", pullPolicy: "IfNotPresent" as const };
            const container = webExporterContainer(variant, {
                image,
                resources: { requests: { memory: "16Mi", cpu: "10m" }, limits: { memory: "64Mi" } },
            });
            assert.deepEqual(container.ports, [{ name: METRICS_PORT_NAME, containerPort: WEB_EXPORTERS[variant].port, protocol: "TCP" }]);
            assert.deepEqual(restrictedViolations({ containers: [container] } as never), []);
            assert.ok(container.readinessProbe && container.livenessProbe);
        }
    });

    it("selects the pods and names the metrics port in either form's monitor object", () => {
        const selector = { "app.kubernetes.io/name": "matomo" };
        assert.deepEqual(webMonitorSpec("prometheusOperator", selector, "15s"), {
            selector: { matchLabels: selector },
            podMetricsEndpoints: [{ port: METRICS_PORT_NAME, path: "/metrics", interval: "15s" }],
        });
        assert.deepEqual(webMonitorSpec("gke", selector, "1m"), {
            selector: { matchLabels: selector },
            endpoints: [{ port: METRICS_PORT_NAME, path: "/metrics", interval: "1m" }],
        });
        assert.deepEqual(MONITOR_KINDS.gke, { apiVersion: "monitoring.googleapis.com/v1", kind: "PodMonitoring" });
    });

    it("are checked against their CRDs by the whole-stack schema check, which finds a mistake", () => {
        const object = (form: "prometheusOperator" | "gke", spec: unknown) => ({ ...MONITOR_KINDS[form], metadata: { name: "m" }, spec });
        assert.deepEqual(customResourceProblems(object("gke", webMonitorSpec("gke", {}, "30s"))), []);
        assert.deepEqual(customResourceProblems(object("prometheusOperator", webMonitorSpec("prometheusOperator", {}, "30s"))), []);
        assert.deepEqual(customResourceProblems(object("gke", { selector: {}, endpoints: [{ port: "metrics", interval: "30 s" }] })), [
            '.spec.endpoints[0].interval: "30 s" does not match ' +
                String(/^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/),
        ]);
        assert.deepEqual(customResourceProblems(object("gke", { selector: {}, podMetricsEndpoints: [] })), [
            ".spec.endpoints: required",
            ".spec.podMetricsEndpoints: not a field of the CRD as far as this check knows it",
        ]);
    });
});
