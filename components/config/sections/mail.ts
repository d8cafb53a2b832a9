/**
 * `matomo:postfix`: the SMTP server Matomo sends its mail through, on when `relay` is set. The key
 * keeps the seed chart's name and fields so that its values files keep working, but there is no
 * Postfix pod any more: Matomo logs in at the server itself (docs/security.md says why).
 */
import { integer, oneOf, rejected, string, type ValueOf } from "../schema/fields";
import { secret } from "../schema/secretField";
import { object } from "../schema/structures";
import type { SecretValue } from "../schema/secretValue";
import { formatCidr, parseIp } from "../schema/cidr";
import { checkEmail, checkHostname, checkIniText, checkMailDomain, checkOptionalDnsSubdomain } from "../schema/validators";
import { report, writtenFields, type ResolveContext } from "./context";

const NO_RELAY_POD = "Matomo sends its mail to postfix.relay itself, without a relay pod";

/**
 * The SMTP server as Matomo's mailer, PHPMailer, takes it (PHPMailer::isValidHost): a host name, an
 * IPv4 address, or an IPv6 address in hex groups (written bare or in brackets; kept bare, and
 * bracketed where config.ini.php names it), without a port (postfix.port) or zone.
 */
function checkRelay(value: string): string | undefined {
    const bare = value.replace(/^\[(.*)\]$/, "$1");
    const ip = bare.includes(":") ? parseIp(bare) : undefined;
    if (ip?.family === 6) {
        if (/^[0-9A-Fa-f:]+$/.test(bare)) return undefined;
        const hex = formatCidr({ ...ip, prefix: 128 }).replace(/\/128$/, "");
        return `Matomo's mailer takes an IPv6 address in hex groups only; write ${hex}, or the IPv4 address itself`;
    }
    if (bare !== value) return "expected an IPv6 address in the brackets";
    if (value.includes(":") && !/^[a-z]+:\/\//i.test(value)) {
        return "expected a host name, an IPv4 address or an IPv6 address, without a port (postfix.port sets it) or an IPv6 zone";
    }
    return checkHostname(value);
}

export const mailKey = object(
    {
        image: rejected({ doc: "Image of the seed's Postfix relay.", reason: NO_RELAY_POD }),
        relay: string({
            doc: "SMTP server Matomo sends its mail to: a host name, an IPv4 address or an IPv6 address (`2001:db8::25`). Setting it turns Matomo's mail on.",
            optional: true,
            check: checkRelay,
            normalize: (v) => v.replace(/^\[(.*)\]$/, "$1"),
        }),
        port: integer({
            doc: "Port of that server: 587 (submission, STARTTLS), 465 (implicit TLS) or 25.",
            default: 587,
            min: 1,
            max: 65535,
        }),
        user: string({ doc: "Login at the SMTP server (used with a password).", default: "postfix", check: checkIniText }),
        password: secret({
            doc: "Password of `user` at the SMTP server (set with `--secret`). Unset (and no `existingSecret`): Matomo sends without logging in.",
            defaultDoc: "unset",
            alternative: "or name a Secret holding it in postfix.existingSecret",
            // Written into config.ini.php as a double-quoted INI string when a pod starts.
            check: (v) => (v === "" ? "must not be empty" : checkIniText(v)),
        }),
        existingSecret: string({
            doc: "Instead of password: a Secret in the namespace with the key `password` (read when a pod starts).",
            optional: true,
            check: checkOptionalDnsSubdomain,
        }),
        authType: oneOf(["LOGIN", "PLAIN", "CRAM-MD5"], {
            doc: "SMTP authentication method (Matomo's `[mail] type`); the server must offer it. LOGIN is the one most servers offer (Microsoft 365 offers no PLAIN).",
            default: "LOGIN",
        }),
        tlsSecurityLevel: oneOf(["encrypt", "may", "none"], {
            doc: "TLS towards the SMTP server: `encrypt` requires it (STARTTLS, or implicit TLS on port 465), `may` uses STARTTLS when the server offers it (and logs in without TLS when not), `none` never.",
            default: "encrypt",
        }),
        senderAddress: string({
            doc: "Sender of Matomo's mail. Unset: `noreply@<hostname>`.",
            optional: true,
            defaultDoc: "`noreply@<hostname>`",
            check: (v) => checkEmail(v) ?? checkIniText(v),
        }),
        senderName: string({ doc: "Sender name of Matomo's mail.", default: "Matomo", check: checkIniText }),
        environment: object(
            { TZ: rejected({ doc: "Time zone of the seed's relay.", reason: "every container uses matomo:timezone" }) },
            { doc: "Environment of the seed's relay." },
        ),
        resources: rejected({ doc: "Resources of the seed's Postfix relay.", reason: NO_RELAY_POD }),
    },
    { doc: "The SMTP server Matomo sends its mail (reports, password resets) through." },
);

