/**
 * Renders Matomo's `config/config.ini.php` from typed settings.
 *
 * The file is generated, kept in a Secret (it holds the database password and the salt) and copied
 * into each pod's writable webroot at start. Matomo may still write to its copy (it records a
 * trusted host or a plugin change there), but every pod start goes back to this rendering, so the
 * stack config stays the source of truth and every replica runs the same configuration.
 */
import { renderIni, type IniSection } from "./ini";

export interface MatomoIniSettings {
    readonly database: {
        readonly host: string;
        readonly port: number;
        readonly username: string;
        /** Undefined when the pods append it from a Secret managed elsewhere (after every section). */
        readonly password?: string;
        readonly dbname: string;
        readonly tablesPrefix: string;
        readonly charset: string;
        readonly collation: string;
        /** `Mariadb` or `Mysql` (Matomo 5 chooses SQL dialect details by it). */
        readonly schema: string;
        /** TLS towards the server (`enable_ssl` and the `ssl_*` keys); undefined for clear text. */
        readonly tls?: DatabaseTlsIniSettings;
    };
    /** `[General] salt`: generated once, never changed. */
    readonly salt: string;
    /** Hostnames Matomo accepts in the Host header (the public hostname first). */
    readonly trustedHosts: readonly string[];
    /** TLS ends at the ingress: Matomo must generate https URLs although it is reached over http. */
    readonly assumeSecureProtocol: boolean;
    /** Whether Matomo may try `LOAD DATA INFILE` for bulk inserts. */
    readonly loadDataInfile: boolean;
    /** `maintenance_mode` (UI and API answer 503 with a maintenance page). */
    readonly maintenanceMode: boolean;
    /** `record_statistics` (false: the tracker answers 503 and drops hits). */
    readonly recordStatistics: boolean;
    /**
     * `enable_internet_features`: whether Matomo itself may call out (news feeds, the marketplace,
     * fetching a tracked site's homepage). Off where NetworkPolicies allow no such connection, so
     * that no page waits for a connection that cannot be made.
     */
    readonly internetFeatures: boolean;
    /** Where Matomo sends mail. Unset: Matomo's default (PHP's mail(), which a container cannot use). */
    readonly mail?: SmtpIniSettings;
    /** LDAP login (the LoginLdap plugin's `[LoginLdap]` and `[LoginLdap_<server>]` sections). */
    readonly ldap?: LdapIniSettings;
}

/**
 * Matomo's `[database]` TLS keys (core/Db/Adapter/Pdo/Mysql.php): the CA file (`ssl_ca`), without
 * which Matomo would not use TLS at all (`enable_ssl` alone sets no driver option), and whose
 * presence makes PHP's mysqlnd check the server's certificate; `ssl_no_verify` turns PDO's
 * MYSQL_ATTR_SSL_VERIFY_SERVER_CERT off.
 */
export interface DatabaseTlsIniSettings {
    readonly caFile: string;
    readonly verifyServerCertificate: boolean;
}

/** The `[database]` TLS lines. */
function databaseTlsLines(tls: DatabaseTlsIniSettings | undefined): IniSection {
    if (!tls) return [];
    return [
        ["enable_ssl", true],
        ["ssl_ca", tls.caFile],
        ["ssl_no_verify", !tls.verifyServerCertificate],
    ];
}

/**
 * Matomo's SMTP transport (`[mail]`, read by `Piwik\Mail\Transport`). The password is not here: it
 * comes from its own Secret when a pod starts (prepare-webroot appends it to `[mail]`, which is
 * therefore rendered last).
 */
export interface SmtpIniSettings {
    readonly host: string;
    readonly port: number;
    /** See {@link smtpEncryption}. */
    readonly encryption: SmtpEncryption;
    /** The login (`type`, `username`); undefined to send without one. */
    readonly login?: { readonly username: string; readonly authType: string };
    readonly senderAddress: string;
    readonly senderName: string;
}

/**
 * `[mail] host` as PHPMailer reads it (`host[:port]`, PHPMailer::smtpConnect): an IPv6 address only
 * in brackets, which its isValidHost checks.
 */
function phpMailerHost(host: string): string {
    return host.includes(":") ? `[${host}]` : host;
}

/**
 * `[mail] encryption` as Matomo hands it to PHPMailer: `tls` (STARTTLS, required), `ssl` (TLS from
 * the first byte), `none` (never, `SMTPAutoTLS` off) or empty (STARTTLS when the server offers it).
 */
export type SmtpEncryption = "tls" | "ssl" | "none" | "";

/** The encryption for a TLS level (`encrypt`, `may`, `none`): port 465 speaks TLS from the start. */
export function smtpEncryption(level: "encrypt" | "may" | "none", port: number): SmtpEncryption {
    if (level === "encrypt") return port === 465 ? "ssl" : "tls";
    return level === "none" ? "none" : "";
}

/** The LoginLdap plugin's settings (its INI keys, see the plugin's README). */
export interface LdapIniSettings {
    readonly servers: readonly {
        readonly name: string;
        readonly hostname: string;
        readonly port: number;
        readonly baseDn: string;
        readonly adminUser: string;
        readonly adminPassword: string;
        readonly startTls: boolean;
    }[];
    readonly useLdapForAuthentication: boolean;
    readonly synchronizeUsersAfterLogin: boolean;
    readonly enableSynchronizeAccessFromLdap: boolean;
    readonly newUserDefaultSitesViewAccess: string;
    readonly userIdField: string;
    readonly mailField: string;
    readonly userEmailSuffix: string;
    readonly requiredMemberOf: string;
    readonly ldapUserFilter: string;
}

