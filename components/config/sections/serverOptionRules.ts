/**
 * Server options `matomo:mariadb.commands` may not set, each with its reason: those that would
 * switch authentication off or widen it, move the data, the socket or the listening address away
 * from what the image, the probes and the Service expect, stop the server from starting (or make
 * it exit), turn Matomo's writes away or lose them, or need something this program does not give
 * the pod (key files, certificates, plugins, a cluster, capabilities). The rest tunes the server
 * and is checked only for its syntax (serverOptionValues.ts). docs/topologies.md, "EEA: MariaDB
 * server options", lists these rules for users.
 */
import { mariadbOptionTable, type OptionSpec } from "./mariadbOptionTable";

/** The StatefulSet owns them: the volume at /var/lib/mysql, the socket in /run/mysqld, port 3306 on every address. */
const CONTAINER = "is managed by the program (the StatefulSet owns the data volume, the socket and the network address)";
const READ_ONLY_ROOT =
    "points into the container's filesystem, which is read-only: the server fails to write there (only the data volume, " +
    "/var/lib/mysql, and a scratch /tmp are writable)";
const NO_WRITES = "would make the database refuse Matomo's writes; to stop them for a while, use matomo:maintenance";

const REASONS: Readonly<Record<string, string>> = {
    ...Object.fromEntries(
        ["datadir", "socket", "port", "bind_address", "skip_networking", "user", "pid_file", "basedir", "log_basename"].map((n) => [
            n,
            CONTAINER,
        ]),
    ),
    ...Object.fromEntries(
        ["plugin_dir", "character_sets_dir", "lc_messages_dir", "language", "tmpdir", "innodb_tmpdir", "slave_load_tmpdir"].map((n) => [
            n,
            `${READ_ONLY_ROOT}; the image's own setting is the one that works`,
        ]),
    ),
    ...Object.fromEntries(
        [
            "innodb_data_home_dir",
            "innodb_log_group_home_dir",
            "innodb_undo_directory",
            "aria_log_dir_path",
            "innodb_data_file_path",
            "innodb_page_size",
            "aria_block_size",
        ].map((n) => [n, "is fixed when the image creates the data directory; set afterwards, InnoDB or Aria cannot open the data"]),
    ),
    skip_grant_tables: "switches authentication off: every client that reaches the server would get full access to every database",
    old_passwords: "hashes new passwords with MariaDB's pre-4.1 method, which is weak and which PHP's MySQL driver refuses to log in with",
    secure_auth: "is on by default; turned off, accounts with pre-4.1 password hashes could log in",
    allow_suspicious_udfs: "lets CREATE FUNCTION load any function of any library (exit() from libc, for one)",
    plugin_load: "loads server plugins, which can change authentication (or refuse the generated passwords); this program loads none",
    plugin_load_add: "loads server plugins, which can change authentication (or refuse the generated passwords); this program loads none",
    plugin_maturity: "only matters for plugins, which this program does not load",
    init_file:
        "runs a file of SQL with all privileges at every start; the image has no such file, and the server does not start without it",
    des_key_file: "reads encryption keys from a file the image does not have",
    secure_file_priv:
        "governs LOAD DATA INFILE and SELECT ... INTO OUTFILE on the server's own files, which Matomo does not use (it sends data with LOAD DATA LOCAL INFILE)",
    proxy_protocol_networks:
        "lets clients in those networks claim any address, which undoes root's restriction to the pod (MARIADB_ROOT_HOST=localhost)",
    require_secure_transport: "refuses connections without TLS, and this program gives the server no certificate: Matomo could not connect",
    log_error: "sends the server's log to a file; it goes to the container's output (kubectl logs), where Kubernetes keeps it",
    extra_port: "opens a second port, which the Service and the network policies do not expose",
    extra_max_connections: "only matters with --extra_port, which the Service and the network policies do not expose",
    chroot: "needs root, which the pod does not have; the server would not start",
    memlock: "needs the IPC_LOCK capability, which the pod does not have: the server runs without it, with a warning",
    large_pages: "needs huge pages, which the pod does not request: the server runs without them, with a warning",
    ignore_builtin_innodb: "disables InnoDB, which holds Matomo's tables",
    innodb: "is the switch of InnoDB, which holds Matomo's tables; it stays on",
    feedback: "sends statistics about the server to mariadb.org, which the network policies do not allow (and which leaves the cluster)",
    bootstrap: "makes the server read SQL from its input and exit: it is for installation scripts",
    help: "prints the help and exits: the server would never start",
    version: "replaces the version the server reports, which Matomo and the image's upgrade check read",
    debug: "is for debugging MariaDB itself (and this build has no debugger)",
    report_password: "would put a replication password in plain text into a ConfigMap; this program runs no replicas",
    verbose: "only matters with --help",
    tc_heuristic_recover: "recovers transactions by hand after a crash and stops the server; use it from a shell in the pod, once",
    innodb_force_recovery:
        "is for saving data from a damaged data directory by hand (values from 4 on refuse writes), not a standing setting",
    read_only: NO_WRITES,
    innodb_read_only: NO_WRITES,
    transaction_read_only: NO_WRITES,
    ssl: "is for TLS, and this program gives the server no certificate, so TLS cannot be set up",
    ft_stopword_file: `reads a file the image does not have; ${READ_ONLY_ROOT}`,
    safe_mode: "skips optimisations, for testing MariaDB itself",
    gdb: "is for debugging MariaDB itself",
};

