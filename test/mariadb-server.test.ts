/**
 * The MariaDB server config the program renders, proven on a real mariadbd 10.11: every option
 * shows up in SHOW VARIABLES with the configured value (the seed chart's `mariadb.commands` reached
 * the server as one argument, and only its first option ever took effect); whatever the checks of
 * `mariadb.commands` accept starts the server; and what they refuse as stopping it or doing harm
 * does so on the real server.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { parseConfig, type EeaConfig } from "../components/config";
import { mariadbOptionTable } from "../components/config/sections/mariadbOptionTable";
import { canonicalValue } from "../components/config/sections/serverOptionValues";
import { renderServerConfig, type ServerOption } from "../components/database/serverOptions";
import { eea } from "./support/configCases";
import { sourceOf, stackConfig } from "./support/harness";
import { freePort, TestMariaDb } from "./support/mariadbServer";
import { validCommand } from "./support/serverOptionSamples";
import { requireBinaries } from "./support/system";

function configOf(values: Record<string, string>): EeaConfig {
    const { config, issues } = parseConfig(sourceOf({ values, secretKeys: [] }));
    assert.deepEqual(issues, []);
    return eea(config!);
}

const withCommands = (commands: readonly string[]) =>
    configOf({
        "matomo:matomo": JSON.stringify({ hostname: "a.example.com" }),
        "matomo:mariadb": JSON.stringify({ commands }),
    });

/** Options of the samples that are no variable: they show as time_zone, or nowhere. */
const NOT_VARIABLES = ["default_time_zone", "maximum_max_allowed_packet"];

/** Asserts that each option shows in SHOW VARIABLES with the configured value; returns how many were compared. */
function assertApplied(options: readonly ServerOption[], variables: Map<string, string>): number {
    const table = mariadbOptionTable().options;
    let compared = 0;
    for (const option of options.filter((o) => !NOT_VARIABLES.includes(o.name))) {
        const shown = variables.get(option.name);
        const spec = table[option.name];
        assert.notEqual(shown, undefined, `${option.name} is not a server variable`);
        if (option.value === undefined) continue;
        if (spec.type === "flagset") {
            for (const flag of option.value.toLowerCase().split(","))
                assert.ok(shown!.split(",").includes(flag), `${option.name}: ${flag} not in ${shown}`);
        } else {
            assert.equal(
                canonicalValue(spec, shown),
                canonicalValue(spec, option.value),
                `${option.name}: configured ${option.value}, server has ${shown}`,
            );
        }
        compared++;
    }
    return compared;
}

/** Options of every type as users write them, all of which show in SHOW VARIABLES. */
const HAND_WRITTEN = [
    "--max-allowed-packet=256MB",
    "--innodb_log_file_size=512M",
    "--innodb_buffer_pool_size=256M",
    "--skip-name-resolve",
    "--slow_query_log=ON",
    "--long_query_time=2.5",
    "--log_slow_query_file=slow.log",
    "--sql_mode=STRICT_TRANS_TABLES,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO",
    "--optimizer_switch=index_merge_intersection=off,mrr=on",
    "--skip-innodb-adaptive-flushing",
    "--loose-innodb_io_capacity=400",
    "--performance_schema=ON",
    "--lc_messages=de_DE",
    "--collation_server=utf8mb4_unicode_ci",
    "--key_buffer_size=16M",
    "--log_warnings=3",
    "--binlog_format=row",
    "--max_connections=500",
    "--query_cache_type=DEMAND",
    "--query_cache_size=16M",
    `--init_connect="SET NAMES utf8mb4"`,
    "--default_time_zone=+01:00",
    "--maximum-max_allowed_packet=512M",
];

