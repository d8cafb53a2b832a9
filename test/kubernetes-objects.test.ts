/**
 * Whole-program checks on every Kubernetes object the program registers, for every stack variant:
 * valid against the Kubernetes OpenAPI schema (the mock engine accepts anything), Pod Security
 * `restricted`, and resources, probes and security contexts on every container.
 */
import assert from "node:assert/strict";
import { kubernetesObject } from "../scripts/render";
import { revealSecrets, type CapturedResource, type ProgramRun } from "../scripts/lib/mockEngine";
import { kubernetesResources, podLabelsOf, podSpecOf, workloads, type Container, type PodSpec } from "./support/harness";
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

/** Sysctls Pod Security allows at the baseline and restricted levels. */
const SAFE_SYSCTLS = new Set([
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
]);
const RESTRICTED_VOLUME_TYPES = new Set([
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
]);

/** Capabilities the baseline level lets a container add. */
const BASELINE_CAPABILITIES = new Set([
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
]);

/** Problems with a pod under the Pod Security Standard "baseline". */
function baselineViolations(pod: PodSpec): string[] {
    const problems: string[] = [];
    const podSecurity = (pod.securityContext ?? {}) as Record<string, any>;
    for (const key of ["hostNetwork", "hostPID", "hostIPC"]) if (pod[key]) problems.push(`${key} is set`);
    for (const volume of pod.volumes ?? []) if ("hostPath" in volume) problems.push(`volume ${String(volume.name)} is of type hostPath`);
    for (const sysctl of (podSecurity.sysctls ?? []) as { name: string }[]) {
        if (!SAFE_SYSCTLS.has(sysctl.name)) problems.push(`sysctl ${sysctl.name} is not a safe sysctl`);
    }
    if (podSecurity.seccompProfile?.type === "Unconfined") problems.push("the pod's seccomp profile is Unconfined");
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        const sc = (c.securityContext ?? {}) as Record<string, any>;
        const where = `container ${c.name}`;
        if (sc.privileged) problems.push(`${where} is privileged`);
        if (sc.seccompProfile?.type === "Unconfined") problems.push(`${where} has an Unconfined seccomp profile`);
        if (sc.procMount && sc.procMount !== "Default") problems.push(`${where} has procMount ${String(sc.procMount)}`);
        for (const port of (c.ports ?? []) as { hostPort?: number }[])
            if (port.hostPort) problems.push(`${where} uses host port ${port.hostPort}`);
        for (const cap of sc.capabilities?.add ?? []) if (!BASELINE_CAPABILITIES.has(cap)) problems.push(`${where} adds ${cap}`);
    }
    return problems;
}

/** Problems with a pod under the Pod Security Standard "restricted" (which includes baseline). */
function restrictedViolations(pod: PodSpec): string[] {
    const problems = baselineViolations(pod);
    const podSecurity = (pod.securityContext ?? {}) as Record<string, any>;
    for (const volume of pod.volumes ?? []) {
        const type = Object.keys(volume).find((k) => k !== "name")!;
        if (!RESTRICTED_VOLUME_TYPES.has(type)) problems.push(`volume ${String(volume.name)} is of type ${type}`);
    }
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        const sc = (c.securityContext ?? {}) as Record<string, any>;
        const where = `container ${c.name}`;
        if (sc.allowPrivilegeEscalation !== false) problems.push(`${where} allows privilege escalation`);
        if (!(sc.runAsNonRoot ?? podSecurity.runAsNonRoot)) problems.push(`${where} may run as root`);
        if ((sc.runAsUser ?? podSecurity.runAsUser) === 0) problems.push(`${where} runs as uid 0`);
        const seccomp = (sc.seccompProfile ?? podSecurity.seccompProfile)?.type;
        if (!["RuntimeDefault", "Localhost"].includes(seccomp)) problems.push(`${where} has no seccomp profile`);
        const caps = sc.capabilities ?? {};
        if (!(caps.drop ?? []).includes("ALL")) problems.push(`${where} does not drop ALL capabilities`);
        for (const cap of caps.add ?? []) if (cap !== "NET_BIND_SERVICE") problems.push(`${where} adds ${cap}`);
    }
    return [...new Set(problems)];
}

/** The mail relay: Postfix starts as root, so its pod needs the baseline level (see components/mail/relay.ts). */
const isMailRelay = (w: CapturedResource) => podLabelsOf(w)["app.kubernetes.io/name"] === "postfix";

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
                const Model = await modelFor(String(object.apiVersion), String(object.kind));
                try {
                    new Model(object).validate();
                } catch (e) {
                    assert.fail(`${r.urn} is not a valid ${String(object.kind)}: ${(e as Error).message}`);
                }
            }
        });

        it("run every pod under Pod Security restricted, but the mail relay, under baseline, which the namespace then enforces", () => {
            const relays = workloads(result).filter(isMailRelay);
            for (const w of workloads(result)) {
                const pod = podSpecOf(w);
                assert.deepEqual(isMailRelay(w) ? baselineViolations(pod) : restrictedViolations(pod), [], w.urn);
            }
            for (const w of relays) {
                const sc = podSpecOf(w).containers[0].securityContext as Record<string, any>;
                assert.equal(sc.allowPrivilegeEscalation, false);
                assert.deepEqual(sc.capabilities.drop, ["ALL"]);
            }
            const namespace = result.resources.find((r) => r.type === "kubernetes:core/v1:Namespace");
            if (namespace) {
                const labels = namespace.inputs.metadata.labels as Record<string, string>;
                assert.equal(labels["pod-security.kubernetes.io/enforce"], relays.length > 0 ? "baseline" : "restricted");
                assert.equal(labels["pod-security.kubernetes.io/warn"], "restricted", "deviations from restricted stay visible");
                assert.equal(labels["pod-security.kubernetes.io/audit"], "restricted");
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

describe("the Pod Security check itself", () => {
    it("catches a pod that breaks the restricted profile", () => {
        const bad: PodSpec = {
            hostNetwork: true,
            volumes: [{ name: "host", hostPath: { path: "/" } }],
            containers: [{ name: "c", image: "x:1", securityContext: { privileged: true, runAsUser: 0 } }],
        };
        const problems = restrictedViolations(bad);
        for (const expected of ["hostNetwork", "hostPath", "privileged", "escalation", "uid 0", "seccomp", "capabilities"]) {
            assert.ok(
                problems.some((p) => p.includes(expected)),
                `no problem mentions ${expected}: ${problems.join("; ")}`,
            );
        }
    });

    it("lets baseline allow root with a few capabilities, but not SYS_ADMIN or host ports", () => {
        const root: PodSpec = {
            containers: [
                { name: "c", image: "x:1", securityContext: { runAsUser: 0, capabilities: { drop: ["ALL"], add: ["SETUID", "SETGID"] } } },
            ],
        };
        assert.deepEqual(baselineViolations(root), []);
        assert.notDeepEqual(restrictedViolations(root), []);
        const bad: PodSpec = {
            containers: [
                {
                    name: "c",
                    image: "x:1",
                    ports: [{ containerPort: 25, hostPort: 25 }],
                    securityContext: { capabilities: { add: ["SYS_ADMIN"] } },
                },
            ],
        };
        const problems = baselineViolations(bad);
        assert.ok(problems.some((p) => p.includes("SYS_ADMIN")) && problems.some((p) => p.includes("host port")), problems.join("; "));
    });
});
