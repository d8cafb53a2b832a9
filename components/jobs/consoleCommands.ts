/**
 * The command lines of the console CronJobs, as pure functions of their config. Each runs
 * Matomo's `console` directly with the image's PHP (no wrapper script that could swallow a
 * failure: the seed's LDAP sync ended in `|| true`), so the command's exit code is the Job's.
 */
import type { ArchiverConfig, LdapSyncConfig } from "../config";
import { SCRIPTS_MOUNT, WEBROOT } from "../matomo/paths";

const CONSOLE = `${WEBROOT}/console`;

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
export function archiveCommand(archiver: ArchiverConfig, url: string): string[] {
    const memory = archiver.environment.PHP_MEMORY_LIMIT;
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

/** LoginLdap's synchronisation of every LDAP user into Matomo. */
export function ldapSyncCommand(sync: LdapSyncConfig): string[] {
    return consoleCommand(sync.environment.PHP_MEMORY_LIMIT, [
        "loginldap:synchronize-users",
        ...(sync.purgeNonExistentUsers ? ["--purge-non-existent-users"] : []),
    ]);
}

/** The raw-data deletion: a script, because it computes dates and loops over sites (see `deleteDataScript`). */
export function deleteDataCommand(): string[] {
    return ["sh", `${SCRIPTS_MOUNT}/delete-data.sh`];
}
