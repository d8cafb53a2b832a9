/**
 * The rules among the keys of the Cloud SQL instance this program creates: what the API would
 * refuse at `pulumi up` (a tier of the other edition, a regional instance without binary logs),
 * and what Matomo needs of it.
 */
import type { Issue } from "../../schema/fields";
import { parseTier } from "./gcpValues";
import type { CloudSqlInstanceConfig } from "./instance";

/** Matomo's system check warns below this `max_allowed_packet` (bytes). */
export const MIN_MAX_ALLOWED_PACKET = 64 * 2 ** 20;

/** The rules among the instance's keys. */
export function instanceIssues(instance: CloudSqlInstanceConfig): Issue[] {
    const issues: Issue[] = [];
    const issue = (key: string, message: string) => issues.push({ key: `matomo:cloudsql.${key}`, message });
    const tier = parseTier(instance.tier);
    if (typeof tier !== "string" && tier.edition !== instance.edition) {
        issue(
            "tier",
            `got "${instance.tier}", a ${tier.edition} tier, but edition is ${instance.edition}; ${instance.edition === "ENTERPRISE_PLUS" ? "Enterprise Plus takes db-perf-optimized-N-* tiers" : "use edition ENTERPRISE_PLUS for db-perf-optimized tiers"}`,
        );
    }
    if (instance.edition === "ENTERPRISE_PLUS" && instance.diskType === "PD_HDD") {
        issue(
            "diskType",
            'got "PD_HDD", which edition ENTERPRISE_PLUS does not offer (Cloud SQL refuses it: "PD_HDD disk type is not supported for ' +
                'Enterprise Plus Edition"); use PD_SSD, or edition ENTERPRISE',
        );
    }
    const backups = instance.backups;
    if (instance.availabilityType === "REGIONAL" && !(backups.enabled && backups.binaryLog)) {
        issue("availabilityType", 'got "REGIONAL", which needs backups.enabled and backups.binaryLog to be true');
    }
    if (backups.binaryLog && !backups.enabled) {
        issue("backups.binaryLog", "is true, but binary logging (point-in-time recovery) needs backups.enabled");
    }
    if (instance.edition === "ENTERPRISE" && backups.transactionLogRetentionDays > 7) {
        issue(
            "backups.transactionLogRetentionDays",
            `got ${backups.transactionLogRetentionDays}; edition ENTERPRISE keeps at most 7 days of binary logs`,
        );
    }
    // publicIp defaults to true without a network: false here means it was set so.
    if (!instance.publicIp && instance.privateNetwork === undefined) {
        issue(
            "publicIp",
            "is false, but without privateNetwork the instance would have no IP at all; set privateNetwork or leave publicIp on",
        );
    }
    if (instance.diskAutoresizeLimit > 0 && instance.diskAutoresizeLimit < instance.diskSize) {
        issue(
            "diskAutoresizeLimit",
            `got ${instance.diskAutoresizeLimit} GB, below diskSize (${instance.diskSize} GB): automatic growth could never happen ` +
                "(the disk starts above its limit); raise it above diskSize, or set 0 for no limit",
        );
    }
    const packet = instance.flags.max_allowed_packet;
    if (!/^\d+$/.test(packet) || Number(packet) < MIN_MAX_ALLOWED_PACKET) {
        issue(
            "flags.max_allowed_packet",
            `got "${packet}"; Matomo needs at least ${MIN_MAX_ALLOWED_PACKET} bytes (64 MB), written in bytes`,
        );
    }
    return issues;
}
