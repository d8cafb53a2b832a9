/**
 * No process a test starts may outlive the test run.
 *
 * Every process the suite starts inherits the marker variable set below (children inherit the
 * environment, and so do their children), so a process that still carries it when the run ends is
 * one the suite left behind, however it was started and whoever its parent is by then. Mocha's
 * global teardown kills such processes and fails the run, naming them. Loaded for every run by
 * `.mocharc.json`.
 */
import { spawnSync, type SpawnSyncOptionsWithStringEncoding, type SpawnSyncReturns } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The variable that marks this run's processes. */
export const RUN_MARKER = "MATOMO_TEST_RUN";

process.env[RUN_MARKER] ??= `${process.pid}-${Date.now()}`;
const marker = `${RUN_MARKER}=${process.env[RUN_MARKER]}`;

/**
 * A directory the whole run shares (every worker process derives the same name from the marker),
 * for what is worth making once per run, such as an initialised MariaDB data directory. Created by
 * whoever needs it first; removed by the global teardown.
 */
export const RUN_DIRECTORY = join(tmpdir(), `matomo-test-${process.env[RUN_MARKER]}`);

export interface LeftProcess {
    readonly pid: number;
    readonly command: string;
}

/**
 * The TypeScript loader's compiler service (tsx runs esbuild as a child of the test runner). It is
 * not started by a test and ends when its parent does.
 */
const LOADER_SERVICE = /\/esbuild --service=/;

/** Live processes of this run other than the test runner itself (zombies are dead and ignored). */
export function leftoverProcesses(): LeftProcess[] {
    const left: LeftProcess[] = [];
    for (const entry of readdirSync("/proc")) {
        const pid = Number(entry);
        if (!Number.isInteger(pid) || pid === process.pid) continue;
        try {
            if (!readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(marker)) continue;
            const command = readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").join(" ").trim();
            if (command !== "" && !LOADER_SERVICE.test(command)) left.push({ pid, command });
        } catch {
            // The process ended while we looked, or is not ours to read.
        }
    }
    return left;
}

/**
 * `spawnSync` in a process group of its own, which is killed when the command returns: a server
 * the command started in the background (and that server's workers) cannot outlive it.
 */
export function spawnGroupSync(
    command: string,
    args: readonly string[],
    options: SpawnSyncOptionsWithStringEncoding,
): SpawnSyncReturns<string> {
    // Node's spawnSync honours `detached` (a new session, so a new process group) though its types omit it.
    const result = spawnSync(command, args, { ...options, detached: true } as SpawnSyncOptionsWithStringEncoding);
    if (result.pid) {
        try {
            process.kill(-result.pid, "SIGKILL");
        } catch {
            // Nothing left in the group.
        }
    }
    return result;
}

/**
 * Mocha's global teardown: removes the run's shared directory, and fails the run when a process of
 * it is still running, after killing it.
 */
export function mochaGlobalTeardown(): void {
    const left = leftoverProcesses();
    for (const { pid } of left) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // Already gone.
        }
    }
    rmSync(RUN_DIRECTORY, { recursive: true, force: true });
    if (left.length > 0) {
        throw new Error(
            `the tests left ${left.length} process(es) running (now killed):\n${left.map((p) => `  ${p.pid} ${p.command}`).join("\n")}`,
        );
    }
}
