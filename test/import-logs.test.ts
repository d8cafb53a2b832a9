/**
 * import-logs.sh, run by sh against a stand-in of Matomo's import_logs.py that talks HTTP to a
 * stand-in of Matomo recording each hit in a real MariaDB (support/logImport.ts): the real
 * importer's options, batches, summary, fatal error with its --skip hint and exit statuses, and
 * Matomo's answers. On Matomo's actions, what an operator counts on: every line of every log
 * reaches Matomo once, whatever fails in between and however often the job runs.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { expected, LogImportBench, logLines, TOKEN } from "./support/logImport";
import { requireBinaries } from "./support/system";

describe("import-logs.sh with a stand-in of import_logs.py", function () {
    this.timeout(30_000);
    let base: string;
    let bench: LogImportBench;
    const setUp = (name: string, options: { root?: string; state?: string } = {}) => bench.setUp(name, options);

    before(async function () {
        requireBinaries(this, "python3", "php", "mariadbd", "mariadb-install-db", "mariadb");
        base = mkdtempSync(join(tmpdir(), "import-logs-"));
        bench = await LogImportBench.start(base);
    });

    after(async () => {
        await bench?.stop();
        if (base) rmSync(base, { recursive: true, force: true });
    });

    it("imports every file of the configured sites once, nothing on the next run, then a new file and a log's new lines", async () => {
        const t = await setUp("runs");
        const [a, b, c, d] = [logLines("a", 1, 6), logLines("b", 1, 3), logLines("c", 1, 2), logLines("d", 1, 2)];
        t.write("1", "a.log", a.slice(0, 4));
        t.write("1", "b.log", b);
        t.write("2", "c.log", c);
        writeFileSync(join(t.root, "1", ".b.log.Qw3rTy"), logLines("rsync-temporary", 1, 2).join(""));
        mkdirSync(join(t.root, "1", "archive"));
        writeFileSync(join(t.root, "1", "archive", "old.log"), logLines("subdirectory", 1, 2).join(""));
        t.write("3", "other.log", logLines("other-site", 1, 2));

        const first = t.run();
        assert.equal(first.status, 0, first.output);
        assert.deepEqual(t.actions(), expected(["1", a.slice(0, 4)], ["1", b], ["2", c]));
        assert.match(first.stdout, /site 1: imported "a\.log" lines 1-4: 4 requests imported successfully, 0 requests ignored/);
        assert.match(first.stdout, /site 2: imported "c\.log" lines 1-2: 2 requests imported successfully/);
        assert.equal(first.stdout.match(/leaving "3" alone/g)?.length, 1, first.stdout);
        const argvs = t.runs().map((argv) => argv.join(" "));
        assert.equal(argvs.filter((a) => a.includes(" --recorders=1 --retry-max-attempts=1 ") && !a.includes("--skip")).length, 3);

        const second = t.run();
        assert.equal(second.status, 0, second.output);
        assert.equal(t.runs().length, 3, "the importer is not started for an imported file");
        assert.match(second.stdout, /site 1: 2 file\(s\) imported before[\s\S]*Every file is imported\./);

        t.write("1", "a.log", a);
        t.write("2", "d.log", d);
        const third = t.run();
        assert.equal(third.status, 0, third.output);
        assert.match(third.stdout, /"a\.log" grew from 4 to 6 lines: importing lines 5-6 \(--skip=4\)/);
        assert.match(third.stdout, /imported "d\.log" lines 1-2/);
        assert.deepEqual(t.actions(), expected(["1", a], ["1", b], ["2", c], ["2", d]));
    });

    it("resumes a file that failed mid-file at the importer's --skip hint: every line reaches Matomo once", async () => {
        const t = await setUp("resume");
        const a = logLines("a", 1, 10);
        t.write("1", "a.log", a);
        // Batches of 3 lines: lines 1-3 and 4-6 are recorded, the request with lines 7-9 fails.
        t.control({ fail: { "/a/8": 1 } });
        const options = { LOG_IMPORT_OPTIONS: "--recorder-max-payload-size=3\n--exclude-path=/no such/*" };

        const first = t.run(options);
        assert.equal(first.status, 1, first.output);
        assert.match(
            first.stdout,
            /failed "a\.log" \(attempt 1 of 3, exit status 1\): HTTP 500 Internal Server Error: \{"status":"error","tracked":1,"invalid":0\}\n/,
        );
        assert.match(first.stdout, /the next run resumes "a\.log" from line 7/);
        assert.deepEqual(t.actions(), expected(["1", a.slice(0, 6)]));

        const second = t.run(options);
        assert.equal(second.status, 0, second.output);
        assert.match(second.stdout, /resuming "a\.log" from line 7 \(--skip=6\), attempt 2 of 3/);
        assert.match(second.stdout, /imported "a\.log" lines 7-10: 4 requests imported successfully/);
        assert.deepEqual(t.runs()[1].slice(-4, -1), ["--skip=6", "--recorder-max-payload-size=3", "--exclude-path=/no such/*"]);
        assert.deepEqual(t.actions(), expected(["1", a]));
    });

    it("names the cause of a failure as Matomo gave it: the HTTP status and Matomo's message, not the last line of its page", async () => {
        const t = await setUp("causes");
        t.write("1", "a.log", logLines("a", 1, 2));
        const cause = (more: Record<string, string> = {}) => {
            const run = t.run({ LOG_MAX_ATTEMPTS: "9", ...more });
            assert.equal(run.status, 1, run.output);
            assert.doesNotMatch(run.output, /<\/html>|Traceback/);
            return /failed "a\.log" \(attempt \d of 9, exit status 1\): (.*)\n/.exec(run.stdout)?.[1];
        };
        writeFileSync(join(t.dir, "wrong-token"), "ffffffffffffffffffffffffffffffff\n");
        assert.equal(
            cause({ LOG_TOKEN_FILE: join(t.dir, "wrong-token") }),
            "HTTP 401 Unauthorized: An error occurred: Unable to authenticate with the provided token. It is either invalid or expired.",
        );
        t.write("7", "a.log", logLines("a", 1, 2));
        const noSite = t.run({ LOG_IMPORT_SITES: "7" });
        assert.match(
            noSite.stdout,
            /: HTTP 401 Unauthorized: You can't access this resource as it requires 'view' access for the website id = 7\.\n/,
        );
        t.control({ fail: { "/a/2": 1 } });
        assert.equal(cause(), 'HTTP 500 Internal Server Error: {"status":"error","tracked":1,"invalid":0}');
        t.control({ maintenanceMode: true });
        const maintenance = t.run();
        assert.match(
            maintenance.stdout,
            /Stopped: Matomo answered HTTP 503 Service Unavailable: Matomo is undergoing maintenance: We will be back up and running again soon/,
        );
        assert.doesNotMatch(maintenance.output, /<\/html>|Traceback/);
        t.control({});
        assert.equal(t.run().status, 0);
        assert.deepEqual(t.actions(), expected(["1", logLines("a", 1, 2)]));
    });

    it("stops for maintenance without counting it against any file, and imports everything once it ends", async () => {
        const t = await setUp("maintenance");
        const [a, b] = [logLines("a", 1, 3), logLines("b", 1, 2)];
        t.write("1", "a.log", a);
        t.write("2", "b.log", b);
        // UI and API in maintenance (the importer's first request fails), then tracking off too.
        for (const control of [
            { maintenanceMode: true },
            { maintenanceMode: true, recordStatistics: false },
            { recordStatistics: false },
        ]) {
            t.control(control);
            for (let run = 0; run < 2; run++) {
                const result = t.run({ LOG_MAX_ATTEMPTS: "1" });
                assert.equal(result.status, 0, result.output);
                assert.match(
                    result.stdout,
                    /Stopped: Matomo( answered HTTP 503 Service Unavailable: Matomo is undergoing maintenance|'s tracker answers 503: tracking is off)/,
                );
                assert.doesNotMatch(result.output, /failed|gave up|Not imported|Every file is imported/);
            }
        }
        assert.equal(t.runs().length, 2, "only while tracking was on: with it off, Matomo would drop every line and answer success");
        assert.deepEqual(readdirSync(join(t.state, "failed")), [], "no file given up");
        assert.deepEqual(t.actions(), []);

        t.control({});
        const after = t.run({ LOG_MAX_ATTEMPTS: "1" });
        assert.equal(after.status, 0, after.output);
        assert.match(after.stdout, /imported "a\.log" lines 1-3[\s\S]*imported "b\.log" lines 1-2[\s\S]*Every file is imported\./);
        assert.deepEqual(t.actions(), expected(["1", a], ["2", b]));
    });

    it("does not count a Matomo that does not answer against the files it would have imported", async () => {
        const t = await setUp("matomo-down");
        t.write("1", "a.log", logLines("a", 1, 2));
        for (let run = 0; run < 2; run++) {
            const result = t.run({ LOG_MAX_ATTEMPTS: "1", LOG_MATOMO_URL: "http://127.0.0.1:1/" });
            assert.equal(result.status, 1, result.output);
            assert.match(
                result.stdout,
                /Stopped: Matomo's tracker did not answer at http:\/\/127\.0\.0\.1:1\/: .*Connection refused\. The next run continues\./,
            );
            assert.match(result.stdout, /Not imported:\n {2}site 1: a\.log \(Matomo's tracker did not answer/);
        }
        assert.deepEqual(t.runs(), []);
        assert.equal(t.run({ LOG_MAX_ATTEMPTS: "1" }).status, 0, "not given up");
        assert.deepEqual(t.actions(), expected(["1", logLines("a", 1, 2)]));
    });

    it("imports a file again when tracking was switched off while it was imported (Matomo then drops lines and answers success)", async () => {
        const t = await setUp("switched-off");
        const a = logLines("a", 1, 40);
        t.write("1", "a.log", a);
        t.control({ delayMs: 100 });
        const importing = t.start({ LOG_IMPORT_OPTIONS: "--recorder-max-payload-size=5" });
        while (t.actions().length < 5) await new Promise((done) => setTimeout(done, 20));
        t.control({ delayMs: 100, recordStatistics: false });
        const switched = await importing;
        assert.equal(switched.status, 0, switched.output);
        assert.match(switched.output, /tracking was switched off while "a\.log" was imported: .* the next run imports lines 1-40 again/);
        const before = t.actions().length;
        assert.ok(before > 0 && before < 40, `${before} lines got in before the switch`);

        t.control({});
        assert.equal(t.run().status, 0);
        const lines = expected(["1", a]);
        assert.deepEqual([...new Set(t.actions())], lines, "every line is in Matomo");
        assert.equal(t.actions().length, 40 + before, "those recorded before the switch twice, as the log says");
    });

    it("gives up a file failing in LOG_MAX_ATTEMPTS runs and reports it until its report is removed, while other files import", async () => {
        const t = await setUp("give-up");
        const [bad, good, later] = [logLines("bad", 1, 5), logLines("good", 1, 2), logLines("later", 1, 2)];
        t.write("1", "bad.log", bad);
        t.write("2", "good.log", good);
        t.control({ fail: { "/bad/3": 3 } });
        for (const attempt of [1, 2]) {
            const run = t.run();
            assert.equal(run.status, 1, run.output);
            assert.match(run.stdout, new RegExp(`failed "bad\\.log" \\(attempt ${attempt} of 3`));
            assert.ok(run.stdout.endsWith(`Not imported:\n  site 1: bad.log (failed, attempt ${attempt} of 3)\n`), run.stdout);
        }
        const third = t.run();
        assert.equal(third.status, 1, third.output);
        assert.match(third.stdout, /gave up "bad\.log" after 3 failed runs: .*failed\/1\.[0-9a-f]{64}\.txt has the last output/);
        const [report] = readdirSync(join(t.state, "failed"));
        const text = readFileSync(join(t.state, "failed", report), "utf8");
        assert.match(text, /^site: 1\nfile: bad\.log\n/);
        assert.match(text, /Fatal error: HTTP Error 500[\s\S]*specifying --skip=0 on the command line/);

        t.write("2", "later.log", later);
        const runsBefore = t.runs().length;
        const fourth = t.run();
        assert.equal(fourth.status, 1, fourth.output);
        assert.match(fourth.stdout, /"bad\.log" is given up: see /);
        assert.match(fourth.stdout, /imported "later\.log"/);
        assert.match(fourth.stdout, /Not imported:\n {2}site 1: bad\.log \(given up: .*\.txt\)\n$/);
        assert.equal(t.runs().length, runsBefore + 1, "only later.log was given to the importer");

        rmSync(join(t.state, "failed", report));
        const fifth = t.run();
        assert.equal(fifth.status, 0, fifth.output);
        assert.match(fifth.stdout, /resuming "bad\.log" from line 1 \(--skip=0\), attempt 1 of 3/);
        assert.deepEqual(t.actions(), expected(["1", bad], ["2", good], ["2", later]));
    });

    it("knows a rotated log by its content: renamed and compressed, only its new lines are imported", async () => {
        const t = await setUp("rotated");
        const [old, current] = [logLines("day1", 1, 5), logLines("day2", 1, 2)];
        t.write("1", "access.log", old.slice(0, 3));
        assert.equal(t.run().status, 0);
        // logrotate: access.log, two lines longer by then, became access.log.1.gz; a new access.log began.
        rmSync(join(t.root, "1", "access.log"));
        t.write("1", "access.log.1.gz", gzipSync(old.join("")));
        t.write("1", "access.log", current);
        const run = t.run();
        assert.equal(run.status, 0, run.output);
        assert.match(run.stdout, /"access\.log\.1\.gz" grew from 3 to 5 lines/);
        assert.deepEqual(t.actions(), expected(["1", old], ["1", current]));
    });

    it("reads the right files when paths hold spaces and glob characters", async () => {
        const t = await setUp("odd names", { root: "synced logs", state: "state [v1] *" });
        const [brackets, plain] = [logLines("brackets", 1, 3), logLines("plain", 1, 2)];
        // Given to import_logs.py as it is, "web [1].log" would be a glob matching "web 1.log".
        t.write("1", "web [1].log", brackets);
        t.write("1", "web 1.log", plain);
        const run = t.run();
        assert.equal(run.status, 0, run.output);
        assert.match(run.stdout, /imported "web \[1\]\.log" lines 1-3:/);
        assert.match(run.stdout, /imported "web 1\.log" lines 1-2:/);
        assert.deepEqual(t.actions(), expected(["1", brackets], ["1", plain]));
    });

    it("keeps the token out of its output and records, even when the importer prints it", async () => {
        const t = await setUp("token");
        t.write("1", "fails.log", logLines("fails", 1, 2));
        t.write("2", "works.log", logLines("works", 1, 2));
        t.control({ fail: { "/fails/1": -1 } });
        // --debug makes import_logs.py log "Authentication token token_auth is: <token>".
        const run = t.run({ LOG_IMPORT_OPTIONS: "--debug", LOG_MAX_ATTEMPTS: "1" });
        assert.equal(run.status, 1, run.output);
        assert.match(run.stdout, /imported "works\.log"/, "the token reached the importer intact");
        assert.match(run.stdout, /gave up "fails\.log"/);
        assert.ok(!run.output.includes(TOKEN), run.output);
        const files = readdirSync(t.state, { recursive: true, encoding: "utf8" }).map((f) => join(t.state, f));
        const texts = files.filter((f) => statSync(f).isFile()).map((f) => readFileSync(f, "utf8"));
        assert.ok(texts.some((text) => text.includes("Authentication token token_auth is: [token]")));
        for (const text of texts) assert.ok(!text.includes(TOKEN), text);
    });

    it("refuses importer options that it sets or that would mislead it, before importing anything", async () => {
        const t = await setUp("options");
        t.write("1", "a.log", logLines("a", 1, 2));
        for (const option of ["--recorders=4", "--ski=2", "--dry-run"]) {
            const run = t.run({ LOG_IMPORT_OPTIONS: `--enable-bots\n${option}` });
            assert.equal(run.status, 2, run.output);
            assert.match(run.stderr, new RegExp(`LOG_IMPORT_OPTIONS: ${option.split("=")[0]} is set by this script`));
        }
        assert.deepEqual(t.runs(), []);
    });
});
