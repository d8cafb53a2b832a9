/**
 * The database connection budget: the most connections this installation can hold at once, which
 * is what the database's `max_connections` must allow (MariaDB's server option, Cloud SQL's
 * database flag). Beyond it the server answers "Too many connections" and Matomo loses the hit.
 *
 * Every PHP process holds at most one connection: a web worker while it serves a request, an
 * archiver's main process and each of its concurrent `climulti:request` subprocesses, each console
 * job. CronJobs never overlap themselves (`concurrencyPolicy: Forbid`).
 */
import type { Issue } from "../schema/fields";
import type { CloudSqlConfig } from "./cloudsql";
import type { ExternalDatabaseConfig } from "./external";
import type { MariaDbConfig } from "./mariadb";

/** Connections kept for people and tools: a `mariadb` shell, a dump, monitoring, the probes. */
export const SPARE_CONNECTIONS = 10;
/** The install and upgrade Jobs: the installer's PHP server and a console command, one at a time each. */
export const SETUP_CONNECTIONS = 2;

/** One line of the budget. */
export interface BudgetLine {
    readonly what: string;
    readonly connections: number;
}

/** What the budget is computed from. */
export interface BudgetInput {
    readonly webReplicas: number;
    readonly webWorkers: number;
    /** Rollouts start a new pod before an old one stops (RollingUpdate with a surge of 1). */
    readonly rollingSurge: boolean;
    readonly archivers: readonly { readonly name: string; readonly concurrentRequestsPerWebsite: number }[];
    /** The other console CronJobs that run (scheduled tasks, raw-data deletion, LDAP sync, ...). */
    readonly consoleJobs: readonly string[];
}

/** The lines of the budget, largest first as a reader would check them. */
export function connectionBudget(input: BudgetInput): BudgetLine[] {
    const pods = input.webReplicas + (input.rollingSurge ? 1 : 0);
    return [
        {
            what: `web: ${pods} pod${pods === 1 ? "" : "s"}${input.rollingSurge ? " (one more during a rollout)" : ""} × ${input.webWorkers} workers`,
            connections: pods * input.webWorkers,
        },
        ...input.archivers.map((a) => ({
            what: `archiver ${a.name}: 1 + ${a.concurrentRequestsPerWebsite} concurrent requests`,
            connections: 1 + a.concurrentRequestsPerWebsite,
        })),
        ...input.consoleJobs.map((job) => ({ what: job, connections: 1 })),
        { what: "install and upgrade Jobs", connections: SETUP_CONNECTIONS },
        { what: "spare (a shell, a dump, monitoring)", connections: SPARE_CONNECTIONS },
    ];
}

/** The sum of the budget. */
export function budgetTotal(lines: readonly BudgetLine[]): number {
    return lines.reduce((sum, line) => sum + line.connections, 0);
}

/** The budget as one line of text: `27 (web: ... 6 + archiver ...: 4 + ...)`. */
function describeBudget(lines: readonly BudgetLine[]): string {
    return `${budgetTotal(lines)} (${lines.map((l) => `${l.what}: ${l.connections}`).join(" + ")})`;
}

/**
 * A configured `max_connections` below the budget (`key` names where it is set); none when it is
 * unset or large enough.
 */
function maxConnectionsIssue(key: string, configured: string | undefined, lines: readonly BudgetLine[]): Issue[] {
    if (configured === undefined) return [];
    const total = budgetTotal(lines);
    const value = /^\d+$/.test(configured.trim()) ? Number(configured.trim()) : NaN;
    if (Number.isNaN(value)) return [{ key, message: `max_connections got "${configured}"; expected a whole number of at least ${total}` }];
    if (value >= total) return [];
    return [
        {
            key,
            message:
                `max_connections got ${value}, below what this installation can open at once: ${describeBudget(lines)}. ` +
                `Raise it to at least ${total} (or remove it: it then defaults to ${total}), or lower the web workers or the archivers' concurrent requests`,
        },
    ];
}

/** The most connections a shared-core Cloud SQL tier accepts (Cloud SQL quotas and limits). */
const SHARED_CORE_CONNECTION_LIMITS: Readonly<Record<string, number>> = { "db-f1-micro": 250, "db-g1-small": 1000 };

/**
 * MariaDB's options with `max_connections` set to the budget, or the user's value checked against
 * it.
 */
export function mariadbWithBudget(mariadb: MariaDbConfig, lines: readonly BudgetLine[]): { mariadb: MariaDbConfig; issues: Issue[] } {
    const configured = mariadb.serverOptions.find((o) => o.name === "max_connections")?.value;
    if (configured !== undefined) {
        return { mariadb, issues: maxConnectionsIssue("matomo:mariadb.commands", configured, lines) };
    }
    const serverOptions = [...mariadb.serverOptions, { name: "max_connections", value: String(budgetTotal(lines)) }];
    return { mariadb: { ...mariadb, serverOptions }, issues: [] };
}

/**
 * The Cloud SQL instance's flags with `max_connections` set to the budget, or the user's flag
 * checked against it and the tier's limit. An existing instance is managed elsewhere: nothing to
 * set (docs/web-tier-sizing.md says what to check there).
 */
export function cloudSqlWithBudget(cloudsql: CloudSqlConfig, lines: readonly BudgetLine[]): { cloudsql: CloudSqlConfig; issues: Issue[] } {
    if (!("create" in cloudsql.instance)) return { cloudsql, issues: [] };
    const instance = cloudsql.instance.create;
    const configured = instance.flags.max_connections;
    const total = budgetTotal(lines);
    const issues = maxConnectionsIssue("matomo:cloudsql.flags.max_connections", configured, lines);
    const tierLimit = SHARED_CORE_CONNECTION_LIMITS[instance.tier];
    if (tierLimit !== undefined && total > tierLimit) {
        issues.push({
            key: "matomo:cloudsql.tier",
            message:
                `got "${instance.tier}", which accepts at most ${tierLimit} connections, but this installation can open ` +
                `${describeBudget(lines)}; use a dedicated-core tier (e.g. db-custom-1-3840) or fewer web workers`,
        });
    }
    if (issues.length > 0 || configured !== undefined) return { cloudsql, issues };
    const flags = { ...instance.flags, max_connections: String(total) };
    return { cloudsql: { ...cloudsql, instance: { create: { ...instance, flags } } }, issues: [] };
}

/**
 * A server run elsewhere: its `max_connections` is what the user declares (`external.maxConnections`),
 * which the program cannot set nor read, only hold the installation's budget against.
 */
export function externalBudgetIssues(external: ExternalDatabaseConfig, lines: readonly BudgetLine[]): Issue[] {
    const total = budgetTotal(lines);
    if (external.maxConnections >= total) return [];
    return [
        {
            key: "matomo:external.maxConnections",
            message:
                `got ${external.maxConnections}, below what this installation can open at once: ${describeBudget(lines)}. ` +
                `Raise the server's max_connections to at least ${total} and declare it here, or lower the web workers or the archivers' concurrent requests`,
        },
    ];
}