describe("MariaDB server config on a real mariadbd", function () {
    this.timeout(180_000);

    before(function () {
        requireBinaries(this, "mariadbd", "mariadb-install-db", "mariadb");
    });

    const stacks: [string, () => EeaConfig][] = [
        ["the seed defaults", () => configOf({ "matomo:matomo": JSON.stringify({ hostname: "a.example.com" }) })],
        ["the dev stack", () => configOf(stackConfig("dev").values)],
        ["options of every type, written as users write them", () => withCommands(HAND_WRITTEN)],
    ];

    for (const [name, config] of stacks) {
        it(`applies every option of ${name}`, async () => {
            const options = config().mariadb.serverOptions;
            assert.ok(options.length >= 16);
            const server = await TestMariaDb.start(renderServerConfig(options));
            try {
                assert.ok(assertApplied(options, server.variables()) >= 14);
            } finally {
                await server.stop();
            }
        });
    }

    it("starts with any sample of the options the checks accept, with any valid values", async () => {
        // Character sets are left out: a lone one would need its collation (a refused combination).
        const samples = fc.sample(validCommand(true, ["character_set_server", "collation_server"]), { seed: 2111, numRuns: 400 });
        const accepted = samples.filter((s, i) => samples.findIndex((t) => t.option === s.option) === i).map((s) => s.text);
        assert.ok(accepted.length >= 150, `only ${accepted.length} options drawn`);
        const groups = [0, 1, 2].map((g) => accepted.filter((_, i) => i % 3 === g));
        for (const commands of groups) {
            const { config, issues } = parseConfig(
                sourceOf({
                    values: {
                        "matomo:matomo": JSON.stringify({ hostname: "a.example.com" }),
                        "matomo:mariadb": JSON.stringify({ commands }),
                    },
                    secretKeys: [],
                }),
            );
            const refused = new Set(issues.map((i) => Number(/\[(\d+)\]$/.exec(i.key)?.[1])));
            // A few values are refused (autocommit=OFF, for one): the rest must start the server.
            assert.ok(refused.size < commands.length / 10, JSON.stringify(issues));
            const kept = refused.size > 0 ? withCommands(commands.filter((_, i) => !refused.has(i))) : eea(config!);
            const server = await TestMariaDb.start(renderServerConfig(kept.mariadb.serverOptions));
            await server.stop();
        }
    });

    /** Server settings the checks refuse because the server does not start with them. */
    const NOT_STARTING: [string, string[]][] = [
        ["a misspelt option", ["max_conections = 5"]],
        ["a size with a space", ["max_allowed_packet = 256 MB"]],
        ["a collation of another character set", ["character_set_server = latin1", "collation_server = utf8mb4_general_ci"]],
        ["a time zone name without time zone tables", ["default_time_zone = Europe/Paris"]],
        ["table encryption without a key plugin", ["innodb_encrypt_tables = ON"]],
        ["a compression provider that is not loaded", ["innodb_compression_algorithm = lz4"]],
        ["another InnoDB page size than the data directory's", ["innodb_page_size = 32k"]],
        ["another Aria block size than the data directory's", ["aria_block_size = 4096"]],
        ["another system tablespace than the data directory's", ["innodb_data_file_path = ibdata1:20M:autoextend"]],
        ["a buffer pool below 6M", ["innodb_buffer_pool_size = 2M"]],
    ];
    for (const [name, lines] of NOT_STARTING) {
        it(`does not start with ${name}, which the checks refuse`, async () => {
            await assert.rejects(TestMariaDb.start(`[mysqld]\n${lines.join("\n")}\n`), /did not start/);
        });
    }

    it("reads an unknown boolean as OFF and a size above the maximum as the maximum, which the checks refuse", async () => {
        const server = await TestMariaDb.start("[mysqld]\nautocommit = yes\nmax_allowed_packet = 2G\n");
        try {
            const variables = server.variables();
            assert.equal(variables.get("autocommit"), "OFF");
            assert.equal(variables.get("max_allowed_packet"), String(2 ** 30));
        } finally {
            await server.stop();
        }
    });

    it("switches another plugin than the one a switch names when the name begins another option's, which the checks refuse", async () => {
        const server = await TestMariaDb.start("[mysqld]\ninnodb_sys_tables = OFF\n");
        try {
            const status = new Map(
                server
                    .query("SELECT PLUGIN_NAME, PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME LIKE 'INNODB_SYS_TABLE%'")
                    .map(([name, state]) => [name, state]),
            );
            assert.equal(status.get("INNODB_SYS_TABLES"), "ACTIVE");
            assert.equal(status.get("INNODB_SYS_TABLESTATS"), "DISABLED");
        } finally {
            await server.stop();
        }
    });

    describe("settings that lose Matomo's writes", () => {
        before(function () {
            requireBinaries(this, "php");
        });

        /** Rows left after PHP's PDO, as Matomo uses it, wrote 1 in a transaction, then 2 and 3 without one. */
        async function rowsKept(serverConfig: string): Promise<string> {
            const port = await freePort();
            const server = await TestMariaDb.start(serverConfig, { port });
            try {
                server.createDatabase("m", "matomo", "a-password-of-its-own");
                server.query("CREATE TABLE m.t (i INT PRIMARY KEY) ENGINE=InnoDB");
                const php =
                    `$p = new PDO("mysql:host=127.0.0.1;port=${port};dbname=m", "matomo", "a-password-of-its-own");` +
                    '$p->beginTransaction(); $p->exec("INSERT INTO t VALUES (1)"); $p->commit();' +
                    '$p->exec("INSERT INTO t VALUES (2)"); $p->exec("INSERT INTO t VALUES (3)");';
                const run = spawnSync("php", ["-r", php], { encoding: "utf8" });
                assert.equal(run.status, 0, run.stderr + run.stdout);
                return server.query("SELECT GROUP_CONCAT(i ORDER BY i) FROM m.t")[0]?.[0] ?? "";
            } finally {
                await server.stop();
            }
        }

        it("keeps every write by default", async () => {
            assert.equal(await rowsKept("[mysqld]\n"), "1,2,3");
        });

        it("loses writes outside transactions with autocommit off, which the checks refuse", async () => {
            assert.equal(await rowsKept("[mysqld]\nautocommit = 0\n"), "1");
        });

        it("loses writes after a commit with completion_type CHAIN, which the checks refuse", async () => {
            assert.equal(await rowsKept("[mysqld]\ncompletion_type = CHAIN\n"), "1");
        });
    });
});
