/**
 * Rules about sizes that several sections share: a PHP memory limit inside its container's memory
 * limit, and requests within limits. Each returns the issues it finds; none throws.
 */
import type { ContainerResources } from "../../k8s/resources";
import { formatBytes, parseQuantity, phpSizeBytes } from "../../k8s/units";
import type { Issue } from "./fields";

/**
 * The container limit must be above PHP's memory_limit (the seed chart's own rule): PHP may use
 * its whole limit, and Apache, the opcode cache and the OS need room on top, or the kernel
 * OOM-kills the container instead of PHP failing one request cleanly.
 */
export function checkPhpMemoryFitsContainer(phpKey: string, phpLimit: string, limitKey: string, containerLimit: string): Issue[] {
    const php = phpSizeBytes(phpLimit);
    const container = parseQuantity(containerLimit) ?? 0;
    if (php === Infinity) {
        return [
            {
                key: phpKey,
                message: `got "-1" (no limit); a PHP memory_limit is required so that it can stay below ${limitKey} (${containerLimit})`,
            },
        ];
    }
    if (container <= php) {
        return [
            {
                key: limitKey,
                message: `got "${containerLimit}", which is not above ${phpKey} (${phpLimit} = ${formatBytes(php)}); the container memory limit must exceed PHP's memory_limit`,
            },
        ];
    }
    return [];
}

/** Kubernetes rejects a request above its limit; say so before the API server does. */
export function checkRequestsWithinLimits(prefix: string, resources: ContainerResources): Issue[] {
    const issues: Issue[] = [];
    const pairs: [string, string | undefined, string | undefined][] = [
        ["memory", resources.requests.memory, resources.limits.memory],
        ["cpu", resources.requests.cpu, resources.limits.cpu],
    ];
    for (const [name, request, limit] of pairs) {
        if (request === undefined || limit === undefined) continue;
        if ((parseQuantity(request) ?? 0) > (parseQuantity(limit) ?? Infinity)) {
            issues.push({
                key: `${prefix}.resources.requests.${name}`,
                message: `got "${request}", which is above ${prefix}.resources.limits.${name} ("${limit}"); a request may not exceed its limit`,
            });
        }
    }
    return issues;
}

/** A PHP workload under `key`: its memory_limit inside the container limit, its requests within limits. */
export function phpWorkloadIssues(key: string, phpMemoryLimit: string, resources: ContainerResources): Issue[] {
    return [
        ...checkPhpMemoryFitsContainer(
            `${key}.environment.PHP_MEMORY_LIMIT`,
            phpMemoryLimit,
            `${key}.resources.limits.memory`,
            resources.limits.memory,
        ),
        ...checkRequestsWithinLimits(key, resources),
    ];
}
