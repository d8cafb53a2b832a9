/**
 * `matomo:ldap` and `matomo:matomocronLdapSync`: LDAP login through the LoginLdap plugin (which the
 * image must contain) and the CronJob that synchronises LDAP users into Matomo.
 */
import { boolean, integer, string, type ValueOf } from "../schema/fields";
import { checkLdapFilter } from "../schema/ldapFilter";
import { secret } from "../schema/secretField";
import { list, object } from "../schema/structures";
import { phpWorkloadIssues } from "../schema/limits";
import { cronSchedule, deadline, jobImage, phpSize, resources } from "../schema/parts";
import type { SecretValue } from "../schema/secretValue";
import { parseIp } from "../schema/cidr";
import { checkHostname, checkIniText, checkMailDomain } from "../schema/validators";
import { fullKey, rawValue, report, type ResolveContext } from "./context";
import type { ConsoleJobConfig } from "./consoleJobs";
import { transportIssues } from "./ldapTransport";

/** An LDAP distinguished name that config.ini.php can hold. */
function checkDn(value: string): string | undefined {
    return /^[A-Za-z][A-Za-z0-9-]*=[^,]+(,\s*[A-Za-z][A-Za-z0-9-]*=[^,]+)*$/.test(value) && checkIniText(value) === undefined
        ? undefined
        : "expected a distinguished name such as dc=example,dc=com";
}

/** An LDAP server as the stack names it: a host, or an `ldap://` / `ldaps://` URI with an optional port. */
interface LdapAddress {
    readonly scheme?: "ldap" | "ldaps";
    /** A host name or an IPv4 address. */
    readonly host: string;
    readonly port?: number;
}

/** The parts of an LDAP server's `hostname` setting; undefined when it is not a host or an LDAP URI. */
export function parseLdapAddress(value: string): LdapAddress | undefined {
    const match = /^(?:(ldaps?):\/\/)?([^/:]+)(?::(\d{1,5}))?\/?$/.exec(value);
    if (!match || (!match[1] && (match[3] !== undefined || value.endsWith("/")))) return undefined;
    const [, scheme, host, port] = match;
    if (checkHostname(host) !== undefined && parseIp(host)?.family !== 4) return undefined;
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535 || port.startsWith("0"))) return undefined;
    return { scheme: scheme as LdapAddress["scheme"], host, port: port === undefined ? undefined : Number(port) };
}

function checkAttribute(value: string): string | undefined {
    return /^[A-Za-z][A-Za-z0-9-]*$/.test(value) ? undefined : "expected an LDAP attribute name";
}

export const ldapSyncKey = object(
    {
        image: jobImage,
        cronSchedule: cronSchedule("When users are synchronised from LDAP.", "10 1 * * *"),
        environment: object({ PHP_MEMORY_LIMIT: phpSize("PHP `memory_limit` of the sync.", "192M") }, { doc: "PHP settings of the sync." }),
        resources: resources("LDAP sync", { requestMemory: "256Mi", requestCpu: "50m", limitMemory: "256Mi" }),
        purgeNonExistentUsers: boolean({
            doc: "Delete Matomo users that no longer exist in LDAP (`--purge-non-existent-users`).",
            default: false,
        }),
        activeDeadlineSeconds: deadline("sync", 1800),
    },
    { doc: "LDAP user synchronisation (`loginldap:synchronize-users`); runs when `ldap` has servers." },
);

