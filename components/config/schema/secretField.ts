/** The credential field: a value that must be set with `pulumi config set --secret`. */
import { createHash } from "node:crypto";
import { report, type CommonOptions, type Field } from "./fields";
import { isEncrypted } from "./parseContext";
import { SecretValue } from "./secretValue";

export interface SecretOptions extends CommonOptions {
    readonly check?: (value: string) => string | undefined;
    /**
     * The way out besides setting it properly, as advice ends it: for example "or remove the key
     * to have one generated". Unset for a credential that has to be set.
     */
    readonly alternative?: string;
    /** The field's stand-in (see {@link SecretField.standIn}) when twelve digits do not pass `check`. */
    readonly standIn?: (seed: string) => string;
}

/**
 * A credential field. Its stand-in lets the offline render of a stack with its own credentials
 * encrypted run as `pulumi up` would (and mask the stand-in wherever it lands).
 */
export interface SecretField extends Field<SecretValue | undefined> {
    readonly standIn: (seed: string) => string;
}

const SECRET_TYPE = "string (secret)";

export function isSecretField(field: Field<unknown> | undefined): field is SecretField {
    return field?.type === SECRET_TYPE;
}

/**
 * Twelve digits derived from `seed`: a password (at least 12 characters), a MaxMind account ID (a
 * number) and license key (letters and digits) alike. The stand-in of any encrypted value whose
 * field does not say otherwise.
 */
export function digitsStandIn(seed: string): string {
    const digits = BigInt(`0x${hash(seed)}`) % 10n ** 12n;
    return digits.toString().padStart(12, "0");
}

/** A stand-in of `length` (up to 64) hexadecimal digits derived from the seed, such as an API token. */
export function hexStandIn(length: number): (seed: string) => string {
    return (seed) => hash(seed).slice(0, length);
}

const hash = (seed: string) => createHash("sha256").update(seed).digest("hex");

/** The seed chart's placeholder for values a user had to fill in. */
export const PLACEHOLDER = "REPLACEME";

/** A credential every check accepts, assumed for an invalid one in the lenient pass. */
const ASSUMED = "000000000000";

/**
 * A credential the user may supply instead of letting the program generate one. It must be set
 * with `--secret`: a plain-text password in `Pulumi.<stack>.yaml` ends up in git.
 */
export function secret(options: SecretOptions): SecretField {
    return {
        type: SECRET_TYPE,
        standIn: options.standIn ?? digitsStandIn,
        doc: options.doc,
        defaultDoc: options.defaultDoc ?? "generated",
        missing: () => undefined,
        assumed: () => new SecretValue(ASSUMED),
        parse(raw, ctx) {
            if (options.emptyIsUnset && raw === "") return undefined;
            if (typeof raw === "number") raw = String(raw);
            if (typeof raw !== "string" || raw.length === 0) {
                return report(ctx, "expected a non-empty string");
            }
            // Quoted when the shell would read the path (the brackets of a list index are a glob).
            const path = /^[\w.-]+$/.test(ctx.setPath) ? ctx.setPath : `'${ctx.setPath}'`;
            const setIt = `\`pulumi config set --secret --path ${path} <value>\``;
            const orElse = options.alternative ? `, ${options.alternative}` : "";
            if (raw === PLACEHOLDER) {
                return report(
                    ctx,
                    `is the seed chart's placeholder "${PLACEHOLDER}", not a value: set the real one with ${setIt}${orElse}`,
                );
            }
            if (!isEncrypted(ctx)) {
                // Pulumi marks a key secret as a whole when any of its values is encrypted.
                const beside = ctx.secretKey
                    ? `, beside encrypted values of ${/^[^.[]+/.exec(ctx.key)?.[0]} (which make the key secret, not this value)`
                    : "";
                return report(
                    ctx,
                    `is stored in plain text in the stack file${beside}, readable by anyone who can read the file: set it with ${setIt} ` +
                        `(which stores it encrypted in its place)${orElse}`,
                );
            }
            const reason = options.check?.(raw);
            if (reason !== undefined) return report(ctx, `the secret value is not usable: ${reason}`);
            return new SecretValue(raw);
        },
    };
}
