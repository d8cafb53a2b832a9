/** The MatomoWeb component on its own: the web tier's objects follow from its args alone. */
import assert from "node:assert/strict";
import { MatomoWeb, type MatomoWebArgs } from "../../components/matomo/web";
import { buildAlone, sampleDatabase, sampleWorkload } from "../support/component";
import { all, one, podSpecOf } from "../support/harness";
import { assertPlaced, SAMPLE_PLACEMENT } from "../support/placement";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";

function build(args: Partial<MatomoWebArgs> = {}) {
    return buildAlone(
        () =>
            new MatomoWeb("web", {
                ...sampleWorkload(),
                replicas: 1,
                resources: { requests: { memory: "256Mi", cpu: "100m" }, limits: { memory: "512Mi" } },
                sharedStorage: false,
                serviceName: "analytics",
                server: APACHE,
                ...args,
            }),
    );
}

const SIZING = { workers: 3, spareWorkers: { start: 1, min: 1, max: 2 }, maxRequestsPerWorker: 500, keepAliveTimeout: 0 };
const APACHE: MatomoWebArgs["server"] = { ...SIZING, variant: "apache" };
const FPM: MatomoWebArgs["server"] = {
    ...SIZING,
    variant: "fpm",
    nginx: {
        image: { reference: "nginxinc/nginx-unprivileged:1.28-alpine", pullPolicy: "IfNotPresent" },
        resources: { requests: { memory: "32Mi", cpu: "50m" }, limits: { memory: "128Mi" } },
    },
};

const INGRESS_ARGS = { hostname: "stats.example.org", nginx: {}, annotations: {} };

const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";

