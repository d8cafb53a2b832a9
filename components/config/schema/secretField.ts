/** The credential field: a value that must be set with `pulumi config set --secret`. */
import { report, type CommonOptions, type Field } from "./fields";
import { SecretValue } from "./secretValue";

export interface SecretOptions extends CommonOptions {
    readonly check?: (value: string) => string | undefined;
    /**
     * The way out besides setting it properly, as advice ends it: for example "or remove the key
     * to have one generated". Unset for a credential that has to be set.
     */
    readonly alternative?: string;
}

/** The seed chart's placeholder for values it could not provide. */
/** The seed chart's placeholder for values a user had to fill in. */
export const PLACEHOLDER = "REPLACEME";

/** A credential every check accepts, assumed for an invalid one in the lenient pass. */
const ASSUMED = "000000000000";

/**
 * A credential the user may supply instead of letting the program generate one. It must be set
 * with `--secret`: a plain-text password in `Pulumi.<stack>.yaml` ends up in git.
 */
export function secret(options: SecretOptions): Field<SecretValue | undefined> {
    return {
        type: "string (secret)",
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
            const setIt = `\`pulumi config set --secret --path ${ctx.setPath} <value>\``;
            const orElse = options.alternative ? `, ${options.alternative}` : "";
            if (raw === PLACEHOLDER) {
                return report(
                    ctx,
                    `is the seed chart's placeholder "${PLACEHOLDER}", not a value: set the real one with ${setIt}${orElse}`,
                );
            }
            if (!ctx.secretKey) {
                return report(
                    ctx,
                    `is stored in plain text in the stack file, readable by anyone who can read the file: set it with ${setIt} ` +
                        `(which stores it encrypted in its place)${orElse}`,
                );
            }
            const reason = options.check?.(raw);
            if (reason !== undefined) return report(ctx, `the secret value is not usable: ${reason}`);
            return new SecretValue(raw);
        },
    };
}
