/** What a section's resolver works with: where its problems go, and the stack's raw configuration. */
import type { Issue } from "../schema/fields";
import type { ConfigSource } from "../schema/parse";

/** The configuration namespace of this project: keys are `matomo:<name>`. */
export const CONFIG_NAMESPACE = "matomo";

export interface ResolveContext {
    /** Every problem found so far; resolvers add theirs. */
    readonly issues: Issue[];
    /** The raw configuration, for how a key was written (set at all, a list or one object, which fields). */
    readonly source: ConfigSource;
}

/** The full key of a config path: `matomo:<path>`. */
export function fullKey(path: string): string {
    return `${CONFIG_NAMESPACE}:${path}`;
}

/** Records a problem with the config path `path` (e.g. `postfix.relay`). */
export function report(ctx: ResolveContext, path: string, message: string): void {
    ctx.issues.push({ key: fullKey(path), message });
}

/** The raw text of a top-level key as the stack sets it; undefined when unset. */
export function rawValue(ctx: ResolveContext, name: string): string | undefined {
    return ctx.source.get(fullKey(name));
}

/**
 * The fields the stack writes at `path` inside the top-level key `name` (e.g. `webServer` of
 * `matomo`): what was set, not what the defaults filled in. Empty when the key, the path or a
 * readable object is not there.
 */
export function writtenFields(ctx: ResolveContext, name: string, ...path: string[]): string[] {
    let value: unknown;
    try {
        value = JSON.parse(rawValue(ctx, name) ?? "{}");
    } catch {
        return [];
    }
    for (const step of path) value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[step] : undefined;
    return typeof value === "object" && value !== null && !Array.isArray(value) ? Object.keys(value) : [];
}
