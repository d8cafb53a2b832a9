/**
 * How an LDAP server's connection is secured: `ldaps://` speaks TLS from the first byte, a plain
 * `ldap://` (or bare host) connection may be upgraded with StartTLS, and LoginLdap
 * (Ldap/Client.php connect) calls `ldap_start_tls` on whatever connection `startTls` is set for.
 * The well-known ports serve one of the two: 636 LDAPS, 389 plain LDAP (and StartTLS).
 */

/** The parts of a server's settings that decide its transport. */
interface Transport {
    /** As written, for messages. */
    readonly hostname: string;
    readonly scheme?: "ldap" | "ldaps";
    readonly startTls: boolean;
    /** The port written, and where: in the hostname's URI or in `port`. */
    readonly port?: { readonly number: number; readonly field: "hostname" | "port" };
}

/** Problems of a server's transport, by the field of the server to report them on. */
export function transportIssues(server: Transport): { readonly field: string; readonly message: string }[] {
    if (server.scheme === "ldaps" && server.startTls) {
        return [
            {
                field: "startTls",
                message:
                    `is true, but hostname ${server.hostname} speaks TLS from the first byte: LoginLdap would call ldap_start_tls on a ` +
                    "connection that is TLS already, and the bind would fail; set startTls to false (ldaps:// encrypts), or use ldap:// with StartTLS",
            },
        ];
    }
    const port = server.port;
    if (port?.number === 636 && server.scheme !== "ldaps") {
        return [
            {
                field: port.field,
                message:
                    `names port 636, LDAPS, where the server speaks TLS from the first byte, but hostname ${server.hostname} asks ` +
                    "for a plain LDAP connection, which fails there; write the hostname as ldaps://<host> (without startTls)",
            },
        ];
    }
    if (port?.number === 389 && server.scheme === "ldaps") {
        return [
            {
                field: port.field,
                message:
                    `names port 389, plain LDAP, but hostname ${server.hostname} starts TLS from the first byte, which fails there; ` +
                    "use ldap://<host> with startTls true, or the server's LDAPS port (636)",
            },
        ];
    }
    return [];
}
