/**
 * `npm run bench`: how long the program takes to start and register its resources, against the
 * floor every Pulumi program with these SDKs pays. Each stack file's program runs under the mock
 * engine, compiled (bin/, as Pulumi runs it), in a fresh Node process, N times; so does the floor
 * (load @pulumi/pulumi, kubernetes, random and gcp with plain `require`, register one resource).
 * It prints the medians and their ratio; docs/architecture.md records the figures.
 *
 *   npm run bench                # 7 runs each
 *   npm run bench -- --runs 15
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "./lib/projectRoot";
import { readStackFile } from "./lib/stackFile";

const RUNNER = join(PROJECT_ROOT, "bin", "scripts", "lib", "benchRun.js");

/** A case: the runner's mode and, for the program, the stack's config as JSON. */
type Case = { readonly mode: "floor" | "program"; readonly config?: string };

/** Wall-clock seconds of one run of the runner. */
function timed(c: Case): number {
    const start = process.hrtime.bigint();
    const env = c.config ? { ...process.env, BENCH_CONFIG: c.config } : process.env;
    const result = spawnSync(process.execPath, [RUNNER, c.mode], { cwd: PROJECT_ROOT, encoding: "utf8", env });
    if (result.status !== 0) throw new Error(`bench run (${c.mode}) failed:\n${result.stderr}`);
    return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Medians of `runs` runs of each case, interleaved so that a busy moment hits every case alike. */
function bench(cases: Readonly<Record<string, Case>>, runs: number): Record<string, number> {
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
    timed(cases.floor); // warm the file cache: the first run reads every SDK file from disk
    for (let i = 0; i < runs; i++) for (const [name, c] of Object.entries(cases)) times[name].push(timed(c));
    return Object.fromEntries(Object.entries(times).map(([name, values]) => [name, median(values)]));
}

if (require.main === module) {
    const flag = process.argv.indexOf("--runs");
    const runs = flag >= 0 ? Number(process.argv[flag + 1]) : 7;
    if (!Number.isInteger(runs) || runs < 1) {
        process.stderr.write("bench: --runs takes a whole number of runs, at least 1\n");
        process.exit(2);
    }
    const stacks = readdirSync(PROJECT_ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));
    const cases: Record<string, Case> = { floor: { mode: "floor" } };
    for (const file of stacks) {
        const { values, secretKeys } = readStackFile(join(PROJECT_ROOT, file));
        cases[file] = { mode: "program", config: JSON.stringify({ values, secretKeys, stack: file.split(".")[1] }) };
    }
    const medians = bench(cases, runs);
    process.stdout.write(`median of ${runs} runs, each a fresh Node process (node ${process.version})\n`);
    process.stdout.write(`  floor (SDKs by plain require, one resource)  ${medians.floor.toFixed(2)} s\n`);
    for (const file of stacks) {
        process.stdout.write(`  ${file.padEnd(44)} ${medians[file].toFixed(2)} s   ratio ${(medians[file] / medians.floor).toFixed(2)}\n`);
    }
}
