/**
 * The fast inner loop, `npm run test:unit` (test/support/unitMode.ts): the same test files as
 * `npm test`, without the tests that start a process. What keeps that split honest: a test file
 * that can start a process says where it does, and in unit mode a process started without saying
 * so fails the test.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ROOT } from "./support/harness";
import { RUN_MARKER } from "./support/processes";
import { startsProcesses } from "./support/system";
import { refusal, UNIT_MODE, UNIT_PROPERTY_RUNS } from "./support/unitMode";

/** The test files npm test runs (its spec, `test/**\/*.test.ts`). */
function testFiles(dir = join(ROOT, "test")): string[] {
    return readdirSync(dir).flatMap((entry) => {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) return testFiles(path);
        return path.endsWith(".test.ts") ? [relative(ROOT, path)] : [];
    });
}

/** What a file imports: the repository's files (relative imports, resolved) and Node's built-in modules. */
function importsOf(file: string): string[] {
    const text = readFileSync(resolve(ROOT, file), "utf8");
    const specifiers = [...text.matchAll(/^(?:import|export)(?!\s+type\b)[^;]*?\bfrom\s+"([^"]+)"/gms)].map((m) => m[1]);
    return specifiers.flatMap((specifier) => {
        if (specifier.startsWith("node:")) return [specifier];
        if (!specifier.startsWith(".")) return [];
        const base = resolve(ROOT, dirname(file), specifier);
        const target = [`${base}.ts`, join(base, "index.ts")].find((candidate) => existsSync(candidate));
        return target ? [relative(ROOT, target)] : [];
    });
}

/**
 * Whether a file, or anything of the repository it imports, imports node:child_process (but for
 * the module of unit mode, which imports it only to refuse every start).
 */
function canStartProcesses(file: string, seen = new Set<string>(["test/support/unitMode.ts"])): boolean {
    if (seen.has(file)) return false;
    seen.add(file);
    return importsOf(file).some((to) => to === "node:child_process" || (!to.startsWith("node:") && canStartProcesses(to, seen)));
}

/** Runs mocha as `npm test` does, on one file; its JSON report. */
function mocha(file: string, unit: boolean) {
    // A run with a marker of its own: with this run's, its teardown would take this run's processes for its leftovers.
    const env: NodeJS.ProcessEnv = { ...process.env, [UNIT_MODE]: unit ? "1" : "" };
    delete env[RUN_MARKER];
    const result = spawnSync(process.execPath, [require.resolve("mocha/bin/mocha.js"), "--reporter", "json", file], {
        cwd: ROOT,
        encoding: "utf8",
        env,
    });
    const report = JSON.parse(result.stdout.slice(result.stdout.indexOf("{"))) as {
        stats: { passes: number; pending: number; failures: number };
        failures: { title: string; err: { message: string } }[];
    };
    return { status: result.status, ...report };
}

describe("the fast inner loop (npm run test:unit)", () => {
    it("runs npm test's files, in unit mode, and mocha alone runs only the files it is given", () => {
        const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
        assert.equal(scripts.test, "mocha 'test/**/*.test.ts'");
        assert.equal(scripts["test:unit"], `${UNIT_MODE}=1 ${scripts.test}`);
        const settings = JSON.parse(readFileSync(join(ROOT, ".mocharc.json"), "utf8")) as Record<string, unknown>;
        assert.equal(settings.spec, undefined, "a spec in .mocharc.json would run the whole suite beside `npx mocha <file>`");
        assert.ok((settings.require as string[]).includes("test/support/unitMode.ts"));
    });

    it("finds every test file that can start a process saying where it does", () => {
        const files = testFiles();
        assert.ok(files.length > 50, `test files found: ${files.length}`);
        const silent = files.filter(
            (f) => canStartProcesses(f) && !/\b(requireBinaries|startsProcesses)\(this\b/.test(readFileSync(join(ROOT, f), "utf8")),
        );
        assert.deepEqual(silent, [], "call requireBinaries(this, ...) or startsProcesses(this) where these files start a process");
    });

    it("lets no property test ask fast-check for more cases than the fast loop tries, except through propertyRuns", () => {
        // A property (fc.assert) counts; a sample of values (fc.sample) is data for a test, not a property.
        const asking = testFiles().flatMap((f) =>
            readFileSync(join(ROOT, f), "utf8")
                .split("\n")
                .filter((line) => !line.includes("fc.sample("))
                .flatMap((line) => [...line.matchAll(/\bnumRuns:\s*(\d+)/g)])
                .filter((m) => Number(m[1]) > UNIT_PROPERTY_RUNS)
                .map((m) => `${f}: ${m[0]}`),
        );
        assert.deepEqual(asking, [], "write numRuns: propertyRuns(n), so npm run test:unit tries fewer");
    });

    describe("on a test file", () => {
        const fixture = "test/fixtures/unit-mode/processes.fixture.ts";
        before(function () {
            startsProcesses(this);
            this.timeout(120_000);
        });

        it("skips the tests that say they start a process, and fails one that starts a process without saying so", () => {
            const run = mocha(fixture, true);
            assert.deepEqual(run.stats.passes, 1);
            assert.deepEqual(run.stats.pending, 2);
            assert.deepEqual(
                run.failures.map((f) => [f.title, f.err.message]),
                [["runs sh without saying so", refusal("sh")]],
            );
            assert.notEqual(run.status, 0);
        });

        it("runs them all under npm test", () => {
            const run = mocha(fixture, false);
            assert.deepEqual([run.stats.passes, run.stats.pending, run.stats.failures], [4, 0, 0]);
            assert.equal(run.status, 0);
        });
    });
});
