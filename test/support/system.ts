/**
 * Tests that need a system binary (shellcheck, mariadbd, php). On a developer machine without it
 * they are skipped with a visible message; in CI (`CI=true`) a missing binary fails the run,
 * because `.ci/run` installs all of them. These, and every other test that starts a process, are
 * what `npm run test:unit` leaves out (test/support/unitMode.ts).
 */
import { spawnSync } from "node:child_process";
import { unitMode } from "./unitMode";

export function hasBinary(name: string): boolean {
    return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

/**
 * Marks the calling suite (from a `before` hook) or test as one that starts processes: the program's
 * compiled command line in a fresh Node, a shell, a tool. `npm run test:unit` skips it; `npm test`
 * runs it. A test that runs a system binary calls {@link requireBinaries}, which does this too.
 */
export function startsProcesses(context: Mocha.Context): void {
    if (unitMode()) context.skip();
}

/** Skips the calling suite (from a `before` hook) unless every binary is installed, and under `npm run test:unit`. */
export function requireBinaries(context: Mocha.Context, ...names: string[]): void {
    startsProcesses(context);
    const missing = names.filter((n) => !hasBinary(n));
    if (missing.length === 0) return;
    const message = `${missing.join(", ")} not installed (see .ci/run for the packages)`;
    if (process.env.CI) throw new Error(`${message}: required in CI`);
    console.warn(`    SKIPPED: ${context.test?.parent?.title ?? "suite"}: ${message}`);
    context.skip();
}
