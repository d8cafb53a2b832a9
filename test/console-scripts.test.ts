/**
 * The scripts of the console jobs, run for real with the system's sh and PHP: the raw-data
 * deletion against a stand-in `console` that records its arguments (Matomo itself is not on this
 * machine).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deleteDataScript, EARLIEST_DATE, SCRIPT_ENV } from "../components/matomo/scripts";
import { requireBinaries } from "./support/system";

/**
 * Records each call (`memory_limit` and arguments) as a JSON line; for a site in MISSING_SITES it
 * fails as Matomo's core:delete-logs-data does for a site that does not exist (its site check
 * throws "Invalid site ID: N", which the console prints to stderr, exiting 1).
 */
const STAND_IN_CONSOLE = `<?php
$args = array_slice($argv, 1);
file_put_contents(getenv('CONSOLE_LOG'), json_encode(['memory' => ini_get('memory_limit'), 'args' => $args]) . "\\n", FILE_APPEND);
foreach (explode(' ', (string) getenv('MISSING_SITES')) as $site) {
    if ($site !== '' && in_array("--idsite=$site", $args, true)) {
        fwrite(STDERR, "\\nIn DeleteLogsData.php line 145:\\n\\n  Invalid site ID: $site\\n\\n");
        exit(1);
    }
}
`;

/** The date `days` days before today, as PHP computes it in UTC. */
function daysAgo(days: number): string {
    const d = new Date();
    d.setUTCDate(d.getUTCDate() - days);
    return d.toISOString().slice(0, 10);
}

describe("console job scripts", function () {
    this.timeout(30_000);
    let dir: string;

    before(function () {
        requireBinaries(this, "php", "sh");
        dir = mkdtempSync(join(tmpdir(), "matomo-console-"));
    });

    after(() => {
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    describe("delete-data.sh", () => {
        let webroot: string;
        let log: string;
        before(() => {
            webroot = join(dir, "webroot");
            mkdirSync(webroot);
            writeFileSync(join(webroot, "console"), STAND_IN_CONSOLE);
            log = join(dir, "console.log");
        });

        const runDelete = (sites: string, extra: Record<string, string> = {}) => {
            rmSync(log, { force: true });
            const result = spawnSync("sh", ["-c", deleteDataScript({ webroot })], {
                env: {
                    ...process.env,
                    TZ: "UTC",
                    CONSOLE_LOG: log,
                    [SCRIPT_ENV.sites]: sites,
                    [SCRIPT_ENV.daysToKeep]: "90",
                    [SCRIPT_ENV.phpMemoryLimit]: "384M",
                    ...extra,
                },
                encoding: "utf8",
            });
            const calls =
                result.status === null
                    ? []
                    : readFileSync(log, "utf8")
                          .trim()
                          .split("\n")
                          .map((l) => JSON.parse(l) as { memory: string; args: string[] });
            return { result, calls };
        };

        it('deletes for every site with "all": one run without --idsite, which Matomo reads as all sites', () => {
            const { result, calls } = runDelete("all");
            assert.equal(result.status, 0, result.stderr);
            assert.equal(calls.length, 1);
            assert.deepEqual(calls[0].args, ["core:delete-logs-data", `--dates=${EARLIEST_DATE},${daysAgo(90)}`, "--no-interaction"]);
            assert.equal(calls[0].memory, "384M");
            assert.match(result.stdout, /every site up to \d{4}-\d\d-\d\d \(keeping 90 days\)/);
        });

        it("deletes site by site for a list, --idsite taking one site", () => {
            const { result, calls } = runDelete("3 7");
            assert.equal(result.status, 0, result.stderr);
            assert.deepEqual(
                calls.map((c) => c.args),
                [3, 7].map((site) => [
                    "core:delete-logs-data",
                    `--dates=${EARLIEST_DATE},${daysAgo(90)}`,
                    `--idsite=${site}`,
                    "--no-interaction",
                ]),
            );
        });

        it("computes the cut-off from daysToKeep without GNU date", () => {
            const { calls } = runDelete("1", { [SCRIPT_ENV.daysToKeep]: "1" });
            assert.equal(calls[0].args[1], `--dates=${EARLIEST_DATE},${daysAgo(1)}`);
        });

        it("deletes for the other sites when one does not exist, then fails the Job naming it", () => {
            const { result, calls } = runDelete("3 7 9 11", { MISSING_SITES: "7 11" });
            assert.equal(result.status, 1);
            assert.deepEqual(
                calls.map((c) => c.args[2]),
                ["--idsite=3", "--idsite=7", "--idsite=9", "--idsite=11"],
                "sites 9 and 11 are attempted after site 7 failed",
            );
            assert.match(result.stderr, /Invalid site ID: 7/);
            assert.match(result.stderr, /delete-data: FAILED for site\(s\) 7 11 .*siteToDelete/);
            assert.doesNotMatch(result.stdout, /delete-data: done/);
        });
    });
});
