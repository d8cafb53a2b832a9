/**
 * `render`, `policy` and `migrate` answer alike: exit 2 for a wrong invocation (a file that is not there
 * included), exit 1 for a file whose content they refuse, and every message names the file as the
 * user named it.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import fc from "fast-check";
import { main as migrate } from "../scripts/migrate";
import { main as policy } from "../scripts/policy";
import { main as render } from "../scripts/render";

/** A command's exit code and what it printed on each stream. */
async function outcome(command: typeof render | typeof migrate, ...args: string[]) {
    let stdout = "";
    let stderr = "";
    const status = await command(
        args,
        (text) => (stdout += text),
        (text) => (stderr += text),
    );
    return { status, stdout, stderr };
}

describe("render, policy and migrate on the command line", () => {
    let dir: string;
    before(() => (dir = mkdtempSync(join(tmpdir(), "matomo-command-line-"))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("exit 2 for a file that is not there, naming it and the usage, whatever its name", async () => {
        await fc.assert(
            fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}\.ya?ml$/), async (name) => {
                const path = join(dir, "missing", name);
                for (const [command, result] of [
                    ["render", await outcome(render, "--stack-file", path)],
                    ["policy", await outcome(policy, "--stack-file", path)],
                    ["migrate", await outcome(migrate, path)],
                ] as const) {
                    assert.equal(result.status, 2, `${command}: ${result.stderr}`);
                    assert.equal(result.stdout, "");
                    assert.ok(result.stderr.startsWith(`${command}: ${path}: no such file\nusage: `), result.stderr);
                }
            }),
            { numRuns: 10 },
        );
    });

    it("exit 2 for a directory given as the file", async () => {
        mkdirSync(join(dir, "a-directory.yaml"));
        const path = join(dir, "a-directory.yaml");
        assert.equal((await outcome(render, "--stack-file", path)).status, 2);
        assert.equal((await outcome(migrate, path)).status, 2);
    });

    it("exit 1 for a file that is not YAML, naming it", async () => {
        const path = join(dir, "Pulumi.broken.yaml");
        writeFileSync(path, "config:\n  matomo:matomo: [\n");
        for (const [command, result] of [
            ["render", await outcome(render, "--stack-file", path)],
            ["migrate", await outcome(migrate, path)],
        ] as const) {
            assert.equal(result.status, 1, `${command}: ${result.stderr}`);
            assert.ok(result.stderr.startsWith(`${command}: ${path}: not valid YAML: `), result.stderr);
            assert.equal(result.stdout, "");
        }
    });

    it("render exits 1 for a file that is no stack file", async () => {
        const path = join(dir, "values.yaml");
        writeFileSync(path, "matomo:\n  hostname: analytics.example.com\n");
        const result = await outcome(render, "--stack-file", path);
        assert.equal(result.status, 1);
        assert.match(result.stderr, /"matomo" is not a key of a Pulumi stack file/);
    });

    it("render names the stack file the user gave, relative as given, never one of its own", async () => {
        const path = join(dir, "staging.yaml");
        writeFileSync(path, "config:\n  gcp:project: acme\n");
        const given = relative(process.cwd(), path);
        const result = await outcome(render, "--stack-file", given);
        assert.equal(result.status, 1);
        assert.ok(result.stderr.includes(`none is set: this program's settings go under config: in ${given},`), result.stderr);
        assert.doesNotMatch(result.stderr, /Pulumi\.render\.yaml/);
        const capacity = await outcome(render, "--stack-file", given, "--format", "capacity");
        assert.ok(capacity.stderr.includes(`go under config: in ${given},`), capacity.stderr);
    });
});
