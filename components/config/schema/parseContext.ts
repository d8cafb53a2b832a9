/**
 * Where a value being parsed sits, and how problems with it are reported: each one as an
 * {@link Issue} naming the full config key, so that one run reports every mistake at once.
 */

/** One configuration problem. `key` is the full path, e.g. `matomo:mariadb.storage`. */
export interface Issue {
    readonly key: string;
    readonly message: string;
}

/** Marker returned by a parser that has reported an issue. */
export const INVALID: unique symbol = Symbol("invalid");
export type Parsed<T> = T | typeof INVALID;

/**
 * Which parts of a value the stack file stores encrypted (`secure:`): `true` for an encrypted value
 * and everything inside it, `false` for one in plain text, and for a structured value the same for
 * each of its fields or entries.
 */
export type Encryption = boolean | readonly Encryption[] | { readonly [name: string]: Encryption };

/** Where a value sits, and where to report problems with it. */
export interface ParseContext {
    /** Full key of the value, e.g. `matomo:matomo.resources.limits.memory`. */
    readonly key: string;
    /**
     * Whether the stack-file key holding this value holds an encrypted value (Pulumi then marks the
     * key secret as a whole, whichever of its values is encrypted).
     */
    readonly secretKey: boolean;
    /**
     * Which parts of this value are encrypted; unset where the stack file cannot tell (see
     * `ConfigSource.encryption`), and then every value of a secret key counts as encrypted.
     */
    readonly encryption?: Encryption;
    /** The `--path` form of the key for `pulumi config set` hints, e.g. `mariadb.password`. */
    readonly setPath: string;
    readonly issues: Issue[];
    /**
     * The pass that looks for further problems once some values are invalid: each invalid value is
     * assumed corrected (see parseValue.ts) and unknown keys are skipped, so the rules that
     * span keys can run on the rest.
     */
    readonly lenient?: boolean;
}

export function report(ctx: ParseContext, message: string): typeof INVALID {
    ctx.issues.push({ key: ctx.key, message });
    return INVALID;
}

/** The context of a field inside an object or map. */
export function child(ctx: ParseContext, name: string): ParseContext {
    const setPath = ctx.setPath ? `${ctx.setPath}.${name}` : name;
    return { ...ctx, key: `${ctx.key}.${name}`, setPath, encryption: inside(ctx.encryption, name) };
}

/** The context of a list entry. */
export function element(ctx: ParseContext, index: number): ParseContext {
    return { ...ctx, key: `${ctx.key}[${index}]`, setPath: `${ctx.setPath}[${index}]`, encryption: inside(ctx.encryption, index) };
}

/** Whether the value where `ctx` sits is stored encrypted in the stack file. */
export function isEncrypted(ctx: ParseContext): boolean {
    return ctx.encryption === undefined ? ctx.secretKey : ctx.encryption === true;
}

/** The encryption of a part of a value (a field, a map's key or a list's index); `false` for a part it does not have. */
export function inside(encryption: Encryption | undefined, step: string | number): Encryption | undefined {
    if (encryption === undefined || typeof encryption === "boolean") return encryption;
    if (Array.isArray(encryption)) return typeof step === "number" ? (encryption[step] ?? false) : false;
    const parts = encryption as { readonly [name: string]: Encryption };
    return Object.hasOwn(parts, step) ? parts[step] : false;
}