describe("MatomoWeb", () => {
    it("puts its pods where the placement says, the placement's spread replacing its own", async () => {
        const run = await build({ replicas: 3, placement: SAMPLE_PLACEMENT });
        assertPlaced(one(run, DEPLOYMENT));
        assert.equal((podSpecOf(one(run, DEPLOYMENT)).topologySpreadConstraints as unknown[]).length, 1);
        const own = podSpecOf(one(await build({ replicas: 3 }), DEPLOYMENT)).topologySpreadConstraints as Record<string, unknown>[];
        assert.equal(own[0].topologyKey, "kubernetes.io/hostname", "without a placement, several pods spread over nodes");
    });

    it("runs Apache with the given workers and keep-alive off, from a file mounted after the image's", async () => {
        const run = await build();
        const apacheConf = one(run, CONFIG_MAP).inputs.data["apache.conf"] as string;
        assert.match(apacheConf, /^MaxRequestWorkers 3$/m);
        assert.match(apacheConf, /^ServerLimit 3$/m);
        assert.match(apacheConf, /^MaxConnectionsPerChild 500$/m);
        assert.match(apacheConf, /^KeepAlive Off$/m);
        const pod = podSpecOf(one(run, DEPLOYMENT));
        const containers = pod.containers as Record<string, any>[];
        assert.deepEqual(
            containers.map((c) => c.name),
            ["matomo"],
        );
        const mount = containers[0].volumeMounts.find((m: { name: string }) => m.name === "web-server");
        assert.deepEqual(mount, {
            name: "web-server",
            mountPath: "/etc/apache2/conf-enabled/zz-matomo-web.conf",
            subPath: "apache.conf",
            readOnly: true,
        });
        assert.equal(containers[0].readinessProbe.httpGet.path, "/matomo.php");
    });

    it("rolls the pods when the sizing changes", async () => {
        const checksum = async (server: MatomoWebArgs["server"]) =>
            one(await build({ server }), DEPLOYMENT).inputs.spec.template.metadata.annotations["checksum/server"];
        assert.notEqual(await checksum(APACHE), await checksum({ ...APACHE, workers: 4 }));
    });

    it("runs php-fpm with nginx beside it in the fpm variant, nginx serving the probes and the Service", async () => {
        const run = await build({ server: FPM });
        const data = one(run, CONFIG_MAP).inputs.data as Record<string, string>;
        assert.deepEqual(Object.keys(data).sort(), ["fpm-pool.conf", "nginx.conf"]);
        assert.match(data["fpm-pool.conf"], /^pm.max_children = 3$/m);
        assert.match(data["fpm-pool.conf"], /^listen = 127.0.0.1:9000$/m);
        const pod = podSpecOf(one(run, DEPLOYMENT));
        const [matomo, nginx] = pod.containers as Record<string, any>[];
        assert.equal(nginx.name, "nginx");
        assert.equal(matomo.ports, undefined, "php-fpm is reached inside the pod only");
        assert.equal(matomo.readinessProbe, undefined);
        assert.deepEqual(nginx.ports, [{ name: "http", containerPort: 8080, protocol: "TCP" }]);
        assert.equal(nginx.readinessProbe.httpGet.path, "/matomo.php");
        assert.equal(nginx.securityContext.readOnlyRootFilesystem, true);
        assert.ok(nginx.volumeMounts.some((m: { mountPath: string; readOnly?: boolean }) => m.mountPath === "/var/www/html" && m.readOnly));
        assert.equal(pod.securityContext!.sysctls, undefined, "no privileged port to bind");
        const service = one(run, "kubernetes:core/v1:Service").inputs;
        assert.equal(service.spec.ports[0].targetPort, "http");
    });

    it("regenerates matomo.js when a pod starts, with the stack's plugins in its config", async () => {
        const workload = sampleWorkload();
        const run = await build({ runtime: { ...workload.runtime, plugins: ["QueuedTracking"] } });
        const prepare = podSpecOf(one(run, DEPLOYMENT)).initContainers!.find((c) => c.name === "prepare-webroot")!;
        const script = (prepare.command as string[])[2];
        assert.match(script, /php "\$dst\/console" custom-matomo-js:update --no-interaction/);
        assert.match(script, /php -- "\$dst" QueuedTracking >>/);
    });

    it("creates no Ingress unless given one, and the Service under its fixed name", async () => {
        const run = await build();
        assert.equal(all(run, INGRESS).length, 0);
        assert.equal(one(run, "kubernetes:core/v1:Service").inputs.metadata.name, "analytics");
    });

    it("publishes the Service through an Ingress for the hostname, plain HTTP without a TLS Secret", async () => {
        const ingress = one(await build({ ingress: INGRESS_ARGS }), INGRESS).inputs;
        assert.equal(ingress.spec.rules[0].host, "stats.example.org");
        assert.equal(ingress.spec.rules[0].http.paths[0].backend.service.name, "analytics");
        assert.equal(ingress.spec.tls, undefined);
        assert.equal(ingress.spec.ingressClassName, undefined, "the cluster's default class");
        assert.deepEqual(ingress.metadata.annotations, {});
    });

    it("recreates a single pod on a ReadWriteOnce volume, without a PodDisruptionBudget", async () => {
        const run = await build();
        assert.deepEqual(one(run, DEPLOYMENT).inputs.spec.strategy, { type: "Recreate" });
        assert.equal(all(run, PDB).length, 0);
        assert.equal(one(run, DEPLOYMENT).inputs.spec.template.spec.topologySpreadConstraints, undefined);
    });

    it("rolls several pods on shared storage one by one, spread over nodes, behind a PodDisruptionBudget", async () => {
        const run = await build({ replicas: 3, sharedStorage: true });
        const spec = one(run, DEPLOYMENT).inputs.spec;
        assert.deepEqual(spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
        assert.equal(spec.template.spec.topologySpreadConstraints.length, 1);
        assert.equal(one(run, PDB).inputs.spec.maxUnavailable, 1);
    });

    it("probes the static tracker file while tracking is switched off, and matomo.php otherwise", async () => {
        const probe = async (trackingDisabled?: boolean) =>
            one(await build({ trackingDisabled }), DEPLOYMENT).inputs.spec.template.spec.containers[0].readinessProbe.httpGet.path;
        assert.equal(await probe(undefined), "/matomo.php");
        assert.equal(await probe(true), "/matomo.js");
    });

    it("rolls the pods when the runtime's checksum changes", async () => {
        const template = one(await build(), DEPLOYMENT).inputs.spec.template;
        assert.equal(template.metadata.annotations["checksum/config"], "0".repeat(64));
    });

    it("lists the pull secrets of its images alone: Matomo's, the database sidecar's, and nginx's in the fpm variant", async () => {
        const secrets = (run: Awaited<ReturnType<typeof build>>) => podSpecOf(one(run, DEPLOYMENT)).imagePullSecrets;
        assert.equal(secrets(await build()), undefined, "none without pull secrets");
        const workload = sampleWorkload();
        const image = { ...workload.image, pullSecrets: ["matomo-registry"] };
        const proxied = sampleDatabase({ podPatch: { initContainers: [], volumes: [], egress: [], pullSecrets: ["proxy-registry"] } });
        assert.deepEqual(secrets(await build({ image, database: proxied })), [{ name: "matomo-registry" }, { name: "proxy-registry" }]);
        const nginx = { ...FPM.nginx, image: { ...FPM.nginx.image, pullSecrets: ["nginx-registry", "matomo-registry"] } };
        assert.deepEqual(secrets(await build({ image, server: { ...FPM, nginx } })), [
            { name: "matomo-registry" },
            { name: "nginx-registry" },
        ]);
        assert.deepEqual(secrets(await build({ server: { ...FPM, nginx } })), [{ name: "nginx-registry" }, { name: "matomo-registry" }]);
    });
});