/** The password at the SMTP server: set in the stack (secret), or a Secret managed elsewhere. */
export type SmtpPassword = { readonly value: SecretValue } | { readonly existingSecret: string };

/** Matomo's outgoing mail (`[mail]` and the sender in `[General]`). */
export interface MailConfig {
    /** SMTP server and port. */
    readonly host: string;
    readonly port: number;
    /** The login there; undefined to send without one. */
    readonly login?: {
        readonly user: string;
        readonly password: SmtpPassword;
        readonly authType: "LOGIN" | "PLAIN" | "CRAM-MD5";
    };
    readonly tlsSecurityLevel: "encrypt" | "may" | "none";
    /** Sender of Matomo's mail: `noreply@<hostname>` unless configured. */
    readonly senderAddress: string;
    readonly senderName: string;
}

/** Matomo's mail when `relay` is set; settings that would have no effect are reported. */
export function resolveMail(value: ValueOf<typeof mailKey>, hostname: string, ctx: ResolveContext): MailConfig | undefined {
    const { relay, password, existingSecret } = value;
    const written = writtenFields(ctx, "postfix");
    if (relay === undefined) {
        if (written.length > 0) {
            report(
                ctx,
                "postfix.relay",
                "is not set, so Matomo sends no mail and the other postfix settings have no effect; set the SMTP server",
            );
        }
        return undefined;
    }
    if (password !== undefined && existingSecret !== undefined)
        report(ctx, "postfix.existingSecret", "is set together with password; use one or the other");
    const secretPassword: SmtpPassword | undefined =
        password !== undefined ? { value: password } : existingSecret !== undefined ? { existingSecret } : undefined;
    if (!secretPassword) {
        for (const field of ["user", "authType"].filter((f) => written.includes(f))) {
            report(
                ctx,
                `postfix.${field}`,
                "has no effect without a password: Matomo sends without logging in; set postfix.password (or postfix.existingSecret), or remove it",
            );
        }
    }
    if (secretPassword && value.tlsSecurityLevel === "none") {
        report(
            ctx,
            "postfix.tlsSecurityLevel",
            `is "none" with a password: Matomo would send the login to ${relay} in clear text; use "encrypt" (or "may" if the server may lack TLS)`,
        );
    }
    if (value.port === 465 && value.tlsSecurityLevel !== "encrypt") {
        report(
            ctx,
            "postfix.tlsSecurityLevel",
            `is "${value.tlsSecurityLevel}" with port 465, which speaks TLS from the first byte; use "encrypt", or the server's port 587 or 25`,
        );
    }
    const senderDomain = value.senderAddress === undefined ? checkMailDomain(hostname) : undefined;
    if (senderDomain !== undefined) {
        report(
            ctx,
            "postfix.senderAddress",
            `is unset, and its default noreply@${hostname} (from matomo.hostname) is not an address Matomo accepts (${senderDomain}); set it`,
        );
    }
    return {
        host: relay,
        port: value.port,
        login: secretPassword && { user: value.user, password: secretPassword, authType: value.authType },
        tlsSecurityLevel: value.tlsSecurityLevel,
        senderAddress: value.senderAddress ?? `noreply@${hostname}`,
        senderName: value.senderName,
    };
}
