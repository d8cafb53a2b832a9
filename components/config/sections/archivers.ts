/**
 * `matomo:matomocronArchive`: report archiving (`core:archive`), one archiver as the seed chart
 * wrote it or a list as EEA's later chart does, with the rule that each site has one archiver.
 */
import type { ContainerResources } from "../../k8s/resources";
import { formatBytes, phpSizeBytes } from "../../k8s/units";
import { integer, string, type Issue, type ValueOf } from "../schema/fields";
import { list, object, oneOrMany } from "../schema/structures";
import { phpWorkloadIssues } from "../schema/limits";
import { consolePhp, cronSchedule, deadline, jobImage, resources } from "../schema/parts";
import { checkDnsLabel } from "../schema/validators";
import { fullKey, rawValue, type ResolveContext } from "./context";

/** One archiver: a CronJob running `core:archive`, optionally for some sites only. */
const archiver = object(
    {
        name: string({
            doc: "Name of the archiver: its CronJob is `matomo-archive-<name>`. Unset: `matomo-archive`, or `matomo-archive-<index>` in a list.",
            optional: true,
            check: (v) => checkDnsLabel(v) ?? (v.length > 20 ? "expected at most 20 characters" : undefined),
        }),
        image: jobImage,
        cronSchedule: cronSchedule("When the archiver runs (in matomo:timezone).", "5 * * * *"),
        environment: consolePhp("archiver", "4096M"),
        resources: resources("archiving", { requestMemory: "4Gi", requestCpu: "500m", limitMemory: "6Gi" }),
        concurrentArchivers: integer({
            doc: "`--concurrent-archivers`: how many archivers may run at once.",
            default: 3,
            min: 1,
            max: 64,
        }),
        concurrentRequestsPerWebsite: integer({
            doc: "`--concurrent-requests-per-website`: parallel archiving processes per site (each with its own PHP memory limit).",
            default: 3,
            min: 1,
            max: 64,
        }),
        forceIdSites: list(integer({ doc: "A site ID.", required: true, min: 1 }), {
            doc: "Archive only these sites (`--force-idsites`), e.g. one heavy site in its own archiver.",
            default: [],
        }),
        skipIdSites: list(integer({ doc: "A site ID.", required: true, min: 1 }), {
            doc: "Archive every site but these (`--skip-idsites`), e.g. the sites another archiver takes.",
            default: [],
        }),
        activeDeadlineSeconds: deadline("archiver", 6 * 3600),
    },
    { doc: "An archiver." },
);

export const archiversKey = oneOrMany(archiver, {
    doc: "Report archiving (`core:archive`, browser-triggered archiving being off): one archiver (the seed's form) or a list (EEA's later form), e.g. a heavy site on its own schedule and memory, and the rest. In a list, the keys below take an index: `matomocronArchive[0].cronSchedule`.",
});

/** One archiver, resolved. */
export interface ArchiverConfig {
    /** Suffix of its CronJob's name: `archive`, `archive-<name>` or `archive-<index>`. */
    readonly name: string;
    /** Cron schedule, in matomo:timezone. */
    readonly schedule: string;
    readonly phpMemoryLimit: string;
    readonly resources: ContainerResources;
    readonly activeDeadlineSeconds: number;
    readonly concurrentArchivers: number;
    readonly concurrentRequestsPerWebsite: number;
    /** Archive only these sites; empty for all (but `skipIdSites`). */
    readonly forceIdSites: readonly number[];
    readonly skipIdSites: readonly number[];
}

