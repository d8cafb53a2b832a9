/**
 * import-logs.sh, run by sh against a stand-in of Matomo's import_logs.py (fixtures/log-import/):
 * the real one's options, batches, summary, fatal error with its --skip hint and exit statuses, and
 * a ledger of each line it would send to Matomo. On that ledger, what an operator counts on: every
 * line of every log reaches Matomo once, whatever fails in between and however often the job runs.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { spawnGroupSync } from "./support/processes";
import { requireBinaries } from "./support/system";

const SCRIPT = join(__dirname, "../components/jobs/scripts/import-logs.sh");
const IMPORTER = join(__dirname, "fixtures/log-import/fake-import-logs.py");
const TOKEN = "0123456789abcdef0123456789abcdef";
let python = "python3"; // LOG_PYTHON, set up in `before`

/** Access-log lines in the common log format, each one unique: `/<tag>/<n>` for n in from..to. */
const logLines = (tag: string, from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => `1.2.3.4 - - [01/May/2024:10:00:00 +0000] "GET /${tag}/${from + i} HTTP/1.0" 200 9\n`);

/** `<site> <line>` of a ledger entry (`<idsite>\t<file>\t<line number>\t<line>`). */
const siteAndLine = (entry: string) => entry.replace(/\t[^\t]*\t[^\t]*\t/, " ");

/** A log root, state directory and stand-in importer of one test, and runs of the script on them. */
function setUp(base: string, name: string, options: { root?: string; state?: string } = {}) {
    const dir = join(base, name);
    const root = join(dir, options.root ?? "logs");
    const state = join(dir, options.state ?? "state");
    mkdirSync(root, { recursive: true });
    const file = (f: string) => join(dir, f);
    const lines = (f: string) => readFileSync(file(f), "utf8").split("\n").filter(Boolean);
    writeFileSync(file("token"), `${TOKEN}\n`);
    for (const f of ["runs", "ledger"]) writeFileSync(file(f), "");
    const env = {
        LOG_ROOT: root,
        LOG_STATE_DIR: state,
        LOG_IMPORT_SITES: "1 2",
        LOG_IMPORTER: IMPORTER,
        LOG_PYTHON: python,
        LOG_MATOMO_URL: "http://matomo.analytics.svc/",
        LOG_TOKEN_FILE: file("token"),
        LOG_IMPORT_OPTIONS: "",
        LOG_MAX_ATTEMPTS: "3",
        FAKE_IMPORTER_LEDGER: file("ledger"),
        FAKE_IMPORTER_RUNS: file("runs"),
        FAKE_IMPORTER_CONTROL: file("control.json"),
        FAKE_IMPORTER_TOKEN: TOKEN,
    };
    return {
        root,
        state,
        /** Writes a log as rsync does: a temporary dotfile renamed into place. */
        write(site: string, name: string, lines: string[] | Buffer) {
            mkdirSync(join(root, site), { recursive: true });
            const temp = join(root, site, `.${name}.Xy12Ab`);
            writeFileSync(temp, Array.isArray(lines) ? lines.join("") : lines);
            renameSync(temp, join(root, site, name));
        },
        /** Makes the bulk request holding 0-based line `failAt` of `name` fail in the next `runs` runs (-1: always). */
        fail(rules: Record<string, { failAt: number; runs: number }>) {
            writeFileSync(file("control.json"), JSON.stringify(rules));
        },
        run(more: Record<string, string> = {}) {
            const r = spawnGroupSync("sh", [SCRIPT], { env: { ...process.env, ...env, ...more }, encoding: "utf8", timeout: 30_000 });
            return { status: r.status, stdout: r.stdout, stderr: r.stderr, output: r.stdout + r.stderr };
        },
        /** What reached "Matomo": one `<site> <line>` per recorded line, sorted. */
        recorded: () => lines("ledger").map(siteAndLine).sort(),
        /** The importer's arguments, one list per run. */
        runs: () => lines("runs").map((l) => JSON.parse(l) as string[]),
    };
}

/** The lines expected in Matomo: each once, for its site. */
const expected = (...logs: [string, string[]][]) => logs.flatMap(([site, lines]) => lines.map((l) => `${site} ${l.trimEnd()}`)).sort();