/** Families of options, by name prefix. */
const PREFIXES: readonly (readonly [string, string])[] = [
    ["wsrep_", "is for Galera clusters, and this program runs a single server without the Galera provider"],
    ["ssl_", "names certificate files or TLS settings, and this program gives the server no certificate: TLS cannot be set up"],
    ["feedback_", "configures the FEEDBACK plugin, which sends statistics to mariadb.org; the network policies do not allow it"],
    ["debug_", "is for debugging MariaDB itself"],
    ["rpl_semi_sync_", "is for replication, and this program runs a single server without replicas"],
];

/** Encryption needs a key management plugin with its key files, which this program does not load. */
const ENCRYPTION = /^(?:encrypt_|aria_encrypt_|innodb_encrypt|innodb_default_encryption_key_id$)/;

/** Log and state files, which must go to the data volume (a bare name goes there). */
const DATA_FILES = [
    "general_log_file",
    "log_slow_query_file",
    "log_bin",
    "log_bin_index",
    "relay_log",
    "relay_log_index",
    "relay_log_info_file",
    "master_info_file",
    "log_tc",
    "log_ddl_recovery",
    "log_isam",
    "innodb_buffer_pool_filename",
    "innodb_temp_data_file_path",
];

/**
 * Text options whose every value the server reads without harm (or whose values are checked
 * elsewhere: engines, time zones): the rest of the text options are refused or must name a file on
 * the data volume, so that a text option added by a later release is reviewed here first.
 */
export const FREE_TEXT = [
    "binlog_do_db",
    "binlog_ignore_db",
    "default_storage_engine",
    "default_time_zone",
    "default_tmp_storage_engine",
    "enforce_storage_engine",
    "ft_boolean_syntax",
    "gtid_pos_auto_engines",
    "ignore_db_dirs",
    "init_connect",
    "init_slave",
    "innodb_ft_aux_table",
    "innodb_ft_server_stopword_table",
    "innodb_ft_user_stopword_table",
    "innodb_monitor_disable",
    "innodb_monitor_enable",
    "innodb_monitor_reset",
    "innodb_monitor_reset_all",
    "performance_schema_instrument",
    "replicate_do_db",
    "replicate_do_table",
    "replicate_ignore_db",
    "replicate_ignore_table",
    "replicate_rewrite_db",
    "replicate_wild_do_table",
    "replicate_wild_ignore_table",
    "report_host",
    "report_user",
    "session_track_system_variables",
    "slave_skip_errors",
    "slave_transaction_retry_errors",
];

/** Every option the rules above decide about by name (for the completeness test). */
export const RULED_OPTIONS = { reasons: Object.keys(REASONS), prefixes: PREFIXES.map(([p]) => p), dataFiles: DATA_FILES };

/** An offset from UTC as MariaDB reads one: a sign, hours and minutes, from -12:59 to +13:00. */
function isUtcOffset(value: string): boolean {
    const match = /^([+-])(\d{1,2}):(\d{2})$/.exec(value);
    if (!match || Number(match[3]) > 59) return false;
    const minutes = Number(match[2]) * 60 + Number(match[3]);
    return match[1] === "+" ? minutes <= 13 * 60 : minutes <= 12 * 60 + 59;
}

