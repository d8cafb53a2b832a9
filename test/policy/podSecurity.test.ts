/**
 * `pod-security-restricted`: each check of the Pod Security Standards, through the policy on every
 * kind that makes pods, and the checker itself (which test/kubernetes-objects.test.ts runs over
 * every stack variant).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { baselineViolations, podSecurityRestricted, restrictedViolations } from "../../policy/rules/podSecurity";
import { resourceViolations } from "../support/policyArgs";
import { deployment, podOf, WORKLOADS } from "./fixtures";
import { propertyRuns } from "../support/unitMode";

type Pod = Record<string, any>;

/** One way to break the standard: the change, the field the message must name, and the level. */
interface Breaker {
    readonly field: string;
    readonly level: "baseline" | "restricted";
    readonly apply: (pod: Pod) => void;
}

const web = (pod: Pod) => pod.containers[0];
const setup = (pod: Pod) => pod.initContainers[0];

const BREAKERS: Record<string, Breaker> = {
    "host network": { field: "hostNetwork", level: "baseline", apply: (p) => (p.hostNetwork = true) },
    "host PID": { field: "hostPID", level: "baseline", apply: (p) => (p.hostPID = true) },
    "host IPC": { field: "hostIPC", level: "baseline", apply: (p) => (p.hostIPC = true) },
    "a hostPath volume": {
        field: "volumes[host].hostPath",
        level: "baseline",
        apply: (p) => p.volumes.push({ name: "host", hostPath: { path: "/" } }),
    },
    "an unsafe sysctl": {
        field: "securityContext.sysctls[kernel.msgmax]",
        level: "baseline",
        apply: (p) => (p.securityContext.sysctls = [{ name: "kernel.msgmax", value: "1" }]),
    },
    "an unconfined pod seccomp profile": {
        field: "spec.securityContext.seccompProfile.type",
        level: "baseline",
        apply: (p) => (p.securityContext.seccompProfile = { type: "Unconfined" }),
    },
    "an unconfined container seccomp profile": {
        field: "initContainers[setup].securityContext.seccompProfile.type",
        level: "baseline",
        apply: (p) => (setup(p).securityContext.seccompProfile = { type: "Unconfined" }),
    },
    "an unconfined AppArmor profile": {
        field: "containers[web].securityContext.appArmorProfile.type",
        level: "baseline",
        apply: (p) => (web(p).securityContext.appArmorProfile = { type: "Unconfined" }),
    },
    "a custom SELinux type": {
        field: "securityContext.seLinuxOptions.type",
        level: "baseline",
        apply: (p) => (p.securityContext.seLinuxOptions = { type: "spc_t" }),
    },
    "a custom SELinux user": {
        field: "containers[web].securityContext.seLinuxOptions.user",
        level: "baseline",
        apply: (p) => (web(p).securityContext.seLinuxOptions = { user: "system_u" }),
    },
    "a Windows host process": {
        field: "containers[web].securityContext.windowsOptions.hostProcess",
        level: "baseline",
        apply: (p) => (web(p).securityContext.windowsOptions = { hostProcess: true }),
    },
    "a privileged container": {
        field: "initContainers[setup].securityContext.privileged",
        level: "baseline",
        apply: (p) => (setup(p).securityContext.privileged = true),
    },
    "an unmasked /proc": {
        field: "containers[web].securityContext.procMount",
        level: "baseline",
        apply: (p) => (web(p).securityContext.procMount = "Unmasked"),
    },
    "a host port": { field: "containers[web].ports[0].hostPort", level: "baseline", apply: (p) => (web(p).ports[0].hostPort = 8080) },
    "an added SYS_ADMIN": {
        field: "containers[web].securityContext.capabilities.add",
        level: "baseline",
        apply: (p) => (web(p).securityContext.capabilities.add = ["SYS_ADMIN"]),
    },
    "an NFS volume": {
        field: "volumes[share]",
        level: "restricted",
        apply: (p) => p.volumes.push({ name: "share", nfs: { server: "nfs", path: "/" } }),
    },
    "privilege escalation": {
        field: "containers[web].securityContext.allowPrivilegeEscalation",
        level: "restricted",
        apply: (p) => delete web(p).securityContext.allowPrivilegeEscalation,
    },
    "a container that may run as root": {
        field: "initContainers[setup].securityContext.runAsNonRoot",
        level: "restricted",
        apply: (p) => (setup(p).securityContext.runAsNonRoot = false),
    },
    "uid 0": { field: "spec.securityContext.runAsUser", level: "restricted", apply: (p) => (p.securityContext.runAsUser = 0) },
    "no seccomp profile": {
        field: "containers[web].securityContext.seccompProfile",
        level: "restricted",
        apply: (p) => {
            delete p.securityContext.seccompProfile;
            delete web(p).securityContext.seccompProfile;
        },
    },
    "capabilities not all dropped": {
        field: "containers[web].securityContext.capabilities.drop",
        level: "restricted",
        apply: (p) => (web(p).securityContext.capabilities.drop = ["NET_RAW"]),
    },
    "an added SETUID": {
        field: "initContainers[setup].securityContext.capabilities.add",
        level: "restricted",
        apply: (p) => (setup(p).securityContext.capabilities.add = ["SETUID"]),
    },
};

