/**
 * How an LDAP server's connection is secured: `ldaps://` speaks TLS from the first byte, a plain
 * `ldap://` (or bare host) connection may be upgraded with StartTLS, and LoginLdap
 * (Ldap/Client.php connect) calls `ldap_start_tls` on whatever connection `startTls` is set for.
 */

/** The parts of a server's settings that decide its transport. */
interface Transport {
    /** As written, for messages. */
    readonly hostname: string;
    readonly scheme?: "ldap" | "ldaps";
    readonly startTls: boolean;
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
    return [];
}