export const ldapKey = object(
    {
        servers: list(
            object(
                {
                    name: string({
                        doc: "Server name (its config section is `[LoginLdap_<name>]`).",
                        required: true,
                        check: (v) => (/^[A-Za-z0-9_]{1,30}$/.test(v) ? undefined : "expected 1-30 letters, digits or underscores"),
                    }),
                    hostname: string({
                        doc: "Host name or IPv4 address, or an `ldap://` / `ldaps://` URI (`ldaps://ldap.example.com`, optionally with `:<port>`).",
                        required: true,
                        check: (v) =>
                            parseLdapAddress(v)
                                ? undefined
                                : "expected a hostname, an IPv4 address, or an ldap:// or ldaps:// URI such as ldaps://ldap.example.com:636",
                    }),
                    port: integer({
                        doc: "Port the plugin dials (Matomo 5.2 and later images, PHP 8.3+, always dial `<hostname>:<port>`; earlier ones ignore it for a URI).",
                        optional: true,
                        defaultDoc: "the URI's port; else 636 for `ldaps://`, 389 otherwise",
                        min: 1,
                        max: 65535,
                    }),
                    baseDn: string({ doc: "Base DN of user searches.", required: true, check: checkDn }),
                    adminUser: string({ doc: "DN of the account the plugin binds as.", required: true, check: checkDn }),
                    // Set by the directory's owner: only what config.ini.php cannot hold is refused.
                    adminPassword: secret({ doc: "Its password (set with `--secret`).", defaultDoc: "required", check: checkIniText }),
                    startTls: boolean({
                        doc: "Upgrade an `ldap://` connection with StartTLS (an `ldaps://` server speaks TLS from the start, and refuses it).",
                        default: false,
                    }),
                },
                { doc: "An LDAP server." },
            ),
            { doc: "LDAP servers, tried in order. Configuring one enables LDAP login and the sync job.", default: [], maxItems: 10 },
        ),
        useLdapForAuthentication: boolean({ doc: "Check passwords against LDAP.", default: true }),
        synchronizeUsersAfterLogin: boolean({ doc: "Update a user from LDAP when they log in.", default: true }),
        enableSynchronizeAccessFromLdap: boolean({ doc: "Take site access from LDAP attributes.", default: false }),
        newUserDefaultSitesViewAccess: string({
            doc: "Sites new users may view (`all`, or site IDs `1,2`); empty for none.",
            default: "",
            check: (v) => (v === "" || v === "all" || /^\d+(,\d+)*$/.test(v) ? undefined : 'expected "", "all" or site IDs such as 1,2'),
        }),
        userIdField: string({ doc: "LDAP attribute of the login.", default: "uid", check: checkAttribute }),
        mailField: string({ doc: "LDAP attribute of the e-mail address.", default: "mail", check: checkAttribute }),
        userEmailSuffix: string({
            doc: "Suffix added to logins to form e-mail addresses when LDAP has none, e.g. `@example.com` (logins themselves stay as they are in LDAP). Empty: LoginLdap's own `@mydomain.com`.",
            default: "",
            check: (v) => (v === "" ? undefined : checkEmailSuffix(v)),
        }),
        requiredMemberOf: string({
            doc: "DN of a group users must belong to; empty for any.",
            default: "",
            check: (v) => (v === "" ? undefined : checkDn(v)),
        }),
        ldapUserFilter: string({
            doc: "Extra LDAP filter for users: one or more parenthesised filters, e.g. `(objectClass=person)`.",
            default: "",
            check: (v) => checkIniText(v) ?? checkLdapFilter(v),
        }),
    },
    { doc: "LDAP login (the LoginLdap plugin, which the image must contain) and the settings of the sync job." },
);

/** `@` and a domain Matomo accepts: the login and the suffix form an address Matomo must accept. */
function checkEmailSuffix(value: string): string | undefined {
    if (!value.startsWith("@")) return "expected @ and a domain, such as @example.com: the login and the suffix form an e-mail address";
    const reason = checkMailDomain(value.slice(1));
    return reason === undefined ? checkIniText(value) : `expected @ and a domain, such as @example.com (${reason})`;
}

/** An LDAP server the plugin binds to. */
export interface LdapServerConfig {
    readonly name: string;
    /** The host, or an `ldap://` / `ldaps://` URI without a port. */
    readonly hostname: string;
    /** The host alone (the NetworkPolicies' destination). */
    readonly host: string;
    /** The port the plugin dials. */
    readonly port: number;
    readonly baseDn: string;
    readonly adminUser: string;
    readonly adminPassword: SecretValue;
    readonly startTls: boolean;
}