describe("policy pod-security-restricted", () => {
    for (const [kind, make] of Object.entries(WORKLOADS)) {
        it(`passes a compliant ${kind}`, async () => {
            assert.deepEqual(await resourceViolations(podSecurityRestricted, make()), []);
        });
    }

    for (const [name, breaker] of Object.entries(BREAKERS)) {
        it(`refuses ${name}, naming ${breaker.field}`, async () => {
            const resource = deployment();
            breaker.apply(podOf(resource));
            const messages = await resourceViolations(podSecurityRestricted, resource);
            assert.equal(messages.length, 1, messages.join("\n"));
            assert.ok(messages[0].startsWith("spec.template.spec."), messages[0]);
            assert.ok(messages[0].includes(breaker.field), messages[0]);
            assert.equal(baselineViolations(podOf(resource)).length, breaker.level === "baseline" ? 1 : 0, `${name} is ${breaker.level}`);
        });
    }

    it("names the field of a CronJob's pods under jobTemplate", async () => {
        const cronJob = WORKLOADS.CronJob();
        podOf(cronJob).hostPID = true;
        assert.deepEqual(await resourceViolations(podSecurityRestricted, cronJob), [
            "spec.jobTemplate.spec.template.spec.hostPID is true: remove it; baseline forbids sharing the node's namespaces",
        ]);
    });

    it("ignores resources that make no pods", async () => {
        const patch = { ...deployment(), type: "kubernetes:apps/v1:DeploymentPatch" };
        podOf(patch).hostPID = true;
        assert.deepEqual(await resourceViolations(podSecurityRestricted, patch), []);
    });

    it("a pod passes restricted iff none of the breaking changes was made, and each one made is named", () => {
        fc.assert(
            fc.property(fc.subarray(Object.keys(BREAKERS)), (names) => {
                const pod = podOf(deployment());
                for (const name of names) BREAKERS[name].apply(pod);
                const problems = restrictedViolations(pod);
                assert.equal(problems.length === 0, names.length === 0, problems.join("\n"));
                for (const name of names) {
                    const field = BREAKERS[name].field.replace(/^spec\./, "");
                    assert.ok(
                        problems.some((p) => p.includes(field)),
                        `${name}: ${problems.join("\n")}`,
                    );
                }
            }),
            { numRuns: propertyRuns(200) },
        );
    });
});

describe("the Pod Security check itself", () => {
    it("catches a pod that breaks the restricted profile", () => {
        const bad = {
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
        const root = {
            containers: [
                { name: "c", image: "x:1", securityContext: { runAsUser: 0, capabilities: { drop: ["ALL"], add: ["SETUID", "SETGID"] } } },
            ],
        };
        assert.deepEqual(baselineViolations(root), []);
        assert.notDeepEqual(restrictedViolations(root), []);
        const bad = {
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