/** The archivers, named for their CronJobs; breaking the one-archiver-per-site rule is reported. */
export function resolveArchivers(value: ValueOf<typeof archiversKey>, ctx: ResolveContext): ArchiverConfig[] {
    const asList = (rawValue(ctx, "matomocronArchive") ?? "").trim().startsWith("[");
    const key = (i: number) => fullKey(`matomocronArchive${asList ? `[${i}]` : ""}`);
    const archivers: ArchiverConfig[] = value.map((a, i) => ({
        name: a.name !== undefined ? `archive-${a.name}` : value.length === 1 ? "archive" : `archive-${i}`,
        schedule: a.cronSchedule,
        phpMemoryLimit: a.environment.PHP_MEMORY_LIMIT,
        resources: a.resources,
        activeDeadlineSeconds: a.activeDeadlineSeconds,
        concurrentArchivers: a.concurrentArchivers,
        concurrentRequestsPerWebsite: a.concurrentRequestsPerWebsite,
        forceIdSites: a.forceIdSites,
        skipIdSites: a.skipIdSites,
    }));
    if (archivers.length === 0) {
        ctx.issues.push({
            key: fullKey("matomocronArchive"),
            message:
                "is an empty list, so no archiver runs, and browsers never trigger archiving here " +
                "(enable_browser_archiving_triggering = 0): no report would ever be built; keep at least one archiver " +
                "(remove the key for the default one)",
        });
    }
    ctx.issues.push(...siteSelectionIssues(archivers, key));
    archivers.forEach((a, i) =>
        ctx.issues.push(...phpWorkloadIssues(key(i), a.phpMemoryLimit, a.resources), ...archiverMemoryFloor(key(i), a.phpMemoryLimit)),
    );
    return archivers;
}

/** Site-selection rules: each site archived by exactly one archiver. */
function siteSelectionIssues(archivers: readonly ArchiverConfig[], key: (i: number) => string): Issue[] {
    const issues: Issue[] = [];
    const names = new Map<string, number>();
    archivers.forEach((a, i) => {
        if (names.has(a.name))
            issues.push({
                key: `${key(i)}.name`,
                message: `names the CronJob matomo-${a.name}, as archiver ${names.get(a.name)} does; archivers need distinct names`,
            });
        names.set(a.name, i);
        if (a.forceIdSites.length > 0 && a.skipIdSites.length > 0) {
            issues.push({
                key: key(i),
                message: "sets both forceIdSites and skipIdSites; an archiver takes either some sites or all but some",
            });
        }
    });
    const forced = new Map<number, number>();
    archivers.forEach((a, i) =>
        a.forceIdSites.forEach((site) => {
            if (forced.has(site)) {
                issues.push({
                    key: `${key(i)}.forceIdSites`,
                    message: `site ${site} is also forced by archiver ${forced.get(site)}; each site must have one archiver`,
                });
            }
            forced.set(site, i);
        }),
    );
    const catchAll = archivers.map((a, i) => [a, i] as const).filter(([a]) => a.forceIdSites.length === 0);
    if (catchAll.length > 1) {
        issues.push({
            key: key(catchAll[1][1]),
            message: `archivers ${catchAll.map(([, i]) => i).join(" and ")} both archive every site; give all but one of them forceIdSites`,
        });
    }
    for (const [a, i] of catchAll.slice(0, 1)) {
        const missing = [...forced.keys()].filter((site) => !a.skipIdSites.includes(site));
        if (missing.length > 0 && archivers.length > 1) {
            issues.push({
                key: `${key(i)}.skipIdSites`,
                message:
                    missing.length === 1
                        ? `must list ${missing[0]}, which has its own archiver; otherwise it is archived twice`
                        : `must list ${missing.join(", ")}, which have their own archivers; otherwise they are archived twice`,
            });
        }
    }
    return issues;
}

/** Matomo's `minimum_memory_limit_when_archiving` (MB): archiving raises a lower memory_limit to it. */
const ARCHIVING_MEMORY_FLOOR = "768M";

/**
 * Matomo raises an archiver's memory_limit to 768M when it is lower, so a lower setting would
 * not be what runs, and the container limit check would compare against the wrong number.
 */
function archiverMemoryFloor(key: string, phpLimit: string): Issue[] {
    const floor = phpSizeBytes(ARCHIVING_MEMORY_FLOOR);
    return phpSizeBytes(phpLimit) < floor
        ? [
              {
                  key: `${key}.environment.PHP_MEMORY_LIMIT`,
                  message: `got "${phpLimit}"; archiving needs at least ${ARCHIVING_MEMORY_FLOOR} (${formatBytes(floor)}): Matomo raises a lower memory_limit to that (minimum_memory_limit_when_archiving)`,
              },
          ]
        : [];
}
