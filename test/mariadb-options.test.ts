/**
 * The table of MariaDB server options the program checks `matomo:mariadb.commands` against is the
 * installed server's own: rebuilt here from the real mariadbd 10.11 (its `--verbose --help` and its
 * information_schema) and compared with the checked-in file. UPDATE_MARIADB_OPTIONS=1 rewrites the
 * file (after a new MariaDB release; review the diff).
 */
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { readFileSync, writeFileSync } from "node:fs";
import { buildTable, ignoredOptions, installedTable, parseHelp, tableText } from "./support/mariadbOptionTable";
import { mariadbOptionTable, TABLE_FILE } from "../components/config/sections/mariadbOptionTable";
import { TestMariaDb } from "./support/mariadbServer";
import { requireBinaries } from "./support/system";

const HELP = `mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu on x86_64 (Debian 12)
Usage: mariadbd [OPTIONS]

  --alter-algorithm[=name] 
                      Specify the alter table algorithm. One of: DEFAULT, COPY,
                      INPLACE, NOCOPY, INSTANT
  --ansi              Use ANSI SQL syntax instead of MySQL syntax.
  --autocommit        Set default value for autocommit (0 or 1)
                      (Defaults to on; use --skip-autocommit to disable.)
  --feedback[=name]   Enable or disable FEEDBACK plugin. One of: ON, OFF, FORCE
                      (don't start if the plugin fails to load),
                      FORCE_PLUS_PERMANENT (like FORCE, but the plugin can not be
                      uninstalled).
  --long-query-time=# Alias for log_slow_query_time. Log all queries that have
  --max-tmp-tables=#  Unused, will be removed.
  -W, --log-warnings[=#] 
                      Log some non critical warnings to the error log.
  --tc-heuristic-recover=name 
                      Decision to use in heuristic recover process. One of: OFF,
                      COMMIT, ROLLBACK
  --log-output=name   How logs should be written. Any combination of: NONE, FILE,
                      TABLE
  Use 'ALL' to set all combinations.

Variables (--variable-name=value)
and boolean options {FALSE|TRUE}                             Value (after reading options)
------------------------------------------------------------ -------------
alter-algorithm                                              DEFAULT
autocommit                                                   TRUE
tc-heuristic-recover                                         OFF

To see what variables a running server is using, type
`;

describe("the MariaDB server option table", function () {
    this.timeout(120_000);

    describe("read from the help", () => {
        const help = parseHelp(HELP);

        it("reads each option's name, argument and whole description", () => {
            assert.equal(help.version, "10.11.19-MariaDB-0+deb12u1");
            assert.deepEqual(
                help.options.map((o) => [o.name, o.arg, o.placeholder]),
                [
                    ["alter_algorithm", "optional", "name"],
                    ["ansi", "none", undefined],
                    ["autocommit", "none", undefined],
                    ["feedback", "optional", "name"],
                    ["long_query_time", "required", "#"],
                    ["max_tmp_tables", "required", "#"],
                    ["log_warnings", "optional", "#"],
                    ["tc_heuristic_recover", "required", "name"],
                    ["log_output", "required", "name"],
                ],
            );
            assert.match(help.options[0].description, /One of: DEFAULT, COPY, INPLACE, NOCOPY, INSTANT$/);
            assert.equal(help.values.get("autocommit"), "TRUE");
        });

        it("types options that are no system variable from the help, and variables from information_schema", () => {
            const table = buildTable(
                help,
                [
                    ["alter_algorithm", "ENUM", "NULL", "NULL", "DEFAULT,COPY,INPLACE,NOCOPY,INSTANT", "SESSION", "OPTIONAL"],
                    ["autocommit", "BOOLEAN", "NULL", "NULL", "OFF,ON", "SESSION", "REQUIRED"],
                ],
                {
                    collations: [["utf8mb4", "utf8mb4_general_ci"]],
                    locales: ["en_US"],
                    engines: ["InnoDB"],
                    ignored: { innodb_file_format: "was removed. It does nothing now." },
                },
            );
            assert.deepEqual(table.options.alter_algorithm, {
                type: "enum",
                values: ["DEFAULT", "COPY", "INPLACE", "NOCOPY", "INSTANT"],
                session: true,
                arg: "optional",
            });
            assert.equal(table.options.ansi.type, "flag");
            assert.deepEqual(
                table.options.autocommit,
                { type: "boolean", arg: "required", session: true },
                "the server's record of its argument",
            );
            assert.deepEqual(table.options.feedback.values, ["OFF", "ON", "FORCE", "FORCE_PLUS_PERMANENT"]);
            assert.equal(table.options.long_query_time.aliasOf, "log_slow_query_time");
            assert.equal(table.options.max_tmp_tables.noEffect, "Unused, will be removed");
            assert.deepEqual(table.options.tc_heuristic_recover.values, ["OFF", "COMMIT", "ROLLBACK"]);
            assert.deepEqual(table.options.log_output, { type: "set", values: ["NONE", "FILE", "TABLE"], arg: "required" });
            assert.deepEqual(table.characterSets, { utf8mb4: ["utf8mb4_general_ci"] });
            assert.deepEqual(table.ignored, { innodb_file_format: "was removed. It does nothing now." });
        });
    });

    describe("checked in", () => {
        before(function () {
            requireBinaries(this, "mariadbd", "mariadb-install-db", "mariadb");
        });

        it("finds the options the server accepts only to ignore them, which its help does not list", () => {
            const ignored = ignoredOptions(Object.keys(mariadbOptionTable().options));
            assert.match(ignored.innodb_buffer_pool_instances, /^was removed\. It does nothing now/);
            assert.match(ignored.innodb_log_files_in_group, /^was removed/);
            assert.match(ignored.log_raw, /^is MySQL 5\.6 \/ 5\.7 compatible option/);
            assert.equal(ignored.max_allowed_packet, undefined);
        });

        it("is the installed mariadbd's own (UPDATE_MARIADB_OPTIONS=1 rewrites it)", async () => {
            const server = await TestMariaDb.start("[mysqld]\n");
            let fresh: string;
            try {
                fresh = await tableText(installedTable(server), TABLE_FILE);
            } finally {
                await server.stop();
            }
            if (process.env.UPDATE_MARIADB_OPTIONS === "1") writeFileSync(TABLE_FILE, fresh);
            // A point release of the same series (Debian's security updates) with the same options passes:
            // only the series and the options are compared, not the exact version the file was made from.
            const series = (version: string) => /^\d+\.\d+/.exec(version)?.[0];
            const { comment: _c, version: fileVersion, ...fileTable } = JSON.parse(readFileSync(TABLE_FILE, "utf8"));
            const { comment: _f, version: freshVersion, ...freshTable } = JSON.parse(fresh);
            assert.equal(
                series(freshVersion),
                series(fileVersion),
                `the installed server is ${freshVersion}, the table is of ${fileVersion}`,
            );
            assert.ok(
                isDeepStrictEqual(fileTable, freshTable),
                `${TABLE_FILE} is not the installed server's table (${fileVersion} in the file, ${freshVersion} installed); ` +
                    "if the server changed deliberately, run UPDATE_MARIADB_OPTIONS=1 on this test and review the diff",
            );
        });
    });
});
