/**
 * Whole-program checks on every Kubernetes object the program registers, for every stack variant:
 * valid against the Kubernetes OpenAPI schema (the mock engine accepts anything; custom resources
 * against their CRDs, test/support/customResources.ts), Pod Security
 * `restricted` (the policy pack's checker, tested in test/policy/podSecurity.test.ts), and
 * resources, probes and security contexts on every container.
 */
import assert from "node:assert/strict";
import { kubernetesObject } from "../scripts/render";
import { revealSecrets, type CapturedResource, type ProgramRun } from "../scripts/lib/mockEngine";
import { restrictedViolations } from "../policy/rules/podSecurity";
import { customResourceProblems, isCustomResource } from "./support/customResources";
import { kubernetesResources, podSpecOf, workloads, type Container } from "./support/harness";
import { VARIANTS } from "./support/variants";

type Model = { validate(): void };
type ModelClass = new (data: Record<string, unknown>) => Model;

/** The kubernetes-models class for an object's apiVersion and kind. */
async function modelFor(apiVersion: string, kind: string): Promise<ModelClass> {
    const group = apiVersion.includes("/") ? apiVersion : `v1`;
    const module = (await import(`kubernetes-models/${group}/${kind}`)) as Record<string, ModelClass>;
    const model = module[kind];
    if (!model) throw new Error(`kubernetes-models has no ${apiVersion} ${kind}`);
    return model;
}

/** Whether a pod template belongs to a long-running workload (which needs probes). */
const longRunning = (r: CapturedResource) => /:(Deployment|StatefulSet|DaemonSet)$/.test(r.type);

/** A native sidecar: an init container that keeps running next to the main containers. */
const isSidecar = (c: Container) => c.restartPolicy === "Always";

for (const [variant, runVariant] of Object.entries(VARIANTS)) {
    describe(`Kubernetes objects (${variant})`, () => {
        let result: ProgramRun;
        before(async () => {
            result = await runVariant();
        });

        it("are valid against the Kubernetes OpenAPI schema", async () => {
            const objects = kubernetesResources(result);
            assert.ok(objects.length > 5);
            for (const r of objects) {
                const object = kubernetesObject(r, revealSecrets);
                // kubernetes-models knows no custom resource: those are checked against their CRDs here.
                if (isCustomResource(String(object.apiVersion), String(object.kind))) {
                    assert.deepEqual(customResourceProblems(object), [], r.urn);
                    continue;
                }
                const Model = await modelFor(String(object.apiVersion), String(object.kind));
                try {
                    new Model(object).validate();
                } catch (e) {
                    assert.fail(`${r.urn} is not a valid ${String(object.kind)}: ${(e as Error).message}`);
                }
            }
        });

        it("run every pod under Pod Security restricted, which the namespace, when created, enforces", () => {
            for (const w of workloads(result)) assert.deepEqual(restrictedViolations(podSpecOf(w)), [], w.urn);
            const namespace = result.resources.find((r) => r.type === "kubernetes:core/v1:Namespace");
            if (namespace) {
                const labels = namespace.inputs.metadata.labels as Record<string, string>;
                for (const mode of ["enforce", "warn", "audit"])
                    assert.equal(labels[`pod-security.kubernetes.io/${mode}`], "restricted", mode);
            }
        });

        it("give every container resources and a security context, and long-running ones probes", () => {
            for (const w of workloads(result)) {
                const pod = podSpecOf(w);
                for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
                    const where = `${w.name}/${c.name}`;
                    const resources = c.resources as Record<string, Record<string, string>> | undefined;
                    assert.ok(resources?.requests?.memory && resources?.requests?.cpu, `${where} has no requests`);
                    assert.ok(resources?.limits?.memory, `${where} has no memory limit`);
                    assert.ok(c.securityContext, `${where} has no security context`);
                }
                if (longRunning(w)) {
                    for (const c of [...pod.containers, ...(pod.initContainers ?? []).filter(isSidecar)]) {
                        assert.ok(c.startupProbe || c.readinessProbe, `${w.name}/${c.name} has no startup or readiness probe`);
                        if (!isSidecar(c)) assert.ok(c.livenessProbe, `${w.name}/${c.name} has no liveness probe`);
                    }
                }
                assert.equal(pod.automountServiceAccountToken, false, `${w.name} mounts a service account token`);
            }
        });

        it("pin every image to a tag or digest", () => {
            for (const w of workloads(result)) {
                const pod = podSpecOf(w);
                for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
                    assert.match(c.image, /^[^:@]+(:[^:]+|@sha256:[a-f0-9]{64})$/, `${w.name}/${c.name}`);
                    assert.doesNotMatch(c.image, /:latest$/);
                }
            }
        });
    });
}