function ldapSections(ldap: LdapIniSettings): (readonly [string, IniSection])[] {
    const main: IniSection = [
        ["servers", ldap.servers.map((s) => s.name)],
        ["use_ldap_for_authentication", ldap.useLdapForAuthentication],
        ["synchronize_users_after_login", ldap.synchronizeUsersAfterLogin],
        ["enable_synchronize_access_from_ldap", ldap.enableSynchronizeAccessFromLdap],
        ["new_user_default_sites_view_access", ldap.newUserDefaultSitesViewAccess],
        ["ldap_user_id_field", ldap.userIdField],
        ["ldap_mail_field", ldap.mailField],
        ["user_email_suffix", ldap.userEmailSuffix],
        // The suffix forms e-mail addresses only: left at the plugin's default (1), it would also be
        // appended to every login before the LDAP lookup (uid=alice@example.com), for old setups.
        ["append_user_email_suffix_to_username", false],
        ["required_member_of", ldap.requiredMemberOf],
        ["ldap_user_filter", ldap.ldapUserFilter],
    ];
    return [
        ["LoginLdap", main],
        ...ldap.servers.map(
            (s) =>
                [
                    `LoginLdap_${s.name}`,
                    [
                        ["hostname", s.hostname],
                        ["port", s.port],
                        ["base_dn", s.baseDn],
                        ["admin_user", s.adminUser],
                        ["admin_pass", s.adminPassword],
                        ["start_tls", s.startTls],
                    ],
                ] as const,
        ),
    ];
}

export const CONFIG_INI_HEADER =
    "; <?php exit; ?> DO NOT REMOVE THIS LINE\n" +
    "; Generated by the Matomo Pulumi program from the stack configuration.\n" +
    "; Changes made here last until the pod restarts; change the stack config instead.\n";

/** The `config.ini.php` text. */
export function renderConfigIni(s: MatomoIniSettings): string {
    const database: IniSection = [
        ["host", s.database.host],
        ["port", s.database.port],
        ["username", s.database.username],
        ...(s.database.password !== undefined ? ([["password", s.database.password]] as const) : []),
        ["dbname", s.database.dbname],
        ["tables_prefix", s.database.tablesPrefix],
        ["schema", s.database.schema],
        ["charset", s.database.charset],
        ["collation", s.database.collation],
        ...databaseTlsLines(s.database.tls),
    ];
    const general: IniSection = [
        ["salt", s.salt],
        ["trusted_hosts", s.trustedHosts],
        ["enable_trusted_host_check", true],
        ...(s.assumeSecureProtocol ? ([["assume_secure_protocol", true]] as const) : []),
        // Requests arrive through the ingress: the visitor's address is in X-Forwarded-For.
        ["proxy_client_headers", ["HTTP_X_FORWARDED_FOR"]],
        ["proxy_host_headers", ["HTTP_X_FORWARDED_HOST"]],
        // Stateless replicas behind a load balancer (sessions live in the database). In UI
        // maintenance Matomo would then answer 200 to keep load balancers from ejecting nodes; the
        // probes here use matomo.php, so the UI and API may say 503, as clients expect.
        ["multi_server_environment", !s.maintenanceMode],
        // Reports are built by the archiving CronJob, never by a visitor's request.
        ["enable_browser_archiving_triggering", false],
        ["browser_archiving_disabled_enforce", true],
        // The code comes from the image: no installer, no self-update, no update nagging.
        ["enable_installer", false],
        ["enable_auto_update", false],
        ["enable_update_communication", false],
        ...(s.internetFeatures ? [] : ([["enable_internet_features", false]] as const)),
        // The active plugins are declared (matomo.plugins), the same in every pod: the UI's switches
        // would change one pod's copy of this file until it restarts.
        ["enable_plugins_admin", false],
        ...(s.loadDataInfile ? [] : ([["enable_load_data_infile", false]] as const)),
        ...(s.mail
            ? ([
                  ["noreply_email_address", s.mail.senderAddress],
                  ["noreply_email_name", s.mail.senderName],
              ] as const)
            : []),
        ["maintenance_mode", s.maintenanceMode],
    ];
    const tracker: IniSection = [["record_statistics", s.recordStatistics]];
    const mail: IniSection = s.mail
        ? [
              ["transport", "smtp"],
              ["host", phpMailerHost(s.mail.host)],
              ["port", s.mail.port],
              ...(s.mail.encryption ? ([["encryption", s.mail.encryption]] as const) : []),
              ...(s.mail.login
                  ? ([
                        ["type", s.mail.login.authType],
                        ["username", s.mail.login.username],
                    ] as const)
                  : []),
          ]
        : [];
    // [mail] last: the pods append the SMTP password to it.
    return renderIni(
        [["database", database], ["General", general], ["Tracker", tracker], ...(s.ldap ? ldapSections(s.ldap) : []), ["mail", mail]],
        CONFIG_INI_HEADER,
    );
}
