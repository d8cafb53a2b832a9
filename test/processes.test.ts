/**
 * The guard that no test process outlives the run (test/support/processes.ts) finds what a test
 * left behind, and the group runner stops what a command started in the background.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { leftoverProcesses, spawnGroupSync } from "./support/processes";
import { startsProcesses } from "./support/system";

const sleeping = (tag: string) => leftoverProcesses().filter((p) => p.command.includes(tag));

/** The processes tagged `tag` once SIGKILL has taken effect (it is delivered asynchronously): polls for up to 2 s. */
function sleepingAfterKill(tag: string) {
    const deadline = Date.now() + 2000;
    let left = sleeping(tag);
    while (left.length > 0 && Date.now() < deadline) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
        left = sleeping(tag);
    }
    return left;
}

describe("processes started by tests", () => {
    before(function () {
        startsProcesses(this);
    });

    it("are found when a test leaves one running", () => {
        const tag = "1237";
        spawnSync("sh", ["-c", `sleep ${tag} >/dev/null 2>&1 &`]);
        const left = sleeping(`sleep ${tag}`);
        assert.equal(left.length, 1, "the background sleep carries the run's marker");
        process.kill(left[0].pid, "SIGKILL");
        assert.equal(sleepingAfterKill(`sleep ${tag}`).length, 0);
    });

    it("are stopped with their process group when run through spawnGroupSync", () => {
        const tag = "1238";
        const result = spawnGroupSync("sh", ["-c", `sleep ${tag} >/dev/null 2>&1 & echo started`], { encoding: "utf8" });
        assert.equal(result.stdout.trim(), "started");
        assert.equal(sleepingAfterKill(`sleep ${tag}`).length, 0, "the background sleep is gone with its group");
    });
});
