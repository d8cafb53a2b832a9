/**
 * Tests that need a system binary (shellcheck, mariadbd, php). On a developer machine without it
 * they are skipped with a visible message; in CI (`CI=true`) a missing binary fails the run,
 * because `.ci/run` installs all of them.
 */
import { spawnSync } from "node:child_process";

export function hasBinary(name: string): boolean {
    return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

/** Skips the calling suite (from a `before` hook) unless every binary is installed. */
export function requireBinaries(context: Mocha.Context, ...names: string[]): void {
    const missing = names.filter((n) => !hasBinary(n));
    if (missing.length === 0) return;
    const message = `${missing.join(", ")} not installed (see .ci/run for the packages)`;
    if (process.env.CI) throw new Error(`${message}: required in CI`);
    console.warn(`    SKIPPED: ${context.test?.parent?.title ?? "suite"}: ${message}`);
    context.skip();
}
