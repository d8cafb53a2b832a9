/**
 * `pod-security-restricted`: every pod the program makes passes the Pod Security Standard
 * `restricted` (which includes `baseline`).
 *
 * The project promises that Matomo, MariaDB and every job run unprivileged, as non-root, without
 * capabilities, under a seccomp profile, and that the namespace enforces `restricted`. The
 * namespace's admission check only runs when the pods are created, so a template that breaks the
 * standard is accepted by `pulumi up` and then fails at run time, as a Deployment that never gets
 * a pod or a CronJob that fails at 3 a.m. This rule refuses it at preview instead. What the
 * standard prevents: a compromised Matomo (a PHP application exposed to the internet) escaping to
 * the node through host namespaces, hostPath volumes, privileged mode, added capabilities or
 * setuid binaries.
 *
 * The checks follow https://kubernetes.io/docs/concepts/security/pod-security-standards/ (pod spec
 * fields; the deprecated AppArmor annotations are not read). Messages start with the field's path
 * from the pod spec; the policy prefixes the template's path.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { eachKnown, known, knownList, list, record, shown, text, validateTypes, violation } from "./common";
import { checkPods, containersOf, makesPods, type PodSpec } from "./workloads";

/** Sysctls Pod Security allows at the baseline and restricted levels. */
const SAFE_SYSCTLS = new Set([
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
]);

/** Volume types the restricted level allows. */
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

/** SELinux types the baseline level allows. */
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);

/** A forbidden setting of a security context: its path in the context, when its value is forbidden, the fix. */
type Setting = readonly [path: string, forbidden: (value: unknown) => boolean, fix: string];

/** Baseline settings of any security context, the pod's or a container's. */
const CONTEXT_SETTINGS: readonly Setting[] = [
    ["windowsOptions.hostProcess", (v) => v === true, "remove it; baseline forbids Windows host processes"],
    ["seccompProfile.type", (v) => v === "Unconfined", "use RuntimeDefault; baseline forbids an unconfined seccomp profile"],
    ["appArmorProfile.type", (v) => v === "Unconfined", "use RuntimeDefault; baseline forbids disabling AppArmor"],
    ["seLinuxOptions.type", (v) => v !== undefined && !SELINUX_TYPES.has(String(v)), "remove it; baseline allows only container types"],
    ["seLinuxOptions.user", (v) => Boolean(v), "remove it; baseline forbids custom SELinux users"],
    ["seLinuxOptions.role", (v) => Boolean(v), "remove it; baseline forbids custom SELinux roles"],
];

/** Baseline settings of a container's security context only. */
const CONTAINER_SETTINGS: readonly Setting[] = [
    ...CONTEXT_SETTINGS,
    ["privileged", (v) => v === true, "remove it; baseline forbids privileged containers"],
    ["procMount", (v) => v !== undefined && v !== "Default", "remove it; baseline requires the Default /proc mount"],
];

/** The forbidden settings of a security context found at `field`. */
function settingViolations(sc: Record<string, unknown>, field: string, settings: readonly Setting[]): string[] {
    return settings.flatMap(([path, forbidden, fix]) => {
        const value = path.split(".").reduce<unknown>((node, key) => record(node)[key], sc);
        return forbidden(value) ? [violation(`${field}.${path}`, shown(value), fix)] : [];
    });
}

/** Problems with a pod under the Pod Security Standard "baseline", each naming its field. */
export function baselineViolations(pod: PodSpec): string[] {
    const podSc = known(() => record(pod.securityContext), {});
    const namespaces = ["hostNetwork", "hostPID", "hostIPC"].filter((key) => known(() => pod[key] === true, false));
    const hostPath = (v: unknown, i: number) => {
        const volume = record(v);
        const fix = "use a persistentVolumeClaim or emptyDir; baseline forbids hostPath volumes";
        return "hostPath" in volume ? [violation(`volumes[${text(volume.name) ?? i}].hostPath`, shown(volume.hostPath), fix)] : [];
    };
    const sysctl = (s: unknown) => {
        const name = text(record(s).name) ?? "";
        const fix = `remove it; ${name} is not a safe sysctl, which baseline forbids`;
        return SAFE_SYSCTLS.has(name) ? [] : [violation(`securityContext.sysctls[${name}]`, "set", fix)];
    };
    return [
        ...namespaces.map((key) => violation(key, "true", "remove it; baseline forbids sharing the node's namespaces")),
        ...eachKnown(
            knownList(() => pod.volumes),
            hostPath,
        ),
        ...eachKnown(
            knownList(() => podSc.sysctls),
            sysctl,
        ),
        ...known(() => settingViolations(podSc, "securityContext", CONTEXT_SETTINGS), []),
        ...eachKnown(containersOf(pod), ({ container, field }) => {
            const sc = record(container.securityContext);
            const found = settingViolations(sc, `${field}.securityContext`, CONTAINER_SETTINGS);
            list(container.ports).forEach((p, i) => {
                const hostPort = record(p).hostPort;
                const fix = "remove it and reach the pod through a Service; baseline forbids host ports";
                if (hostPort) found.push(violation(`${field}.ports[${i}].hostPort`, shown(hostPort), fix));
            });
            const added = list(record(sc.capabilities).add);
            for (const cap of added.filter((c) => !BASELINE_CAPABILITIES.has(String(c)))) {
                found.push(
                    violation(
                        `${field}.securityContext.capabilities.add`,
                        shown(added),
                        `remove ${String(cap)}; baseline forbids adding it`,
                    ),
                );
            }
            return found;
        }),
    ];
}

