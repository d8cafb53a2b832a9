/** The credential field: a value that must be set with `pulumi config set --secret`. */
import { report, type CommonOptions, type Field } from "./fields";
import { SecretValue } from "./secretValue";

export interface SecretOptions extends CommonOptions {
    readonly check?: (value: string) => string | undefined;
}

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
        parse(raw, ctx) {
            if (options.emptyIsUnset && raw === "") return undefined;
            if (typeof raw === "number") raw = String(raw);
            if (typeof raw !== "string" || raw.length === 0) {
                return report(ctx, "expected a non-empty string");
            }
            if (!ctx.secretKey) {
                return report(
                    ctx,
                    "is stored in plain text in the stack file; set it with " +
                        `\`pulumi config set --secret --path ${ctx.setPath} <value>\``,
                );
            }
            const reason = options.check?.(raw);
            if (reason !== undefined) return report(ctx, `the secret value is not usable: ${reason}`);
            return new SecretValue(raw);
        },
    };
}
