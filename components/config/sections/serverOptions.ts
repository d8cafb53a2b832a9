/**
 * MariaDB server options as the seed chart wrote them (`--name=value` strings, `mariadb.commands`):
 * checked against the server's own list of options (readServerOption.ts), merged over the
 * defaults, with the InnoDB buffer pool sized from the memory limit when it is not set. The
 * database component renders the result as a `[mysqld]` file.
 */
import { parseMariadbSize, parseQuantity } from "../../k8s/units";
import { readServerOption } from "./readServerOption";

/** One server option: `name` in canonical form (underscores), `value` undefined for a bare flag. */
export interface ServerOption {
    readonly name: string;
    readonly value?: string;
}

/** The seed chart's `mariadb.commands`, with the buffer pool left to the memory-based default. */
export const SEED_SERVER_OPTIONS: readonly string[] = [
    "--max_allowed_packet=128M",
    "--wait_timeout=999999",
    "--interactive_timeout=999999",
    "--net_read_timeout=120",
    "--net_write_timeout=180",
    "--connect_timeout=20",
    "--innodb_flush_log_at_trx_commit=2",
    "--max_connections=300",
    "--table_open_cache=800",
    "--table_definition_cache=800",
    "--innodb_log_file_size=1G",
    "--query_cache_size=0",
    "--query_cache_type=0",
];

/**
 * Options this program adds to the seed's: an explicit utf8mb4 character set and collation, so
 * the database the image creates and Matomo's `[database] collation` agree (MariaDB 10.11 would
 * otherwise create it as latin1).
 */
export const ADDED_SERVER_OPTIONS: readonly string[] = ["--character_set_server=utf8mb4", "--collation_server=utf8mb4_general_ci"];

/** Share of the MariaDB memory limit the InnoDB buffer pool gets when not set explicitly. */
export const DEFAULT_BUFFER_POOL_SHARE = 0.7;
/** Largest share of the memory limit an explicit buffer pool may take (the rest is connections, logs, sort buffers). */
export const MAX_BUFFER_POOL_SHARE = 0.75;

/** Canonical option name: MariaDB treats `-` and `_` in option names alike. */
export function canonicalName(name: string): string {
    return name.toLowerCase().replace(/-/g, "_");
}

/**
 * Reads `--name=value` as the server would, checked against its list of options; returns the
 * reason when the server would not take it or it may not be set here.
 */
export function parseServerOption(text: string): ServerOption | string {
    const read = readServerOption(text);
    return typeof read === "string" ? read : read.option;
}

/**
 * The program's own default options, which are known to be valid: read without loading the
 * server's option table, which a stack without `mariadb.commands` never needs.
 */
function defaultOption(text: string): ServerOption {
    const [name, value] = text.replace(/^--/, "").split("=");
    return value === undefined ? { name: canonicalName(name) } : { name: canonicalName(name), value };
}

/** `defaults` with every option of `overrides` replacing the default of the same name. */
export function mergeServerOptions(defaults: readonly ServerOption[], overrides: readonly ServerOption[]): ServerOption[] {
    const merged = new Map<string, ServerOption>();
    for (const option of [...defaults, ...overrides]) merged.set(option.name, option);
    return [...merged.values()];
}

/** Bytes of `innodb_buffer_pool_size`, if set to a size MariaDB understands. */
export function bufferPoolBytes(options: readonly ServerOption[]): number | undefined {
    const value = options.find((o) => o.name === "innodb_buffer_pool_size")?.value;
    return value === undefined ? undefined : parseMariadbSize(value);
}

/** The option in the seed's `--name=value` form (for docs and messages). */
export function formatServerOption(option: ServerOption): string {
    return option.value === undefined ? `--${option.name}` : `--${option.name}=${option.value}`;
}

/**
 * Seed options this program computes instead: `max_connections` is what the installation can open
 * at once (see `connections.ts`), not a fixed 300.
 */
export const COMPUTED_SERVER_OPTIONS: readonly string[] = ["max_connections"];

/**
 * The default server options followed by the user's (already checked), with the buffer pool sized
 * from the memory limit when the user did not set it: {@link DEFAULT_BUFFER_POOL_SHARE} of it, in
 * MariaDB's 128 MiB chunks. `max_connections` is left to the connection budget unless the user
 * set it.
 */
export function effectiveServerOptions(
    userOptions: readonly string[],
    memoryLimit: string,
): { options: ServerOption[]; explicitBufferPool: boolean } {
    const defaults = [...SEED_SERVER_OPTIONS, ...ADDED_SERVER_OPTIONS].map(defaultOption);
    const user = userOptions.map((t) => parseServerOption(t) as ServerOption);
    const merged = mergeServerOptions(
        defaults.filter((o) => !COMPUTED_SERVER_OPTIONS.includes(o.name)),
        user,
    );
    const explicitBufferPool = merged.some((o) => o.name === "innodb_buffer_pool_size");
    if (!explicitBufferPool) {
        const chunk = 128 * 2 ** 20;
        const bytes = (parseQuantity(memoryLimit) ?? 0) * DEFAULT_BUFFER_POOL_SHARE;
        const mib = (Math.max(chunk, Math.floor(bytes / chunk) * chunk) / 2 ** 20).toFixed(0);
        merged.push({ name: "innodb_buffer_pool_size", value: `${mib}M` });
    }
    return { options: merged, explicitBufferPool };
}
