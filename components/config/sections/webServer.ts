/**
 * `matomo:matomo.webServer`: how many PHP workers a web pod runs and how they are recycled, sized
 * from the web container's memory limit so that the pod cannot be OOM-killed by a burst.
 *
 * The memory model (docs/web-tier-sizing.md has the measurements behind it):
 *
 *   worst case = base + workers × (PHP memory_limit + worker overhead)  ≤  container memory limit
 *
 * `base` is what the pod holds whatever the load: the opcode cache and APCu segments the official
 * image configures, and the server's parent process. A worker can grow to PHP's `memory_limit`
 * (Zend's allocator refuses more) plus the process around it, and keeps that size until it is
 * recycled, so the bound is per worker, not an average. Browser-triggered archiving is off, so a
 * web request never archives and the web tier's `memory_limit` can stay small.
 */
import type { ContainerResources } from "../../k8s/resources";
import { parseQuantity, phpSizeBytes } from "../../k8s/units";
import { integer, oneOf, type Issue, type ValueOf } from "../schema/fields";
import { image, resources, type Image } from "../schema/parts";
import { object } from "../schema/structures";

const MiB = 2 ** 20;

/** The official image's `opcache.memory_consumption` (128 MiB; the interned strings are inside it). */
export const OPCACHE_BYTES = 128 * MiB;
/** APCu's shared segment (`apc.shm_size`, 32 MiB by default; the official image enables APCu). */
export const APCU_BYTES = 32 * MiB;
/** The server's parent process and shared libraries (Apache or the php-fpm master), rounded up. */
export const SERVER_BASE_BYTES = 32 * MiB;
/** What a web container holds before any request: {@link OPCACHE_BYTES} + {@link APCU_BYTES} + {@link SERVER_BASE_BYTES}. */
export const BASE_BYTES = OPCACHE_BYTES + APCU_BYTES + SERVER_BASE_BYTES;
/**
 * A worker's memory outside PHP's `memory_limit`: the process, its libraries' private pages and
 * buffers PHP does not count. A tracking worker measured 8 MiB in all; doubled for headroom.
 */
export const WORKER_OVERHEAD_BYTES = 16 * MiB;
/** Most workers the default gives a pod: tracking is CPU-bound, and 20–40 workers saturated 2 cores. */
export const DEFAULT_MAX_WORKERS = 32;
/** Fewest workers the default may give a pod: with one, a slow report blocks every tracking request. */
const MIN_DEFAULT_WORKERS = 2;
/** Longest keep-alive the Apache variant allows: each idle keep-alive connection holds a worker there. */
const MAX_APACHE_KEEPALIVE = 5;

export const webServerKey = object(
    {
        variant: oneOf(["apache", "fpm"], {
            doc: "The web server of the web pods: `apache` (the official image's Apache with mod_php, prefork) or `fpm` (the image's `-fpm` variant behind an nginx container). Both are sized by the same model.",
            default: "apache",
        }),
        maxWorkers: integer({
            doc: "PHP workers per web pod (Apache `MaxRequestWorkers`, php-fpm `pm.max_children`): the most requests a pod serves at once; more wait in the listen queue. Unset: as many as fit the memory limit (see docs/web-tier-sizing.md), at most 32.",
            optional: true,
            defaultDoc: "as many as fit, at most 32",
            min: 1,
            max: 256,
        }),
        maxRequestsPerWorker: integer({
            doc: "Requests a worker serves before it is replaced (Apache `MaxConnectionsPerChild`, php-fpm `pm.max_requests`), which returns the memory a large request left behind.",
            default: 500,
            min: 1,
            max: 100000,
        }),
        keepAliveTimeout: integer({
            doc: "Seconds an idle HTTP connection from the ingress stays open; 0 turns keep-alive off. With `apache`, each open connection holds a worker, so at most 5.",
            default: 0,
            min: 0,
            max: 60,
        }),
        nginx: object(
            {
                image: image(
                    "nginx in front of php-fpm (an unprivileged nginx: it runs as www-data)",
                    "nginxinc/nginx-unprivileged",
                    "1.28-alpine",
                ),
                resources: resources("nginx", { requestMemory: "32Mi", requestCpu: "50m", limitMemory: "128Mi" }),
            },
            { doc: "The nginx container of the `fpm` variant (unused with `apache`)." },
        ),
    },
    { doc: "The web server of the web pods, sized from the container's memory limit." },
);

/** The web server's settings, every default resolved. */
export interface WebServerConfig {
    readonly variant: "apache" | "fpm";
    /** PHP workers per pod. */
    readonly workers: number;
    /** Idle workers kept ready: started with, never fewer, never more. */
    readonly spareWorkers: { readonly start: number; readonly min: number; readonly max: number };
    readonly maxRequestsPerWorker: number;
    /** 0: keep-alive off. */
    readonly keepAliveTimeout: number;
    /** The memory model's figures, in bytes. */
    readonly memory: WebMemory;
    /** nginx in front of php-fpm (the `fpm` variant only). */
    readonly nginx?: { readonly image: Image; readonly resources: ContainerResources };
}

/** The figures of the memory model for one pod. */
export interface WebMemory {
    readonly base: number;
    readonly perWorker: number;
    readonly worstCase: number;
    readonly limit: number;
}

/** Bytes one worker may reach: PHP's memory_limit plus the process around it. */
function workerBudget(phpMemoryLimit: number): number {
    return phpMemoryLimit + WORKER_OVERHEAD_BYTES;
}

/** How many workers fit a container of `limit` bytes at PHP's `memory_limit` (may be 0). */
export function workersThatFit(limit: number, phpMemoryLimit: number): number {
    return Math.max(0, Math.floor((limit - BASE_BYTES) / workerBudget(phpMemoryLimit)));
}

