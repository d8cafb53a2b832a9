/** `matomo:postfix`: the mail relay Matomo sends its mail through, on when `relay` is set. */
import type { ContainerResources } from "../../k8s/resources";
import { integer, oneOf, rejected, string, type ValueOf } from "../schema/fields";
import { secret } from "../schema/secretField";
import { object } from "../schema/structures";
import { checkRequestsWithinLimits } from "../schema/limits";
import { image, resources, type Image } from "../schema/parts";
import type { SecretValue } from "../schema/secretValue";
import { checkEmail, checkHostname, checkIniText, checkOptionalDnsSubdomain } from "../schema/validators";
import { fullKey, rawValue, report, type ResolveContext } from "./context";

export const mailKey = object(
    {
        image: image("the Postfix relay", "eeacms/postfix", "3.5-1.2"),
        relay: string({
            doc: "SMTP server the relay forwards mail to. Setting it enables the relay and Matomo's mail.",
            optional: true,
            check: checkHostname,
        }),
        port: integer({ doc: "Port of that server (587 is SMTP submission).", default: 587, min: 1, max: 65535 }),
        user: string({ doc: "Login at the SMTP server (used with a password).", default: "postfix", check: checkIniText }),
        password: secret({
            doc: "Password of `user` at the SMTP server (set with `--secret`). Required with a relay (or `existingSecret`): the image relays only with a login.",
            defaultDoc: "unset",
            alternative: "or name a Secret holding it in postfix.existingSecret, or remove matomo:postfix to go without a mail relay",
            // Postfix's relay_passwd holds it on one line; its length is the SMTP provider's business.
            check: (v) => (/[\r\n\0]/.test(v) || v === "" ? "must be one non-empty line" : undefined),
        }),
        existingSecret: string({
            doc: "Instead of password: a Secret in the namespace with the key `password`.",
            optional: true,
            check: checkOptionalDnsSubdomain,
        }),
        tlsSecurityLevel: oneOf(["encrypt", "may", "none"], {
            doc: "TLS towards the SMTP server (`SMTP_TLS_SECURITY_LEVEL`). `encrypt` by default: the image would otherwise send credentials over plain text when the server offers no TLS.",
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
            { TZ: rejected({ doc: "Time zone of the relay.", reason: "every container uses matomo:timezone" }) },
            { doc: "Environment of the relay." },
        ),
        resources: resources("Postfix", { requestMemory: "256Mi", requestCpu: "50m", limitMemory: "256Mi" }),
    },
    { doc: "The Postfix mail relay Matomo sends its mail (reports, password resets) through." },
);

/** The relay's password at the SMTP server: set in the stack (secret), or a Secret managed elsewhere. */
export type RelayPassword = { readonly value: SecretValue } | { readonly existingSecret: string };

/** The mail relay and Matomo's sender. */
export interface MailConfig {
    readonly image: Image;
    /** SMTP server mail is forwarded to, its port, and the login there. */
    readonly relay: string;
    readonly port: number;
    readonly user: string;
    readonly password: RelayPassword;
    readonly tlsSecurityLevel: "encrypt" | "may" | "none";
    /** Sender of Matomo's mail: `noreply@<hostname>` unless configured. */
    readonly senderAddress: string;
    readonly senderName: string;
    readonly resources: ContainerResources;
}

/** The relay when `relay` is set (it needs a login); settings without a relay are reported. */
export function resolveMail(value: ValueOf<typeof mailKey>, hostname: string, ctx: ResolveContext): MailConfig | undefined {
    const { relay, password, existingSecret } = value;
    if (relay === undefined) {
        if (rawValue(ctx, "postfix") !== undefined) {
            report(
                ctx,
                "postfix.relay",
                "is not set, so there is no mail relay and the other postfix settings have no effect; set the SMTP server to relay to",
            );
        }
        return undefined;
    }
    if (password !== undefined && existingSecret !== undefined)
        report(ctx, "postfix.existingSecret", "is set together with password; use one or the other");
    const login: RelayPassword | undefined =
        password !== undefined ? { value: password } : existingSecret !== undefined ? { existingSecret } : undefined;
    if (!login) {
        // eeacms/postfix relays only with a login; without one it delivers directly to the
        // recipients' servers, which reject mail from cluster addresses as spam.
        report(
            ctx,
            "postfix.password",
            `is required with a relay: the relay logs in at ${relay} as postfix.user ("${value.user}"); ` +
                "`pulumi config set --secret --path postfix.password <password>` (or set postfix.existingSecret)",
        );
    }
    if (value.port === 465) {
        // The image's relayhost speaks SMTP and then STARTTLS; port 465 expects TLS from the first
        // byte (smtp_tls_wrappermode, which the image never sets), so every delivery would hang.
        report(
            ctx,
            "postfix.port",
            "got 465, SMTP over implicit TLS, which the relay image does not speak (it starts in plain SMTP and upgrades with " +
                "STARTTLS); use the server's submission port 587 (or 25)",
        );
    }
    ctx.issues.push(...checkRequestsWithinLimits(fullKey("postfix"), value.resources));
    if (!login) return undefined;
    return {
        image: value.image,
        relay,
        port: value.port,
        user: value.user,
        password: login,
        tlsSecurityLevel: value.tlsSecurityLevel,
        senderAddress: value.senderAddress ?? `noreply@${hostname}`,
        senderName: value.senderName,
        resources: value.resources,
    };
}
