/** The MatomoWeb component on its own: the web tier's objects follow from its args alone. */
import assert from "node:assert/strict";
import { MatomoWeb, type MatomoWebArgs } from "../../components/matomo/web";
import { buildAlone, sampleWorkload } from "../support/component";
import { all, one, podSpecOf } from "../support/harness";

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
                ...args,
            }),
    );
}

const INGRESS_ARGS = { hostname: "stats.example.org", nginx: {}, annotations: {} };

describe("MatomoWeb", () => {
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
});
