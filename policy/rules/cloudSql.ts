/**
 * `cloud-sql-protected`: the Cloud SQL instance that holds Matomo's data (topology `google`) can
 * neither be deleted by accident nor lose data, and is not reachable from the internet in clear.
 *
 * - Deletion protection in Pulumi (`deletionProtection`, on by default in the provider) and in GCP
 *   (`settings.deletionProtectionEnabled`): without both, a `pulumi destroy`, a replacement after
 *   a changed instance name, or a click in the console deletes the database and, with it, its
 *   automated backups.
 * - Automated backups and point-in-time recovery (binary logging on MySQL, the engine this program
 *   runs; `pointInTimeRecoveryEnabled` on the other engines): without them a bad upgrade or a
 *   `DELETE` can only be undone to last night, or not at all.
 * - No authorized networks: the program connects through the Cloud SQL Auth Proxy (IAM
 *   authenticated); an authorized network lets any host in that range try passwords on 3306.
 * - `sslMode` ENCRYPTED_ONLY or TRUSTED_CLIENT_CERTIFICATE_REQUIRED: the instance refuses
 *   unencrypted connections, so no password or visitor data crosses a network in clear.
 *
 * A read replica (`masterInstanceName` set) cannot have backups of its own, so the backup checks
 * skip it. The program's settings are in components/database/cloudSqlInstance.ts.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { known, list, record, shown, text, validateTypes, violation } from "./common";

/** The Pulumi type of a Cloud SQL instance. */
const DATABASE_INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance";

/** SSL modes that refuse unencrypted connections. */
const ENCRYPTED_SSL_MODES = new Set(["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"]);

/** Problems with a Cloud SQL instance's protection. */
export function cloudSqlViolations(props: Readonly<Record<string, unknown>>): string[] {
    const problems: string[] = [];
    const read = (check: () => string[]) => problems.push(...known(check, []));
    const settings = () => record(props.settings);
    read(() =>
        props.deletionProtection === false
            ? [violation("deletionProtection", "false", "remove it or set it to true, so Pulumi refuses to delete the instance")]
            : [],
    );
    read(() => {
        const enabled = settings().deletionProtectionEnabled;
        const fix = "set it to true, so GCP refuses to delete the instance from any tool";
        return enabled === true ? [] : [violation("settings.deletionProtectionEnabled", shown(enabled), fix)];
    });
    read(() => {
        if (text(props.masterInstanceName)) return [];
        const backups = record(settings().backupConfiguration);
        const found: string[] = [];
        if (backups.enabled !== true) {
            found.push(
                violation("settings.backupConfiguration.enabled", shown(backups.enabled), "set it to true for automated daily backups"),
            );
        }
        const version = text(props.databaseVersion) ?? "MYSQL";
        const pitr = version.startsWith("MYSQL") ? "binaryLogEnabled" : "pointInTimeRecoveryEnabled";
        if (backups[pitr] !== true) {
            found.push(
                violation(`settings.backupConfiguration.${pitr}`, shown(backups[pitr]), "set it to true for point-in-time recovery"),
            );
        }
        return found;
    });
    read(() => {
        const ip = record(settings().ipConfiguration);
        const found: string[] = [];
        const networks = list(ip.authorizedNetworks);
        if (networks.length > 0) {
            const fix = "remove them and connect through the Cloud SQL Auth Proxy, which authenticates with IAM";
            found.push(violation("settings.ipConfiguration.authorizedNetworks", shown(networks), fix));
        }
        if (!ENCRYPTED_SSL_MODES.has(String(ip.sslMode))) {
            const fix =
                "set it to ENCRYPTED_ONLY (or TRUSTED_CLIENT_CERTIFICATE_REQUIRED), so the instance refuses unencrypted connections";
            found.push(violation("settings.ipConfiguration.sslMode", shown(ip.sslMode), fix));
        }
        return found;
    });
    return problems;
}

export const cloudSqlProtected: ResourceValidationPolicy = {
    name: "cloud-sql-protected",
    description:
        "A Cloud SQL instance has deletion protection (Pulumi and GCP), backups with point-in-time recovery, no authorized networks, and encrypted connections only.",
    severity: "critical",
    validateResource: validateTypes(new Set([DATABASE_INSTANCE]), (_type, props) => cloudSqlViolations(props)),
};
