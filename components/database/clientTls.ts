/**
 * What the database's own clients (mariadb-dump and mariadb in the backup and restore pods) need
 * to reach a server outside the cluster: TLS settings for their option file, and their
 * connections, named apart from Matomo's (a NetworkPolicy selects pods of one name).
 */
import { egressOf, type EgressFlow } from "../k8s/egress";
import type { DatabaseEndpoint } from "./endpoint";

/** The `BACKUP_DB_SSL_*` variables mariadb-client.sh writes into the option file; none without TLS. */
export function clientTlsEnv(db: DatabaseEndpoint): { name: string; value: string }[] {
    if (!db.tls) return [];
    return [
        { name: "BACKUP_DB_SSL_CA", value: db.tls.caFile },
        { name: "BACKUP_DB_SSL_VERIFY", value: db.tls.verifyServerCertificate ? "1" : "0" },
    ];
}

/** The connections of the pods selected by `clients` to the database (none for one in the cluster). */
export function clientEgress(db: DatabaseEndpoint, clients: Readonly<Record<string, string>>): EgressFlow[] {
    return egressOf(
        clients,
        db.podPatch.egress.map((e) => ({ ...e, name: `backup-${e.name}` })),
    );
}
