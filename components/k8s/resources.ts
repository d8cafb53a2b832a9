import type * as k8s from "@pulumi/kubernetes";

/** Requests and limits as the config holds them (`matomo.resources`, `mariadb.resources`, ...). */
export interface ContainerResources {
    readonly requests: { readonly memory: string; readonly cpu: string };
    readonly limits: { readonly memory: string; readonly cpu?: string };
}

/** The Kubernetes form, leaving out a CPU limit unless one is configured. */
export function toResourceRequirements(resources: ContainerResources): k8s.types.input.core.v1.ResourceRequirements {
    return {
        requests: { memory: resources.requests.memory, cpu: resources.requests.cpu },
        limits:
            resources.limits.cpu === undefined
                ? { memory: resources.limits.memory }
                : { memory: resources.limits.memory, cpu: resources.limits.cpu },
    };
}

/** Small fixed resources for helper containers (init steps, file copies). */
export const HELPER_RESOURCES: ContainerResources = {
    requests: { memory: "64Mi", cpu: "50m" },
    limits: { memory: "256Mi" },
};
