/**
 * `npm run render -- --format capacity`: the two sums that decide whether a web pod survives a
 * burst, for a stack's configuration: the web container's worst-case memory against its limit, and
 * the database connections the installation can open against `max_connections`.
 */
import type { MatomoConfig } from "../../components/config";
import { budgetTotal } from "../../components/config/sections/connections";
import { formatMiB } from "../../components/config/sections/webServer";

/** The `max_connections` the database will have (the configured or computed value), if this stack sets it. */
export function maxConnections(cfg: MatomoConfig): number | undefined {
    if (cfg.topology === "eea") {
        const option = cfg.mariadb.serverOptions.find((o) => o.name === "max_connections");
        return option?.value === undefined ? undefined : Number(option.value);
    }
    // A server run elsewhere: what the stack declares it has.
    if (cfg.topology === "external") return cfg.external.maxConnections;
    const instance = cfg.cloudsql.instance;
    return "create" in instance ? Number(instance.create.flags.max_connections) : undefined;
}

/** The report, one fact per line, each sum written out. */
export function capacityReport(cfg: MatomoConfig): string {
    const { webServer: web, matomo } = cfg;
    const m = web.memory;
    const connections = budgetTotal(cfg.connectionBudget);
    const max = maxConnections(cfg);
    const width = Math.max(...cfg.connectionBudget.map((l) => l.what.length));
    return [
        `web server: ${web.variant}, ${web.workers} workers per pod, ${matomo.replicaCount} pod${matomo.replicaCount === 1 ? "" : "s"}`,
        `  idle workers ${web.spareWorkers.min}-${web.spareWorkers.max}, replaced after ${web.maxRequestsPerWorker} requests, ` +
            (web.keepAliveTimeout === 0 ? "keep-alive off" : `keep-alive ${web.keepAliveTimeout} s`),
        `web memory, worst case: ${formatMiB(m.base)} base + ${web.workers} × ${formatMiB(m.perWorker)} ` +
            `(PHP memory_limit ${matomo.php.memoryLimit} + overhead) = ${formatMiB(m.worstCase)} ` +
            `${m.worstCase <= m.limit ? "≤" : ">"} limit ${matomo.resources.limits.memory} (${formatMiB(m.limit)})`,
        "database connections, worst case:",
        ...cfg.connectionBudget.map((l) => `  ${l.what.padEnd(width)}  ${String(l.connections).padStart(4)}`),
        `  ${"total".padEnd(width)}  ${String(connections).padStart(4)} ` +
            (max === undefined
                ? "(an existing Cloud SQL instance: check its max_connections flag)"
                : `${connections <= max ? "≤" : ">"} max_connections ${max}`),
        "",
    ].join("\n");
}
