/**
 * `npm run test:unit`, the fast inner loop: the same test files as `npm test`, without the tests
 * that start a process (a real tool such as shellcheck, mariadbd or php, or the program's compiled
 * command line in a fresh Node). Such a test says so by calling `requireBinaries` or
 * `startsProcesses` (test/support/system.ts) from its suite's `before` hook or from the test
 * itself; in unit mode that skips it (mocha counts it as pending).
 *
 * The classification cannot be escaped silently: in unit mode, every way of starting a process
 * (node:child_process) throws, naming the command and what to do. A test that starts a tool
 * without saying so fails `npm run test:unit` instead of slowing it down or needing the tool.
 * Loaded for every run by `.mocharc.json`; `npm run test:unit` sets the variable.
 */
import childProcess from "node:child_process";
import fc from "fast-check";

/** The variable that switches unit mode on (`1`). */
export const UNIT_MODE = "MATOMO_TEST_UNIT";

export function unitMode(): boolean {
    return process.env[UNIT_MODE] === "1";
}

/** Every export of node:child_process that starts a process. */
const STARTERS = ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"] as const;

/** The message of a refused start: the command, and how to move the test out of the fast loop. */
export function refusal(command: unknown): string {
    return (
        `npm run test:unit starts no process, and a test tried to run ${JSON.stringify(command)}: ` +
        "call requireBinaries(this, ...) or startsProcesses(this) (test/support/system.ts) in its suite's before hook " +
        "(or in the test), so that npm test runs it and npm run test:unit skips it"
    );
}

/**
 * Makes every process start of this process throw {@link refusal}. Installed in the process that
 * runs the tests (a mocha worker in parallel mode) before the first hook, not when the file is
 * loaded: the main mocha process forks its workers with node:child_process.
 */
export function refuseProcesses(): void {
    const module = childProcess as unknown as Record<string, unknown>;
    for (const name of STARTERS) {
        module[name] = (command: unknown) => {
            throw new Error(refusal(command));
        };
    }
}

/**
 * The cases a property test (fast-check) tries under `npm run test:unit`, where it would try more:
 * enough to catch a property broken for most inputs while you work, cheap enough for the fast
 * loop. `npm test` tries every case the test asks for (fast-check's default: 100).
 */
export const UNIT_PROPERTY_RUNS = 25;

/** The cases for a property test that asks for `numRuns`: fewer under `npm run test:unit` ({@link UNIT_PROPERTY_RUNS}). */
export function propertyRuns(numRuns: number): number {
    return unitMode() ? Math.min(numRuns, UNIT_PROPERTY_RUNS) : numRuns;
}

/**
 * Mocha's root hooks: in unit mode, no process is started from the first hook on, and a property
 * test that does not say how many cases it tries tries {@link UNIT_PROPERTY_RUNS}.
 */
export const mochaHooks = {
    beforeAll(): void {
        if (!unitMode()) return;
        refuseProcesses();
        fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: UNIT_PROPERTY_RUNS });
    },
};

/**
 * Skips the calling suite (from a `before` hook) or test under `npm run test:unit`: for a
 * whole-program check that needs every variant at once (test/support/variants.ts `everyVariant`),
 * which would cost the fast loop more than its coverage is worth there. `npm test` runs it.
 */
export function fullSuiteOnly(context: Mocha.Context): void {
    if (unitMode()) context.skip();
}