describe("import-logs.sh with a stand-in of import_logs.py", function () {
    this.timeout(30_000);
    let base: string;

    before(function () {
        requireBinaries(this, "python3");
        base = mkdtempSync(join(tmpdir(), "import-logs-"));
        // The stand-in and the script's helper need the standard library only: without a version manager's
        // shim and site-packages (-S), Python starts in milliseconds instead of a tenth of a second.
        const executable = spawnGroupSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).stdout.trim();
        python = join(base, "python");
        writeFileSync(python, `#!/bin/sh\nexec '${executable}' -S "$@"\n`, { mode: 0o755 });
    });

    after(() => {
        if (base) rmSync(base, { recursive: true, force: true });
    });

    it("imports every file of the configured sites once, nothing on the next run, then a new file and a log's new lines", () => {
        const t = setUp(base, "runs");
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
        assert.deepEqual(t.recorded(), expected(["1", a.slice(0, 4)], ["1", b], ["2", c]));
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
        assert.deepEqual(t.recorded(), expected(["1", a], ["1", b], ["2", c], ["2", d]));
    });

    it("resumes a file that failed mid-file at the importer's --skip hint: every line reaches Matomo once", () => {
        const t = setUp(base, "resume");
        const a = logLines("a", 1, 10);
        t.write("1", "a.log", a);
        // Batches of 3 lines: lines 1-3 and 4-6 are recorded, the request with lines 7-9 fails.
        t.fail({ "a.log": { failAt: 7, runs: 1 } });
        const options = { LOG_IMPORT_OPTIONS: "--recorder-max-payload-size=3\n--exclude-path=/no such/*" };

        const first = t.run(options);
        assert.equal(first.status, 1, first.output);
        assert.match(first.stdout, /failed "a\.log" \(attempt 1 of 3, exit status 1\): Fatal error: HTTP Error 500/);
        assert.match(first.stdout, /the next run resumes "a\.log" from line 7/);
        assert.deepEqual(t.recorded(), expected(["1", a.slice(0, 6)]));

        const second = t.run(options);
        assert.equal(second.status, 0, second.output);
        assert.match(second.stdout, /resuming "a\.log" from line 7 \(--skip=6\), attempt 2 of 3/);
        assert.match(second.stdout, /imported "a\.log" lines 7-10: 4 requests imported successfully/);
        assert.deepEqual(t.runs()[1].slice(-4, -1), ["--skip=6", "--recorder-max-payload-size=3", "--exclude-path=/no such/*"]);
        assert.deepEqual(t.recorded(), expected(["1", a]));
    });

    it("gives up a file failing in LOG_MAX_ATTEMPTS runs and reports it until its report is removed, while other files import", () => {
        const t = setUp(base, "give-up");
        const [bad, good, later] = [logLines("bad", 1, 5), logLines("good", 1, 2), logLines("later", 1, 2)];
        t.write("1", "bad.log", bad);
        t.write("2", "good.log", good);
        t.fail({ "bad.log": { failAt: 2, runs: 3 } });
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
        assert.deepEqual(t.recorded(), expected(["1", bad], ["2", good], ["2", later]));
    });

    it("knows a rotated log by its content: renamed and compressed, only its new lines are imported", () => {
        const t = setUp(base, "rotated");
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
        assert.deepEqual(t.recorded(), expected(["1", old], ["1", current]));
    });

    it("reads the right files when paths hold spaces and glob characters", () => {
        const t = setUp(base, "odd names", { root: "synced logs", state: "state [v1] *" });
        const [brackets, plain] = [logLines("brackets", 1, 3), logLines("plain", 1, 2)];
        // Given to import_logs.py as it is, "web [1].log" would be a glob matching "web 1.log".
        t.write("1", "web [1].log", brackets);
        t.write("1", "web 1.log", plain);
        const run = t.run();
        assert.equal(run.status, 0, run.output);
        assert.match(run.stdout, /imported "web \[1\]\.log" lines 1-3:/);
        assert.match(run.stdout, /imported "web 1\.log" lines 1-2:/);
        assert.deepEqual(t.recorded(), expected(["1", brackets], ["1", plain]));
    });

    it("keeps the token out of its output and records, even when the importer prints it", () => {
        const t = setUp(base, "token");
        t.write("1", "fails.log", logLines("fails", 1, 2));
        t.write("2", "works.log", logLines("works", 1, 2));
        t.fail({ "fails.log": { failAt: 0, runs: -1 } });
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

    it("refuses importer options that it sets or that would mislead it, before importing anything", () => {
        const t = setUp(base, "options");
        t.write("1", "a.log", logLines("a", 1, 2));
        for (const option of ["--recorders=4", "--ski=2", "--dry-run"]) {
            const run = t.run({ LOG_IMPORT_OPTIONS: `--enable-bots\n${option}` });
            assert.equal(run.status, 2, run.output);
            assert.match(run.stderr, new RegExp(`LOG_IMPORT_OPTIONS: ${option.split("=")[0]} is set by this script`));
        }
        assert.deepEqual(t.runs(), []);
    });
});
