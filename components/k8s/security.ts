/**
 * Security contexts that satisfy the Kubernetes Pod Security Standard `restricted`: no root, no
 * privilege escalation, no capabilities, the runtime's default seccomp profile.
 */
import type * as k8s from "@pulumi/kubernetes";

type SecurityContext = k8s.types.input.core.v1.SecurityContext;
type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;

/** A container that runs as the pod's non-root user with a read-only root filesystem. */
export function restrictedContainer(options: { readOnlyRootFilesystem?: boolean } = {}): SecurityContext {
    return {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        readOnlyRootFilesystem: options.readOnlyRootFilesystem ?? true,
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/**
 * A pod whose processes run as `uid`/`gid`; volumes are group-owned by `gid` so the user can write
 * them (only re-chowned when the root of the volume does not match, to keep restarts fast).
 */
export function restrictedPod(uid: number, gid: number, extra: Pick<PodSecurityContext, "sysctls"> = {}): PodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: gid,
        fsGroup: gid,
        fsGroupChangePolicy: "OnRootMismatch",
        seccompProfile: { type: "RuntimeDefault" },
        ...extra,
    };
}
