/**
 * `matomo:mariadb`: the in-cluster MariaDB of topology `eea`, with the seed chart's server options
 * (`commands`) merged over this program's defaults and a buffer pool that fits the memory limit.
 */
import type { ContainerResources } from "../../k8s/resources";
import { checkByteQuantity, formatBytes, parseQuantity } from "../../k8s/units";
import { element, INVALID, report, string, type Field, type Issue, type ValueOf } from "../schema/fields";
import { secret } from "../schema/secretField";
import { list, object } from "../schema/structures";
import { backupKey, resolveBackup, type BackupConfig } from "./backup";
import { existingClaimFields, existingClaimOf, type ExistingClaim } from "./existingClaims";
import { checkRequestsWithinLimits } from "../schema/limits";
import { image, resources, type Image } from "../schema/parts";
import { MARIADB_IMAGE } from "./mariadbImage";
import type { SecretValue } from "../schema/secretValue";
import { checkDatabaseName, checkDatabaseUser, checkIniSafeSecret, checkOptionalDnsSubdomain } from "../schema/validators";
import {
    bufferPoolBytes,
    DEFAULT_BUFFER_POOL_SHARE,
    effectiveServerOptions,
    MAX_BUFFER_POOL_SHARE,
    parseServerOption,
    SEED_SERVER_OPTIONS,
    type ServerOption,
} from "./serverOptions";
import { serverOptionConflicts } from "./serverOptionConflicts";

/**
 * The list of server options, with the problems that show only between its entries (one option
 * set twice, a collation of another character set) reported at the entry concerned.
 */
function serverOptionList(field: Field<readonly string[]>): Field<readonly string[]> {
    return {
        ...field,
        parse(raw, ctx) {
            const commands = field.parse(raw, ctx);
            // The lenient pass drops invalid entries, so positions no longer match the stack file.
            if (commands === INVALID || ctx.lenient) return commands;
            const conflicts = serverOptionConflicts(commands);
            for (const conflict of conflicts) report(element(ctx, conflict.index), conflict.message);
            return conflicts.length > 0 ? INVALID : commands;
        },
    };
}

/**
 * A user name the image's entrypoint creates as an ordinary account. `root` is the administrator,
 * kept to the pod (MARIADB_ROOT_HOST=localhost): as MARIADB_USER the MariaDB 10.11 entrypoint adds
 * a second root@'%' with Matomo's password and the database's privileges beside it, reachable
 * from the network (the MySQL image refuses MYSQL_USER=root outright).
 */
function checkMariadbUser(value: string): string | undefined {
    if (value !== "root") return checkDatabaseUser(value);
    return (
        "root is MariaDB's administrator, which this program keeps inside the pod (its password is matomo:mariadb.rootPassword); " +
        "as the image's MARIADB_USER it would become a second root account reachable from the network with Matomo's password " +
        '(the MySQL image refuses it: "MYSQL_USER and MYSQL_PASSWORD are for configuring a regular user and cannot be used for ' +
        'the root user"): use an account of its own, such as the default eea_matomo'
    );
}

export const mariadbKey = object(
    {
        image: image("MariaDB", MARIADB_IMAGE.repository, MARIADB_IMAGE.tag),
        user: string({
            doc: "Database user Matomo connects as (not `root`, the administrator, which stays inside the pod).",
            default: "eea_matomo",
            check: checkMariadbUser,
        }),
        database: string({ doc: "Database Matomo uses.", default: "eea_matomo_db", check: checkDatabaseName }),
        password: secret({
            doc: "Password of the database user. Generated when unset.",
            alternative: "or remove the key to have one generated",
            check: checkIniSafeSecret,
        }),
        rootPassword: secret({
            doc: "Password of MariaDB's root user (which may only log in from inside the pod). Generated when unset.",
            alternative: "or remove the key to have one generated",
            check: checkIniSafeSecret,
        }),
        environment: object(
            {
                MYSQL_ALLOW_EMPTY_PASSWORD: string({
                    doc: 'Only `"no"` is accepted: the root password is always set. (The seed passed `"no"` to the image, which treats any non-empty value as yes.)',
                    default: "no",
                    check: (v) =>
                        v === "no" || v === "false" ? undefined : 'only "no" is accepted; an empty root password is never allowed',
                }),
            },
            { doc: "Environment of the MariaDB container." },
        ),
        storage: string({ doc: "Size of the MariaDB data volume.", default: "10Gi", check: checkByteQuantity }),
        storageClassName: string({
            doc: "StorageClass of the MariaDB data volume; empty for the cluster default.",
            default: "",
            check: checkOptionalDnsSubdomain,
        }),
        ...existingClaimFields("MariaDB's data directory", {
            claim: "It must hold the data directory of an earlier installation (the seed chart's claim of its StatefulSet, e.g.), which an init container checks before MariaDB starts; `storage` and `storageClassName` then do not apply, and `password` and `rootPassword` must be the ones that data directory has. Steps and risks in docs/backup-restore.md.",
            subPath:
                "The one with `mysql/` in it: the claim's root for the official image, as the seed chart had it; `data` on a Bitnami MariaDB volume.",
        }),
        resources: resources("MariaDB", { requestMemory: "7Gi", requestCpu: "500m", limitMemory: "10Gi" }),
        commands: serverOptionList(
            list(
                string({
                    doc: "A server option `--name=value`.",
                    required: true,
                    check: (v) => {
                        const parsed = parseServerOption(v);
                        return typeof parsed === "string" ? parsed : undefined;
                    },
                }),
                {
                    doc:
                        "MariaDB server options (`--name=value`), written to a config file so that every one takes effect. " +
                        "Options listed here replace the default of the same name; the defaults (the seed's list plus utf8mb4) stay otherwise. " +
                        `Without \`--innodb_buffer_pool_size\` the buffer pool is ${DEFAULT_BUFFER_POOL_SHARE * 100}% of the memory limit. ` +
                        "Each option is checked against MariaDB 10.11's own list (name, and value by type and range); an option set twice, " +
                        'and options that would open, move or stop the server, are refused (docs/topologies.md, "EEA: MariaDB server options").',
                    default: [],
                    defaultDoc: `seed list (${SEED_SERVER_OPTIONS.length + 1} options) + utf8mb4, see docs/seed-parameters.md`,
                    maxItems: 200,
                },
            ),
        ),
        backup: backupKey,
    },
    { doc: "The in-cluster MariaDB (topology `eea`)." },
);