/** Restricted problems of one container (`podSc` is the pod's security context). */
function restrictedContainerViolations(sc: Record<string, unknown>, podSc: Record<string, unknown>, field: string): string[] {
    const where = `${field}.securityContext`;
    /** A setting of the container, or else of the pod, with the field it came from. */
    const effective = (key: string) =>
        sc[key] !== undefined
            ? { value: sc[key], at: `${where}.${key}`, found: shown(sc[key]) }
            : podSc[key] !== undefined
              ? { value: podSc[key], at: `securityContext.${key}`, found: shown(podSc[key]) }
              : { value: undefined, at: `${where}.${key}`, found: `not set, nor is the pod's securityContext.${key}` };
    const found: string[] = [];
    if (sc.allowPrivilegeEscalation !== false) {
        const fix = "set it to false; restricted forbids privilege escalation (setuid binaries, file capabilities)";
        found.push(violation(`${where}.allowPrivilegeEscalation`, shown(sc.allowPrivilegeEscalation), fix));
    }
    const nonRoot = effective("runAsNonRoot");
    if (nonRoot.value !== true)
        found.push(violation(nonRoot.at, nonRoot.found, "set it to true; restricted forbids containers that may run as root"));
    const user = effective("runAsUser");
    if (user.value === 0) found.push(violation(user.at, "0", "use a non-zero uid; restricted forbids running as uid 0"));
    const seccomp = effective("seccompProfile");
    const type = record(seccomp.value).type;
    // Unconfined is a baseline violation already.
    if (type !== "RuntimeDefault" && type !== "Localhost" && type !== "Unconfined") {
        const fix = "set the pod's securityContext.seccompProfile.type to RuntimeDefault; restricted requires a seccomp profile";
        found.push(violation(seccomp.at, seccomp.found, fix));
    }
    const caps = record(sc.capabilities);
    if (!list(caps.drop).includes("ALL")) {
        found.push(
            violation(`${where}.capabilities.drop`, shown(caps.drop), 'include "ALL"; restricted requires dropping all capabilities'),
        );
    }
    // Capabilities outside the baseline set are baseline violations already.
    for (const cap of list(caps.add).filter((c) => c !== "NET_BIND_SERVICE" && BASELINE_CAPABILITIES.has(String(c)))) {
        const fix = `remove ${String(cap)}; restricted allows adding only NET_BIND_SERVICE`;
        found.push(violation(`${where}.capabilities.add`, shown(caps.add), fix));
    }
    return found;
}

/** Problems with a pod under the Pod Security Standard "restricted" (which includes baseline). */
export function restrictedViolations(pod: PodSpec): string[] {
    const volumeType = (v: unknown, i: number) => {
        const volume = record(v);
        const type = Object.keys(volume).find((k) => k !== "name") ?? "unset";
        if (RESTRICTED_VOLUME_TYPES.has(type) || type === "hostPath") return [];
        const fix = `use one of ${[...RESTRICTED_VOLUME_TYPES].join(", ")}; restricted forbids the others`;
        return [violation(`volumes[${text(volume.name) ?? i}]`, `of type ${type}`, fix)];
    };
    const problems = [
        ...baselineViolations(pod),
        ...eachKnown(
            knownList(() => pod.volumes),
            volumeType,
        ),
        // The pod's context is read per container, so that while it is unknown the checks that depend on it are skipped.
        ...eachKnown(containersOf(pod), ({ container, field }) =>
            restrictedContainerViolations(record(container.securityContext), record(pod.securityContext), field),
        ),
    ];
    return [...new Set(problems)];
}

/** Restricted violations of a resource's pod template, with full field paths (none for other resources). */
export function podSecurityViolations(type: string, props: Readonly<Record<string, unknown>>): string[] {
    return checkPods(type, props, restrictedViolations);
}

export const podSecurityRestricted: ResourceValidationPolicy = {
    name: "pod-security-restricted",
    description: "Every pod template passes the Pod Security Standard restricted (which includes baseline).",
    severity: "high",
    remediationSteps:
        "Run as a non-root uid, set allowPrivilegeEscalation: false, drop ALL capabilities, use the RuntimeDefault seccomp profile, and no host namespaces, ports or paths.",
    validateResource: validateTypes(makesPods, podSecurityViolations),
};
