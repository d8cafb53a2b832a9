/**
 * The command lines of the console CronJobs, as pure functions of their config. Each runs
 * Matomo's `console` directly with the image's PHP (no wrapper script that could swallow a
 * failure: the seed's LDAP sync ended in `|| true`), so the command's exit code is the Job's.
 */
import type { ContainerResources } from "../k8s/resources";
import { SCRIPTS_MOUNT, WEBROOT } from "../matomo/paths";

const CONSOLE = `${WEBROOT}/console`;

/** A console CronJob: when it runs, how long it may, and what it may use. */
export interface ConsoleJobSchedule {
    /** Five-field cron schedule (or a `@daily`-style macro), read in the installation's time zone. */
    readonly schedule: string;
    /** Longest run in seconds; a longer one is stopped and counts as failed. */
    readonly activeDeadlineSeconds: number;
    /** PHP `memory_limit` of each PHP process (`-d memory_limit`), below the container's limit. */
    readonly phpMemoryLimit: string;
    /** Requests and limits of the job's container. */
    readonly resources: ContainerResources;
}

/** An archiver: `core:archive` for every site, or some. */
export interface ArchiverJob extends ConsoleJobSchedule {
    /** Suffix of its CronJob's name (`archive`, `archive-<name>`). */
    readonly name: string;
    /** `--concurrent-archivers`. */
    readonly concurrentArchivers: number;
    /** `--concurrent-requests-per-website`. */
    readonly concurrentRequestsPerWebsite: number;
    /** `--force-idsites`: only these sites; empty for every site but {@link skipIdSites}. */
    readonly forceIdSites: readonly number[];
    /** `--skip-idsites`. */
    readonly skipIdSites: readonly number[];
}

/** The raw-data deletion. */
export interface DeleteDataJob extends ConsoleJobSchedule {
    /** `all`, or the site IDs whose raw data goes. */
    readonly sites: "all" | readonly number[];
    /** Days of raw visitor logs kept. */
    readonly daysToKeep: number;
}

/** The LDAP user sync. */
export interface LdapSyncJob extends ConsoleJobSchedule {
    /** `--purge-non-existent-users`. */
    readonly purgeNonExistentUsers: boolean;
}

/** `php -d memory_limit=<limit> console <args> --no-interaction`. */
export function consoleCommand(memoryLimit: string, args: readonly string[]): string[] {
    return ["php", "-d", `memory_limit=${memoryLimit}`, CONSOLE, ...args, "--no-interaction"];
}

/**
 * `core:archive` for one archiver. `url` is the web tier's in-cluster Service (trusted in
 * config.ini.php), which Matomo uses for generated URLs and for HTTP requests when it cannot start
 * PHP subprocesses. Scheduled tasks are left to their own CronJob (`--disable-scheduled-tasks`),
 * so they run once, on their schedule, and a long archiving run does not delay e-mail reports.
 * The archiver's subprocesses get the same memory limit (`--php-cli-options`).
 */
export function archiveCommand(archiver: ArchiverJob, url: string): string[] {
    const memory = archiver.phpMemoryLimit;
    return consoleCommand(memory, [
        "core:archive",
        `--url=${url}`,
        `--concurrent-archivers=${archiver.concurrentArchivers}`,
        `--concurrent-requests-per-website=${archiver.concurrentRequestsPerWebsite}`,
        "--disable-scheduled-tasks",
        `--php-cli-options=-d memory_limit=${memory}`,
        ...(archiver.forceIdSites.length > 0 ? [`--force-idsites=${archiver.forceIdSites.join(",")}`] : []),
        ...(archiver.skipIdSites.length > 0 ? [`--skip-idsites=${archiver.skipIdSites.join(",")}`] : []),
    ]);
}

/** Matomo's scheduled tasks that are due (e-mail reports, data purges, ...). */
export function scheduledTasksCommand(memoryLimit: string): string[] {
    return consoleCommand(memoryLimit, ["scheduled-tasks:run"]);
}

/**
 * LoginLdap's synchronisation of every LDAP user into Matomo. Its own exit status says whether
 * every user was synchronised (a failed bind is an uncaught exception, a user that cannot be
 * synchronised makes it return FAILURE); `--ignore-warn` keeps Matomo's console from turning a
 * logged warning into exit 1, because creating or purging a user from the console always logs one:
 * the "user created" or "user deleted" notice goes to the current user, who has no e-mail address
 * in a console run ("Could not send UserCreatedEmail email ... Invalid address"), so every run
 * that added or purged a user failed.
 */
export function ldapSyncCommand(sync: LdapSyncJob): string[] {
    return consoleCommand(sync.phpMemoryLimit, [
        "loginldap:synchronize-users",
        ...(sync.purgeNonExistentUsers ? ["--purge-non-existent-users"] : []),
        "--ignore-warn",
    ]);
}

/** The raw-data deletion: a script, because it computes dates and loops over sites (see `deleteDataScript`). */
export function deleteDataCommand(): string[] {
    return ["sh", `${SCRIPTS_MOUNT}/delete-data.sh`];
}