/** LDAP login: the LoginLdap plugin's settings. */
export interface LdapConfig {
    readonly servers: readonly LdapServerConfig[];
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

/** The LDAP user sync. */
export interface LdapSyncConfig extends ConsoleJobConfig {
    readonly purgeNonExistentUsers: boolean;
}

/** Image repositories of the official Matomo image, which does not ship the LoginLdap plugin. */
const STOCK_MATOMO_IMAGES = new Set([
    "matomo",
    "library/matomo",
    "docker.io/matomo",
    "docker.io/library/matomo",
    "index.docker.io/library/matomo",
]);

/**
 * LDAP login and its sync when servers are configured (on an image with the plugin: the web tier's
 * `matomoImageRepository`); LDAP settings without servers have no effect and are reported.
 */
export function resolveLdap(
    value: { readonly ldap: ValueOf<typeof ldapKey>; readonly sync: ValueOf<typeof ldapSyncKey> },
    matomoImageRepository: string,
    ctx: ResolveContext,
): { ldap?: LdapConfig; sync?: LdapSyncConfig } {
    const { ldap, sync } = value;
    if (ldap.servers.length === 0) {
        if (rawValue(ctx, "matomocronLdapSync") !== undefined)
            report(ctx, "matomocronLdapSync", "has no effect without LDAP servers; configure matomo:ldap.servers or remove it");
        if (rawValue(ctx, "ldap") !== undefined)
            report(ctx, "ldap.servers", "is empty, so the other ldap settings have no effect; add a server or remove them");
        return {};
    }
    const servers: LdapServerConfig[] = [];
    ldap.servers.forEach((server, i) => {
        // An invalid hostname is reported by its field; the rules below still run on what is there.
        const address = parseLdapAddress(server.hostname) ?? { host: server.hostname };
        const problem = (field: string, message: string) => report(ctx, `ldap.servers[${i}].${field}`, message);
        if (address.port !== undefined && server.port !== undefined && address.port !== server.port) {
            problem("port", `is ${server.port}, but hostname ${server.hostname} names port ${address.port}; set the port in one place`);
        }
        const written = address.port !== undefined ? { number: address.port, field: "hostname" as const } : undefined;
        const port = written ?? (server.port === undefined ? undefined : { number: server.port, field: "port" as const });
        for (const { field, message } of transportIssues({ ...server, scheme: address.scheme, port })) problem(field, message);
        if (server.adminPassword === undefined) {
            problem(
                "adminPassword",
                `is required; set it with \`pulumi config set --secret --path 'ldap.servers[${i}].adminPassword' <password>\``,
            );
        } else {
            servers.push({
                ...server,
                hostname: address.scheme ? `${address.scheme}://${address.host}` : address.host,
                host: address.host,
                port: address.port ?? server.port ?? (address.scheme === "ldaps" ? 636 : 389),
                adminPassword: server.adminPassword,
            });
        }
        if (ldap.servers.findIndex((s) => s.name === server.name) !== i) {
            problem("name", `"${server.name}" is used twice; server names must be unique`);
        }
    });
    if (STOCK_MATOMO_IMAGES.has(matomoImageRepository)) {
        report(
            ctx,
            "ldap",
            `needs the LoginLdap plugin, which the official image ("${matomoImageRepository}") does not contain: build an image FROM matomo ` +
                'with plugins/LoginLdap in it and set matomo.image.repository (and tag) to it (see docs/scheduled-work.md, "LDAP login and user sync")',
        );
    }
    ctx.issues.push(...phpWorkloadIssues(fullKey("matomocronLdapSync"), sync.environment.PHP_MEMORY_LIMIT, sync.resources));
    return {
        ldap: { ...ldap, servers },
        sync: {
            schedule: sync.cronSchedule,
            activeDeadlineSeconds: sync.activeDeadlineSeconds,
            phpMemoryLimit: sync.environment.PHP_MEMORY_LIMIT,
            resources: sync.resources,
            purgeNonExistentUsers: sync.purgeNonExistentUsers,
        },
    };
}
