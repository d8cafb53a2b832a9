/**
 * What the seed-values converter (`npm run migrate`) works on: the config it builds (section name to
 * value, as `matomo:<section>` holds it), the secrets it takes out of it, the sections it turns off,
 * and a note for every change. Paths address values inside the config the way `pulumi config set
 * --path` does: `matomocronArchive[0].resources.limits.memory`.
 */
import { CONFIG_NAMESPACE } from "../../components/config";
import { describeValue } from "../../components/config/schema/text";

export type Path = readonly (string | number)[];

/** One change the converter made, with the reason; `detail` is the program's own message behind it. */
export interface Note {
    readonly path: Path;
    /** What happened, e.g. `dropped "REPLACEME"` or `"180s" -> "180"`. */
    readonly change: string;
    readonly reason: string;
    readonly detail?: string;
}

/** A credential the values file set: it goes into the stack encrypted, with `pulumi config set --secret`. */
export interface SecretSetting {
    readonly path: Path;
    readonly value: string;
}

/** Something taken out because it cannot work as the values file has it; commented out in the stack file. */
export interface Disabled {
    readonly path: Path;
    /** The value taken out (secrets are never in it: they are in `secrets`). */
    readonly value: unknown;
    readonly reason: string;
    readonly detail?: string;
    /** The secrets of the values file under `path`, to set when it is turned back on. */
    readonly secrets: readonly SecretSetting[];
}

export interface MigrationState {
    /** Section name (`matomo`, `mariadb`, `timezone`, ...) to its value. */
    readonly config: Record<string, unknown>;
    readonly notes: Note[];
    secrets: SecretSetting[];
    readonly disabled: Disabled[];
}

export function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `--path` form of a path: `a.b[0].c`. */
export function pathText(path: Path): string {
    return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** The path of an issue's key (`matomo:a.b[0].c`). */
export function parsePath(key: string): Path {
    const text = key.startsWith(`${CONFIG_NAMESPACE}:`) ? key.slice(CONFIG_NAMESPACE.length + 1) : key;
    return [...text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
}

/** Whether `path` is `prefix` or inside it. */
export function isUnder(path: Path, prefix: Path): boolean {
    return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}

/** A value as a note shows it: strings quoted, structures as (shortened) JSON. */
export function show(value: unknown): string {
    return describeValue(value);
}

export function getAt(root: unknown, path: Path): unknown {
    let node = root;
    for (const p of path) {
        if (typeof p === "number" ? !Array.isArray(node) : !isObject(node)) return undefined;
        node = (node as Record<string | number, unknown>)[p];
    }
    return node;
}

/** Sets a value, creating the objects on the way. */
export function setAt(root: Record<string, unknown>, path: Path, value: unknown): void {
    let node: Record<string | number, unknown> = root;
    for (const [i, p] of path.entries()) {
        if (i === path.length - 1) node[p] = value;
        else {
            if (typeof node[p] !== "object" || node[p] === null) node[p] = typeof path[i + 1] === "number" ? [] : {};
            node = node[p] as Record<string | number, unknown>;
        }
    }
}

/**
 * Removes a value and returns it. Objects it leaves empty are removed too, up to the section: an
 * empty section means nothing, and some (`postfix: {}`) would be reported as settings without
 * effect. An emptied list entry stays (an archiver `{}` is an archiver with the defaults).
 */
export function deleteAt(root: Record<string, unknown>, path: Path): unknown {
    const parent = getAt(root, path.slice(0, -1));
    const last = path[path.length - 1];
    let removed: unknown;
    if (Array.isArray(parent) && typeof last === "number") [removed] = parent.splice(last, 1);
    else if (isObject(parent) && typeof last === "string") {
        removed = parent[last];
        delete parent[last];
        if (Object.keys(parent).length === 0 && path.length > 1 && typeof path[path.length - 2] === "string") {
            deleteAt(root, path.slice(0, -1));
        }
    }
    return removed;
}

/**
 * Takes out what is at `path`, with the secrets under it, as turned off; false if nothing is there.
 * A section (one-part path) is commented out in the stack file.
 */
export function disable(state: MigrationState, path: Path, reason: string, detail?: string): boolean {
    const secrets = state.secrets.filter((s) => isUnder(s.path, path));
    const value = deleteAt(state.config, path);
    if (value === undefined && secrets.length === 0) return false;
    state.secrets = state.secrets.filter((s) => !secrets.includes(s));
    state.disabled.push({ path, value, reason, detail, secrets });
    return true;
}

/** A deep copy of plain data (what YAML parsing gives). */
export function copy<T>(value: T): T {
    return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