function isPowerOfTwo(n: bigint): boolean {
    return n > 0n && (n & (n - 1n)) === 0n;
}

/**
 * Why an otherwise fine option may not have this value (`value` as canonicalValue spells it), or
 * undefined.
 */
export function refusedValueReason(option: string, value: string): string | undefined {
    const reason = valueReason(option, value.toUpperCase(), value);
    return reason && `--${option}=${value} ${reason}`;
}

function valueReason(option: string, v: string, value: string): string | undefined {
    if (option === "autocommit" && v === "OFF") {
        return "turns autocommit off for every connection, and Matomo's writes outside transactions are never committed: they would be lost when the connection closes";
    }
    if (option === "completion_type" && v !== "NO_CHAIN") {
        return "makes a COMMIT start a new transaction (CHAIN) or close the connection (RELEASE), which Matomo's database layer does not expect: keep NO_CHAIN";
    }
    if (option === "default_password_lifetime" && v !== "0") {
        return "makes passwords expire after that many days, and nothing renews the ones this program set: Matomo could no longer log in";
    }
    if (option === "thread_handling" && v === "NO-THREADS") {
        return "serves one connection at a time, for debugging MariaDB itself";
    }
    if (option === "innodb_flush_method" && ["NOSYNC", "LITTLESYNC"].includes(v)) {
        return `${value} never syncs data files, for MariaDB's own tests: a node failure would corrupt the database`;
    }
    if (option === "innodb_buffer_pool_size" && BigInt(value) < 6n * 2n ** 20n) {
        return "is too small for InnoDB's 16 KiB pages, which need at least 6M; the server would not start";
    }
    if (option === "innodb_compression_algorithm" && !["NONE", "ZLIB"].includes(v)) {
        return "needs the compression provider plugin of that algorithm, which this program does not load; the server would not start: use zlib";
    }
    if (option === "innodb_log_write_ahead_size" && !isPowerOfTwo(BigInt(value))) {
        return "is not a power of two, which InnoDB requires; the server would not start";
    }
    if (option === "enforce_storage_engine" && v !== "INNODB") {
        return "makes every CREATE TABLE that names another engine fail, and Matomo's tables are InnoDB: use InnoDB or leave it out";
    }
    if (option === "default_time_zone" && v !== "SYSTEM" && !isUtcOffset(value)) {
        return (
            "is no offset MariaDB takes (from -12:59 to +13:00, with its sign), and a time zone name needs the server's time zone " +
            "tables, which the image's database does not have (MARIADB_INITDB_SKIP_TZINFO): use an offset such as +01:00, or " +
            "SYSTEM (the container's TZ, from matomo:timezone); the server would not start"
        );
    }
    return undefined;
}

/**
 * A plugin's switch whose name begins another option's: MariaDB reads the plugins' options one
 * plugin at a time, each allowing abbreviations, so `--innodb_sys_tables=OFF` switches off
 * INNODB_SYS_TABLESTATS and leaves INNODB_SYS_TABLES on (proven in test/mariadb-server.test.ts).
 */
export function pluginSwitchReason(option: string, spec: OptionSpec): string | undefined {
    if (!spec.plugin) return undefined;
    const longer = Object.keys(mariadbOptionTable().options).filter((n) => n !== option && n.startsWith(option));
    if (longer.length === 0) return undefined;
    return (
        `--${option} switches a plugin, but while MariaDB reads the plugins' options it takes the name for an abbreviation ` +
        `of ${longer.map((n) => `--${n}`).join(", ")}, so it would not switch the plugin it names: leave it out`
    );
}

/**
 * Why the option `option` (as the table names it) may not be set at all, or not to a file at
 * `value`, or undefined.
 */
export function refusedOptionReason(option: string, value: string | undefined): string | undefined {
    const byName = REASONS[option] ?? PREFIXES.find(([prefix]) => option.startsWith(prefix))?.[1];
    if (byName) return `--${option} ${byName}`;
    if (ENCRYPTION.test(option)) {
        return `--${option} needs an encryption key management plugin with its key files, which this program does not load; the server would not start or would not encrypt`;
    }
    if (DATA_FILES.includes(option) && value !== undefined && value !== "" && !/^(?:[^/]+|\/var\/lib\/mysql\/[^/]+)$/.test(value)) {
        return `--${option}=${value} ${READ_ONLY_ROOT}; give a file name without a directory, which the server puts on the data volume`;
    }
    return undefined;
}