/** The in-cluster MariaDB, every default resolved. */
export interface MariaDbConfig {
    readonly image: Image;
    readonly user: string;
    readonly database: string;
    /** Passwords set in the stack; generated when undefined. */
    readonly password?: SecretValue;
    readonly rootPassword?: SecretValue;
    /** Size and StorageClass (undefined for the cluster default) of the data volume. */
    readonly storage: string;
    readonly storageClassName?: string;
    /** A claim that holds an earlier installation's data directory, instead of one of the stack's own. */
    readonly existingClaim?: ExistingClaim;
    readonly resources: ContainerResources;
    /** Effective server options: defaults merged with `mariadb.commands`, buffer pool sized. */
    readonly serverOptions: readonly ServerOption[];
    /** Whether `commands` set the buffer pool (a default one always fits). */
    readonly explicitBufferPool: boolean;
    /** Scheduled dumps; undefined when turned off. */
    readonly backup?: BackupConfig;
}

export function resolveMariaDb(value: ValueOf<typeof mariadbKey>): MariaDbConfig {
    const server = effectiveServerOptions(value.commands, value.resources.limits.memory);
    return {
        image: value.image,
        user: value.user,
        database: value.database,
        password: value.password,
        rootPassword: value.rootPassword,
        storage: value.storage,
        storageClassName: value.storageClassName || undefined,
        existingClaim: existingClaimOf(value),
        resources: value.resources,
        serverOptions: server.options,
        explicitBufferPool: server.explicitBufferPool,
        backup: resolveBackup(value.backup),
    };
}

/** Kubernetes rejects a request above its limit. */
export function mariadbResourceIssues(mariadb: MariaDbConfig): Issue[] {
    return checkRequestsWithinLimits("matomo:mariadb", mariadb.resources);
}

/**
 * An InnoDB buffer pool as large as the container limit (the seed's 10G in 10Gi) leaves no room
 * for connections, sort buffers and the redo log buffer, and ends in an OOM kill under load.
 */
export function bufferPoolIssues(mariadb: MariaDbConfig): Issue[] {
    const pool = bufferPoolBytes(mariadb.serverOptions);
    const limit = parseQuantity(mariadb.resources.limits.memory) ?? 0;
    if (pool === undefined) {
        return [{ key: "matomo:mariadb.commands", message: "--innodb_buffer_pool_size must be a size such as 512M or 6G" }];
    }
    if (mariadb.explicitBufferPool && pool > limit * MAX_BUFFER_POOL_SHARE) {
        return [
            {
                key: "matomo:mariadb.commands",
                message:
                    `--innodb_buffer_pool_size=${formatBytes(pool)} does not fit matomo:mariadb.resources.limits.memory ` +
                    `(${mariadb.resources.limits.memory}); at most ${MAX_BUFFER_POOL_SHARE * 100}% of the limit ` +
                    `(${formatBytes(Math.floor((limit * MAX_BUFFER_POOL_SHARE) / 2 ** 20) * 2 ** 20)}) is allowed, or leave it out to get a safe default`,
            },
        ];
    }
    return [];
}
