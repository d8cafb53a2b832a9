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

/** Where a value sits, and where to report problems with it. */
export interface ParseContext {
    /** Full key of the value, e.g. `matomo:matomo.resources.limits.memory`. */
    readonly key: string;
    /** Whether the stack-file key holding this value was set with `pulumi config set --secret`. */
    readonly secretKey: boolean;
    /** The `--path` form of the key for `pulumi config set` hints, e.g. `mariadb.password`. */
    readonly setPath: string;
    readonly issues: Issue[];
    /**
     * The pass that looks for further problems once some values are invalid: each invalid value is
     * assumed corrected (see {@link parseValue}) and unknown keys are skipped, so the rules that
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
    return { ...ctx, key: `${ctx.key}.${name}`, setPath: ctx.setPath ? `${ctx.setPath}.${name}` : name };
}

/** The context of a list entry. */
export function element(ctx: ParseContext, index: number): ParseContext {
    return { ...ctx, key: `${ctx.key}[${index}]`, setPath: `${ctx.setPath}[${index}]` };
}
