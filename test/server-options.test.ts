/**
 * `matomo:mariadb.commands` read as MariaDB 10.11 reads its options: names from the server's own
 * table (with its prefixes and aliases), values by type and range, options this program refuses
 * with their reason, and entries that only conflict with each other. test/mariadb-server.test.ts
 * proves on a real mariadbd that what is accepted starts the server and what is refused would not.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { mariadbOptionTable } from "../components/config/sections/mariadbOptionTable";
import { readServerOption } from "../components/config/sections/readServerOption";
import { serverOptionConflicts } from "../components/config/sections/serverOptionConflicts";
import { FREE_TEXT, RULED_OPTIONS } from "../components/config/sections/serverOptionRules";
import { parseServerOption } from "../components/config/sections/serverOptions";
import { assertRejected, eea, valid } from "./support/configCases";
import { validCommand, validValue, valueRefused } from "./support/serverOptionSamples";
import { propertyRuns } from "./support/unitMode";

const OPTIONS = mariadbOptionTable().options;
const NAMES = Object.keys(OPTIONS);

/** The reason an entry is refused (failing the test when it is accepted). */
function refused(text: string): string {
    const parsed = parseServerOption(text);
    assert.equal(typeof parsed, "string", `${text} was accepted as ${JSON.stringify(parsed)}`);
    return parsed as string;
}

function accepted(text: string): { name: string; value?: string } {
    const parsed = parseServerOption(text);
    assert.equal(typeof parsed, "object", `${text}: ${String(parsed)}`);
    return parsed as { name: string; value?: string };
}