/** The default worker count: as many as fit, at most {@link DEFAULT_MAX_WORKERS}. */
export function defaultWorkers(limit: number, phpMemoryLimit: number): number {
    return Math.min(DEFAULT_MAX_WORKERS, workersThatFit(limit, phpMemoryLimit));
}

/**
 * Idle workers for `workers`: a quarter ready (at least 1), extras stopped above half (above one
 * more than the minimum, as Apache wants it). Memory is budgeted for every worker anyway; this
 * only saves forking when a burst starts.
 */
export function spareWorkers(workers: number): WebServerConfig["spareWorkers"] {
    const min = Math.max(1, Math.ceil(workers / 4));
    const max = Math.min(workers, Math.max(min + 1, Math.ceil(workers / 2)));
    return { start: min, min, max };
}

/** The memory model for `workers` workers in a container of `limit` bytes. */
export function webMemory(workers: number, limit: number, phpMemoryLimit: number): WebMemory {
    const perWorker = workerBudget(phpMemoryLimit);
    return { base: BASE_BYTES, perWorker, worstCase: BASE_BYTES + workers * perWorker, limit };
}

/** What the web tier's sizing is computed from, as the stack configures it. */
export interface WebSizingInput {
    readonly server: ValueOf<typeof webServerKey>;
    /** Canonical PHP size of the web pods' memory_limit, e.g. `512M`. */
    readonly phpMemoryLimit: string;
    /** The web container's memory limit, e.g. `1Gi`. */
    readonly memoryLimit: string;
}

const KEY = "matomo:matomo";

/** The memory knobs, for messages that must say what to change. */
const LOWER_PHP = `lower ${KEY}.environment.PHP_MEMORY_LIMIT (web requests never archive here; 256M-512M serves the UI and the API)`;
const RAISE_LIMIT = `raise ${KEY}.resources.limits.memory`;

/** The web server's settings, or the problems that keep them from fitting the container. */
export function resolveWebServer(input: WebSizingInput): { config?: WebServerConfig; issues: Issue[] } {
    const { server } = input;
    const php = phpSizeBytes(input.phpMemoryLimit);
    const limit = parseQuantity(input.memoryLimit) ?? 0;
    // An unlimited PHP (-1) is refused by the shared PHP rule; nothing to size here.
    if (php === Infinity) return { issues: [] };
    const issues: Issue[] = [];
    const fit = workersThatFit(limit, php);
    const model = `${formatMiB(BASE_BYTES)} base + ${formatMiB(workerBudget(php))} per worker (PHP_MEMORY_LIMIT ${input.phpMemoryLimit} + ${formatMiB(WORKER_OVERHEAD_BYTES)})`;
    if (server.maxWorkers !== undefined && server.maxWorkers > fit) {
        issues.push({
            key: `${KEY}.webServer.maxWorkers`,
            message:
                `got ${server.maxWorkers}, but ${server.maxWorkers} workers need ${formatMiB(webMemory(server.maxWorkers, limit, php).worstCase)} ` +
                `at worst (${model}) and ${KEY}.resources.limits.memory is ${input.memoryLimit}; at most ${fit} fit. ` +
                `Set maxWorkers to ${fit} or less, ${LOWER_PHP}, or ${RAISE_LIMIT}`,
        });
    } else if (server.maxWorkers === undefined && fit < MIN_DEFAULT_WORKERS) {
        issues.push({
            key: `${KEY}.environment.PHP_MEMORY_LIMIT`,
            message:
                `got "${input.phpMemoryLimit}": every web worker may reach it, and ${KEY}.resources.limits.memory ` +
                `(${input.memoryLimit}) fits ${fit} worker${fit === 1 ? "" : "s"} (${model}); at least ${MIN_DEFAULT_WORKERS} are ` +
                `needed so that one slow request does not stall the pod. Lower it (web requests never archive here; 256M-512M ` +
                `serves the UI and the API), ${RAISE_LIMIT}, or set ${KEY}.webServer.maxWorkers to 1 to accept a single worker`,
        });
    }
    if (server.variant === "apache" && server.keepAliveTimeout > MAX_APACHE_KEEPALIVE) {
        issues.push({
            key: `${KEY}.webServer.keepAliveTimeout`,
            message:
                `got ${server.keepAliveTimeout}; with the apache variant every idle keep-alive connection holds a worker, ` +
                `so a burst of idle connections takes the pod out of service. Use 0 (off) to ${MAX_APACHE_KEEPALIVE}, or the fpm variant`,
        });
    }
    if (issues.length > 0) return { issues };
    const workers = server.maxWorkers ?? defaultWorkers(limit, php);
    return {
        config: {
            variant: server.variant,
            workers,
            spareWorkers: spareWorkers(workers),
            maxRequestsPerWorker: server.maxRequestsPerWorker,
            keepAliveTimeout: server.keepAliveTimeout,
            memory: webMemory(workers, limit, php),
            nginx: server.variant === "fpm" ? server.nginx : undefined,
        },
        issues,
    };
}

/** Bytes as whole MiB, for messages (`528 MiB`). */
export function formatMiB(bytes: number): string {
    return `${Math.ceil(bytes / MiB)} MiB`;
}

/** nginx settings in a stack that runs Apache would be configuration without effect. */
export function unusedNginxIssues(written: readonly string[], variant: "apache" | "fpm"): Issue[] {
    if (variant !== "apache" || !written.includes("nginx")) return [];
    return [
        {
            key: `${KEY}.webServer.nginx`,
            message:
                'configures the nginx container of the fpm variant, but webServer.variant is "apache"; remove it, or set webServer.variant to "fpm"',
        },
    ];
}
