/**
 * `matomo:matomocronScheduledTasks` (new: Matomo's scheduled tasks in their own CronJob) and
 * `matomo:matomocronDeleteData` (deletion of old raw visitor logs, when sites are selected).
 */
import type { ContainerResources } from "../../k8s/resources";
import { integer, report as reportField, scalar, type Field, type ValueOf } from "../schema/fields";
import { object } from "../schema/structures";
import { phpWorkloadIssues } from "../schema/limits";
import { consolePhp, cronSchedule, deadline, jobImage, phpSize, resources } from "../schema/parts";
import { describeValue } from "../schema/text";
import { fullKey, rawValue, report, type ResolveContext } from "./context";

/** `all`, one site ID, a comma-separated list or a YAML list: which sites lose their old raw data. */
const siteSelection: Field<"all" | readonly number[] | undefined> = scalar<"all" | readonly number[] | undefined, { optional: true }>(
    "`all`, a site ID or a list of them",
    {
        doc: "Sites whose raw data is deleted: `all`, one site ID, or a list (`1,2,5` or a YAML list). Unset: no deletion job.",
        optional: true,
    },
    (raw, ctx) => {
        if (raw === "all") return "all";
        const items = Array.isArray(raw)
            ? raw
            : typeof raw === "number"
              ? [raw]
              : typeof raw === "string"
                ? raw.split(",").map((s) => s.trim())
                : [raw];
        const ids = items.map((i) => (typeof i === "string" && /^\d+$/.test(i) ? Number(i) : i));
        if (ids.length === 0 || !ids.every((i) => typeof i === "number" && Number.isSafeInteger(i) && i >= 1)) {
            return reportField(ctx, `got ${describeValue(raw)}; expected "all", a site ID (a positive integer) or a list of them`);
        }
        return [...new Set(ids as number[])];
    },
);

export const scheduledTasksKey = object(
    {
        cronSchedule: cronSchedule("When the scheduled tasks run (`scheduled-tasks:run`: e-mail reports, data purges, ...).", "15 * * * *"),
        environment: consolePhp("scheduled tasks", "1024M"),
        resources: resources("scheduled tasks", { requestMemory: "512Mi", requestCpu: "100m", limitMemory: "2Gi" }),
        activeDeadlineSeconds: deadline("scheduled tasks", 3600),
    },
    { doc: "Matomo's scheduled tasks. The archivers run with `--disable-scheduled-tasks`, so they run here, once." },
);

export const deleteDataKey = object(
    {
        image: jobImage,
        cronSchedule: cronSchedule("When old raw data is deleted.", "0 23 * * *"),
        environment: object(
            {
                PHP_MEMORY_LIMIT: phpSize("PHP `memory_limit` of the deletion.", "512M"),
                siteToDelete: siteSelection,
                daysToKeep: integer({ doc: "Days of raw visitor logs kept; older ones are deleted.", default: 90, min: 1, max: 36500 }),
            },
            { doc: "What the deletion job deletes." },
        ),
        resources: resources("raw-data deletion", { requestMemory: "512Mi", requestCpu: "100m", limitMemory: "2Gi" }),
        activeDeadlineSeconds: deadline("deletion", 4 * 3600),
    },
    { doc: "Deletion of raw visitor logs older than `daysToKeep` (`core:delete-logs-data`); runs only when `siteToDelete` is set." },
);

/** A console CronJob: when it runs, how long it may, and what it may use. */
export interface ConsoleJobConfig {
    /** Cron schedule, in matomo:timezone. */
    readonly schedule: string;
    readonly activeDeadlineSeconds: number;
    readonly phpMemoryLimit: string;
    readonly resources: ContainerResources;
}

/** The raw-data deletion. */
export interface DeleteDataConfig extends ConsoleJobConfig {
    readonly sites: "all" | readonly number[];
    readonly daysToKeep: number;
}

export function resolveScheduledTasks(value: ValueOf<typeof scheduledTasksKey>, ctx: ResolveContext): ConsoleJobConfig {
    ctx.issues.push(...phpWorkloadIssues(fullKey("matomocronScheduledTasks"), value.environment.PHP_MEMORY_LIMIT, value.resources));
    return {
        schedule: value.cronSchedule,
        activeDeadlineSeconds: value.activeDeadlineSeconds,
        phpMemoryLimit: value.environment.PHP_MEMORY_LIMIT,
        resources: value.resources,
    };
}

/** The deletion when `siteToDelete` is set; settings without it have no effect and are reported. */
export function resolveDeleteData(value: ValueOf<typeof deleteDataKey>, ctx: ResolveContext): DeleteDataConfig | undefined {
    const { environment: env } = value;
    if (env.siteToDelete === undefined) {
        if (rawValue(ctx, "matomocronDeleteData") !== undefined) {
            report(
                ctx,
                "matomocronDeleteData.environment.siteToDelete",
                'is not set, so the deletion job does not run and the other matomocronDeleteData settings have no effect; set it ("all", a site ID or a list) or remove them',
            );
        }
        return undefined;
    }
    ctx.issues.push(...phpWorkloadIssues(fullKey("matomocronDeleteData"), env.PHP_MEMORY_LIMIT, value.resources));
    return {
        schedule: value.cronSchedule,
        activeDeadlineSeconds: value.activeDeadlineSeconds,
        phpMemoryLimit: env.PHP_MEMORY_LIMIT,
        resources: value.resources,
        sites: env.siteToDelete,
        daysToKeep: env.daysToKeep,
    };
}