describe("MariaDB server options", () => {
    describe("names", () => {
        it("refuses an option MariaDB does not have, suggesting the one meant", () => {
            assert.match(
                refused("--max_conections=300"),
                /MariaDB 10\.11 has no option --max_conections.*did you mean --max_connections\?/,
            );
            assert.match(refused("--innodb-bufer-pool-size=1G"), /did you mean --innodb_buffer_pool_size\?/);
            assert.match(refused("--skip-nmae-resolve"), /did you mean --skip_name_resolve\?/);
            assert.match(refused("--frobnicate=1"), /has no option --frobnicate.*mariadbd --verbose --help/);
        });

        it("reads dashes and underscores alike, in any case, and renders the table's name", () => {
            assert.deepEqual(accepted("--Max-Allowed-Packet=64M"), { name: "max_allowed_packet", value: "64M" });
            assert.deepEqual(accepted("--skip-name-resolve"), { name: "skip_name_resolve" });
        });

        it("refuses an abbreviation, which the server reads only while no other option starts alike", () => {
            assert.match(refused("--max-allowed=1M"), /abbreviation.*--max_allowed_packet/);
        });

        it("reads --skip-, --disable- and --enable- on on/off options, and refuses them elsewhere", () => {
            assert.deepEqual(accepted("--skip-innodb-adaptive-hash-index"), { name: "innodb_adaptive_hash_index", value: "OFF" });
            assert.deepEqual(accepted("--disable-partition"), { name: "partition", value: "OFF" });
            assert.deepEqual(accepted("--enable-innodb-stats-on-metadata"), { name: "innodb_stats_on_metadata", value: "ON" });
            assert.match(refused("--skip-max-allowed-packet"), /only for on\/off options/);
            assert.match(refused("--skip-innodb-adaptive-hash-index=0"), /takes no value/);
        });

        it("reads --loose- on a known option, and refuses it on an unknown one (the server would skip it)", () => {
            assert.deepEqual(accepted("--loose-innodb-flush-log-at-trx-commit=1"), { name: "innodb_flush_log_at_trx_commit", value: "1" });
            assert.match(
                refused("--loose-innodb-flush-log-at-trx-comit=1"),
                /has no option --innodb_flush_log_at_trx_comit, and --loose- only makes the server skip it.*did you mean --innodb_flush_log_at_trx_commit\?/,
            );
        });

        it("reads --maximum- on numeric session variables only, and refuses --autoset-", () => {
            assert.deepEqual(accepted("--maximum-max-allowed-packet=512M"), { name: "maximum_max_allowed_packet", value: "512M" });
            assert.match(refused("--maximum-innodb-buffer-pool-size=1G"), /numeric session variable/);
            assert.match(refused("--autoset-max-connections"), /not supported/);
        });

        it("renders an alias as the option it stands for, so that both spellings meet", () => {
            assert.deepEqual(accepted("--long_query_time=2.5"), { name: "log_slow_query_time", value: "2.5" });
            assert.deepEqual(accepted("--slow-query-log"), { name: "log_slow_query" });
        });

        it("refuses an option the server accepts and ignores", () => {
            assert.match(refused("--innodb_buffer_pool_chunk_size=128M"), /ignores it \("Deprecated parameter with no effect"/);
            assert.match(refused("--max_tmp_tables=32"), /no effect: remove it/);
            // Removed options and MySQL's, which the help does not list, are accepted with a warning.
            assert.match(refused("--innodb_buffer_pool_instances=8"), /only to ignore it \("was removed\. It does nothing now\."/);
            assert.match(refused("--default-authentication-plugin=mysql_native_password"), /only to ignore it.*MySQL 5\.6/);
        });

        it("says what is wrong with text that is no option", () => {
            assert.match(refused("max_connections=300"), /write --max_connections=300/);
            assert.match(refused("--max_connections 300"), /"=" between name and value/);
            assert.match(refused("-W2"), /long form/);
        });

        it("refuses, with one suggestion, a one-letter mutation of any name that is no other option", () => {
            const letters = "abcdefghijklmnopqrstuvwxyz_";
            const mutation = fc
                .tuple(fc.constantFrom(...NAMES), fc.nat(), fc.constantFrom(...letters), fc.nat(3))
                .map(([name, at, letter, kind]) => {
                    const i = at % name.length;
                    const edits = [
                        name.slice(0, i) + name.slice(i + 1),
                        name.slice(0, i) + letter + name.slice(i),
                        name.slice(0, i) + letter + name.slice(i + 1),
                        name.slice(0, i) + name.slice(i + 1, i + 2) + name[i] + name.slice(i + 2),
                    ];
                    return edits[kind];
                });
            const realOrPrefixed = (name: string) =>
                NAMES.includes(name) ||
                ["skip_", "disable_", "enable_", "loose_", "maximum_", "autoset_"].some(
                    (p) => name.startsWith(p) && NAMES.includes(name.slice(p.length)),
                );
            fc.assert(
                fc.property(mutation, (name) => {
                    fc.pre(!realOrPrefixed(name) && /^[a-z]/.test(name));
                    refused(`--${name}=1`);
                }),
                { numRuns: propertyRuns(500) },
            );
        });
    });

    describe("values", () => {
        it("reads sizes as MariaDB does: one suffix letter right after the number, in either case", () => {
            assert.deepEqual(accepted("--max_allowed_packet=256m"), { name: "max_allowed_packet", value: "256m" });
            // MariaDB reads only the letter: 256MB, 256Mi and 256MiB are 256M.
            for (const text of ["256MB", "256Mi", "256MiB"]) accepted(`--max_allowed_packet=${text}`);
        });

        it("refuses a malformed size, with the form that works", () => {
            assert.match(refused("--max_allowed_packet=256 MB"), /no space.*write --max_allowed_packet=256M/);
            assert.match(refused("--innodb_buffer_pool_size=1.5G"), /write --innodb_buffer_pool_size=1536M/);
            assert.match(refused("--net_read_timeout=30s"), /whole number/);
            assert.match(refused("--max_allowed_packet=-1"), /not negative/);
            assert.match(refused("--max_connections="), /needs a value after "="/);
        });

        it("refuses a number outside the option's range, which the server would change with only a warning", () => {
            assert.match(refused("--max_allowed_packet=2G"), /above its maximum 1073741824 \(1G\)/);
            assert.match(refused("--max_connections=5"), /below its minimum 10/);
            assert.match(refused("--max_allowed_packet=99999999999G"), /above its maximum/);
        });

        it("refuses a malformed size for every size option of the server", () => {
            const sizes = NAMES.filter((n) => OPTIONS[n].type === "unsigned");
            const malformed = fc.oneof(
                fc
                    .tuple(fc.nat(9999), fc.constantFrom(" M", " MB", " G", ".5G", "s", "x", "KB2", "_M", " 1"))
                    .map(([n, tail]) => `${n}${tail}`),
                fc.constantFrom("", "M", "one", "1,5G", "0x10", "1e3", "--1"),
            );
            fc.assert(fc.property(fc.constantFrom(...sizes), malformed, (name, value) => void refused(`--${name}=${value}`)));
        });

        it("takes ON/OFF (TRUE/FALSE, 1/0) for on/off options and refuses what MariaDB would read as OFF", () => {
            for (const value of ["ON", "off", "TRUE", "false", "1", "0"]) accepted(`--innodb_file_per_table=${value}`);
            assert.match(refused("--innodb_file_per_table=yes"), /would read "yes" as OFF/);
        });

        it("takes an enumeration's values in any case or by position, and names the one meant", () => {
            accepted("--binlog_format=row");
            accepted("--binlog_format=2");
            assert.match(refused("--binlog_format=rows"), /one of MIXED, STATEMENT, ROW \(did you mean ROW\?\)/);
            assert.match(refused("--alter_algorithm=COP"), /write --alter_algorithm=COPY/);
        });

        it("takes a set as a comma-separated list without spaces, ALL or nothing", () => {
            accepted("--sql_mode=STRICT_TRANS_TABLES,NO_ZERO_DATE");
            accepted('--sql_mode=""');
            accepted("--log_slow_verbosity=ALL");
            assert.match(refused("--sql_mode=STRICT_TRANS_TABLES, NO_ZERO_DATE"), /without spaces/);
            assert.match(refused("--sql_mode=STRICT_TRANS_TABLE"), /did you mean STRICT_TRANS_TABLES\?/);
            accepted("--optimizer_switch=index_merge=off,mrr=on");
            assert.match(refused("--optimizer_switch=index_merg=off"), /did you mean index_merge\?/);
        });

        it("takes character sets, collations, locales and storage engines the server has", () => {
            accepted("--collation_server=utf8mb4_unicode_520_ci");
            accepted("--lc_messages=de_DE");
            accepted("--default_storage_engine=innodb");
            assert.match(refused("--character_set_server=utf8mb5"), /no character set "utf8mb5"/);
            assert.match(refused("--collation_server=utf8mb4_unicode_ci_x"), /no collation/);
            assert.match(refused("--lc_time_names=xx_XX"), /no locale/);
            assert.match(refused("--default_storage_engine=RocksDB"), /no storage engine/);
        });

        it("reads one pair of quotes around a value as the config file does, and refuses what the file would misread", () => {
            assert.deepEqual(accepted(`--init_connect="SET NAMES utf8mb4"`), { name: "init_connect", value: "SET NAMES utf8mb4" });
            assert.match(refused("--init_connect=SET @a=1 # note"), /'#'/);
            assert.match(refused("--ft_boolean_syntax=\\x"), /backslash/);
        });

        it("accepts every settable option of the server with any valid value, written in any of MariaDB's forms", () => {
            fc.assert(
                fc.property(validCommand(), (sample) => {
                    const parsed = parseServerOption(sample.text);
                    if (typeof parsed === "string") assert.ok(valueRefused(sample), `${sample.text}: ${parsed}`);
                }),
                { numRuns: propertyRuns(2000) },
            );
        });
    });

    describe("in the stack", () => {
        it("refuses an option set twice differently, naming both entries", () => {
            assertRejected(
                { "matomo:mariadb": { commands: ["--max_allowed_packet=64M", "--wait_timeout=60", "--max-allowed-packet=128M"] } },
                "matomo:mariadb.commands[2]",
                'but commands[0] sets --max_allowed_packet to something else ("--max_allowed_packet=64M")',
            );
            assertRejected(
                { "matomo:mariadb": { commands: ["--skip-name-resolve", "--skip_name_resolve=OFF"] } },
                "matomo:mariadb.commands[1]",
                "silently use the last one",
            );
            assertRejected(
                { "matomo:mariadb": { commands: ["--long_query_time=2", "--log_slow_query_time=5"] } },
                "matomo:mariadb.commands[1]",
                "sets --log_slow_query_time to something else",
            );
        });

        it("refuses an option repeated with the same setting, which has no effect", () => {
            assertRejected(
                { "matomo:mariadb": { commands: ["--max_allowed_packet=64M", "--max_allowed_packet=65536K"] } },
                "matomo:mariadb.commands[1]",
                "the repetition has no effect",
            );
        });

        it("refuses any option given twice with different settings", () => {
            const twice = validCommand().chain((first) =>
                fc.tuple(
                    fc.constant(first),
                    validValue(first.spec)!.map((value) => `--${first.option.replace(/_/g, "-")}=${value}`),
                ),
            );
            fc.assert(
                fc.property(twice, ([first, second]) => {
                    const [a, b] = [readServerOption(first.text), readServerOption(second)];
                    fc.pre(typeof a !== "string" && typeof b !== "string" && a.meaning !== b.meaning);
                    const conflicts = serverOptionConflicts([first.text, second]);
                    assert.equal(conflicts[0]?.index, 1);
                    assert.match(conflicts[0].message, /MariaDB would silently use the last one/);
                }),
                { numRuns: propertyRuns(300) },
            );
        });

        it("refuses a collation of another character set than the server's", () => {
            assertRejected(
                { "matomo:mariadb": { commands: ["--character_set_server=latin1"] } },
                "matomo:mariadb.commands[0]",
                "add --collation_server=latin1_general_ci",
            );
            assertRejected(
                { "matomo:mariadb": { commands: ["--collation_server=latin1_swedish_ci"] } },
                "matomo:mariadb.commands[0]",
                "set --character_set_server=latin1 too",
            );
            const cfg = eea(
                valid({ "matomo:mariadb": { commands: ["--character_set_server=utf8", "--collation_server=utf8_unicode_ci"] } }),
            );
            assert.equal(cfg.mariadb.serverOptions.find((o) => o.name === "collation_server")?.value, "utf8_unicode_ci");
        });

        it("replaces a default by its alias, and keeps one line per option", () => {
            const cfg = eea(valid({ "matomo:mariadb": { commands: ["--table_cache=1000"] } }));
            assert.deepEqual(
                cfg.mariadb.serverOptions.filter((o) => o.name === "table_open_cache"),
                [{ name: "table_open_cache", value: "1000" }],
            );
        });
    });

    describe("the rules", () => {
        it("refuse, with the reason, what would open the server, move it, stop it or lose Matomo's writes", () => {
            const cases: [string, RegExp][] = [
                ["--skip-grant-tables", /switches authentication off/],
                ["--loose-skip-grant-tables", /switches authentication off/],
                ["--skip-grant-tables=0", /switches authentication off/],
                ["--datadir=/data", /managed by the program/],
                ["--socket=/tmp/mysql.sock", /managed by the program/],
                ["--bind-address=0.0.0.0", /managed by the program/],
                ["--skip-networking", /managed by the program/],
                ["--port=3307", /managed by the program/],
                ["--tmpdir=/var/tmp", /read-only/],
                ["--innodb_page_size=32k", /fixed when the image creates the data directory/],
                ["--old_passwords=ON", /pre-4\.1/],
                ["--skip-secure-auth", /pre-4\.1/],
                ["--plugin-load-add=auth_ed25519", /loads server plugins/],
                ["--init-file=/docker-entrypoint-initdb.d/init.sql", /all privileges/],
                ["--proxy-protocol-networks=*", /root's restriction to the pod/],
                ["--require-secure-transport=ON", /no certificate/],
                ["--ssl-cert=/etc/ssl/server.pem", /no certificate/],
                ["--innodb-encrypt-tables=ON", /encryption key management plugin/],
                ["--skip-autocommit", /lost when the connection closes/],
                ["--autocommit=0", /lost when the connection closes/],
                ["--completion_type=CHAIN", /keep NO_CHAIN/],
                ["--completion_type=2", /keep NO_CHAIN/],
                ["--default_password_lifetime=90", /expire/],
                ["--default_time_zone=Europe/Copenhagen", /time zone tables/],
                ["--default_time_zone=+14:00", /-12:59 to \+13:00/],
                ["--read_only=ON", /matomo:maintenance/],
                ["--wsrep_on=ON", /Galera/],
                ["--log_error=/var/log/mysql/error.log", /kubectl logs/],
                ["--general_log_file=/var/log/mysql/general.log", /read-only.*file name without a directory/],
                ["--innodb_compression_algorithm=lz4", /provider plugin/],
                ["--innodb_buffer_pool_size=2M", /at least 6M/],
                ["--innodb_log_write_ahead_size=3000", /power of two/],
                ["--thread_handling=no-threads", /one connection at a time/],
                ["--skip-innodb", /holds Matomo's tables/],
                ["--innodb_sys_tables=OFF", /abbreviation of --innodb_sys_tablespaces, --innodb_sys_tablestats/],
                ["--feedback=ON", /mariadb\.org/],
                ["--version=5.7.0", /version the server reports/],
            ];
            for (const [text, reason] of cases) assert.match(refused(text), reason, text);
        });

        it("accept the settings of these options that do no harm", () => {
            for (const text of [
                "--autocommit=ON",
                "--completion_type=NO_CHAIN",
                "--default_password_lifetime=0",
                "--default_time_zone=+01:00",
                "--default_time_zone=-12:59",
                "--default_time_zone=SYSTEM",
                "--general_log_file=general.log",
                "--slow_query_log_file=/var/lib/mysql/slow.log",
                "--log-bin",
                "--innodb_compression_algorithm=zlib",
                "--innodb_log_write_ahead_size=4096",
                "--innodb_sys_tablestats=OFF",
                "--skip-name-resolve",
                "--local-infile=OFF",
            ])
                accepted(text);
        });

        it("decide about every text option of the server (paths, SQL, credentials), so that a new one is reviewed", () => {
            const ruled = (name: string) =>
                RULED_OPTIONS.reasons.includes(name) ||
                RULED_OPTIONS.dataFiles.includes(name) ||
                RULED_OPTIONS.prefixes.some((p) => name.startsWith(p)) ||
                FREE_TEXT.includes(name) ||
                OPTIONS[name].noEffect !== undefined;
            const text = NAMES.filter((n) => OPTIONS[n].type === "string" && !ruled(OPTIONS[n].aliasOf ?? n));
            assert.deepEqual(text, []);
        });
    });
});
