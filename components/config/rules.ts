/**
 * Rules that involve more than one key, checked after every key parsed on its own. Each returns the
 * issues it finds; none throws.
 */
import { bufferPoolBytes } from "../database/serverOptions";
import type { Issue } from "./schema/fields";
import { MAX_BUFFER_POOL_SHARE } from "./schema";
import { formatBytes, parseQuantity, phpSizeBytes } from "../k8s/units";

/** The part of the parsed config these rules read (kept structural so tests can build it by hand). */
export interface RuleInput {
    readonly topology: string;
    readonly matomo: {
        readonly replicaCount: number;
        readonly storageAccessMode: string;
        readonly environment: { readonly PHP_MEMORY_LIMIT: string };
        readonly resources: Resources;
    };
    readonly mariadb: {
        readonly resources: Resources;
        readonly serverOptions: readonly { readonly name: string; readonly value?: string }[];
        readonly explicitBufferPool: boolean;
    };
}

interface Resources {
    readonly requests: { readonly memory: string; readonly cpu: string };
    readonly limits: { readonly memory: string; readonly cpu?: string };
}

/**
 * The container limit must be above PHP's memory_limit (the seed chart's own rule): PHP may use
 * its whole limit, and Apache, the opcode cache and the OS need room on top, or the kernel
 * OOM-kills the container instead of PHP failing one request cleanly.
 */
export function checkPhpMemoryFitsContainer(
    phpKey: string,
    phpLimit: string,
    limitKey: string,
    containerLimit: string,
): Issue[] {
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
export function checkRequestsWithinLimits(prefix: string, resources: Resources): Issue[] {
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

/**
 * An InnoDB buffer pool as large as the container limit (the seed's 10G in 10Gi) leaves no room
 * for connections, sort buffers and the redo log buffer, and ends in an OOM kill under load.
 */
export function checkBufferPoolFits(input: RuleInput): Issue[] {
    const pool = bufferPoolBytes(input.mariadb.serverOptions);
    const limit = parseQuantity(input.mariadb.resources.limits.memory) ?? 0;
    if (pool === undefined) {
        return [
            {
                key: "matomo:mariadb.commands",
                message: "--innodb_buffer_pool_size must be a size such as 512M or 6G",
            },
        ];
    }
    if (input.mariadb.explicitBufferPool && pool > limit * MAX_BUFFER_POOL_SHARE) {
        return [
            {
                key: "matomo:mariadb.commands",
                message:
                    `--innodb_buffer_pool_size=${formatBytes(pool)} does not fit matomo:mariadb.resources.limits.memory ` +
                    `(${input.mariadb.resources.limits.memory}); at most ${MAX_BUFFER_POOL_SHARE * 100}% of the limit ` +
                    `(${formatBytes(Math.floor((limit * MAX_BUFFER_POOL_SHARE) / 2 ** 20) * 2 ** 20)}) is allowed, or leave it out to get a safe default`,
            },
        ];
    }
    return [];
}

/** A ReadWriteOnce volume attaches to one node, so several web pods would hang in ContainerCreating. */
export function checkReplicasCanShareStorage(input: RuleInput): Issue[] {
    if (input.matomo.replicaCount > 1 && input.matomo.storageAccessMode === "ReadWriteOnce") {
        return [
            {
                key: "matomo:matomo.replicaCount",
                message:
                    `got ${input.matomo.replicaCount}, but matomo:matomo.storageAccessMode is "ReadWriteOnce": pods on different nodes ` +
                    'cannot mount the misc/ volume; set storageAccessMode to "ReadWriteMany" (with a storageClassName that supports it) or use 1 replica',
            },
        ];
    }
    return [];
}

/** Every cross-key rule. */
export function crossKeyIssues(input: RuleInput): Issue[] {
    return [
        ...checkPhpMemoryFitsContainer(
            "matomo:matomo.environment.PHP_MEMORY_LIMIT",
            input.matomo.environment.PHP_MEMORY_LIMIT,
            "matomo:matomo.resources.limits.memory",
            input.matomo.resources.limits.memory,
        ),
        ...checkRequestsWithinLimits("matomo:matomo", input.matomo.resources),
        ...checkRequestsWithinLimits("matomo:mariadb", input.mariadb.resources),
        ...(input.topology === "eea" ? checkBufferPoolFits(input) : []),
        ...checkReplicasCanShareStorage(input),
    ];
}
