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

/** Records each call (`memory_limit` and arguments) as a JSON line; fails for a site in FAIL_SITE. */
const STAND_IN_CONSOLE = `<?php
$args = array_slice($argv, 1);
file_put_contents(getenv('CONSOLE_LOG'), json_encode(['memory' => ini_get('memory_limit'), 'args' => $args]) . "\\n", FILE_APPEND);
if (getenv('FAIL_SITE') !== false && in_array('--idsite=' . getenv('FAIL_SITE'), $args, true)) {
    fwrite(STDERR, "Invalid site ID\\n");
    exit(1);
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

        it("fails the Job when a deletion fails, without going on", () => {
            const { result, calls } = runDelete("3 7 9", { FAIL_SITE: "7" });
            assert.notEqual(result.status, 0);
            assert.equal(calls.length, 2, "site 9 is not attempted after site 7 failed");
            assert.match(result.stderr, /Invalid site ID/);
        });
    });
});
