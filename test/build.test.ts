/**
 * The compiled program: what Pulumi runs (scripts/pulumi-program.js, which loads bin/) registers
 * exactly what the TypeScript sources do, and a change to the sources is compiled before it runs.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, ensureBuilt } from "../scripts/build";
import { runProgram } from "../scripts/lib/mockEngine";
import { ROOT, runStack, stackConfig } from "./support/harness";
import { startsProcesses } from "./support/system";

describe("the compiled program", () => {
    it("registers the same resources, with the same inputs, as the sources", async function () {
        this.timeout(60_000);
        ensureBuilt();
        const config = stackConfig("dev");
        const compiled = await runProgram({
            config: config.values,
            secretKeys: config.secretKeys,
            stack: "dev",
            program: () => require(join(ROOT, "scripts", "pulumi-program.js")) as unknown,
        });
        const sources = await runStack("dev");
        const byUrn = (r: typeof sources) => new Map(r.resources.map((x) => [x.urn, x.inputs]));
        assert.deepEqual(byUrn(compiled), byUrn(sources));
    });

    it("runs without the SDK's per-promise stack traces, unless MATOMO_STACK_TRACES asks for them", () => {
        const launcher = join(ROOT, "scripts", "pulumi-program.js");
        const limitAfterLoading = (env: string | undefined): number => {
            // The launcher is loaded again; bin/index.js stays cached, so nothing is registered twice.
            delete require.cache[launcher];
            if (env === undefined) delete process.env.MATOMO_STACK_TRACES;
            else process.env.MATOMO_STACK_TRACES = env;
            Error.stackTraceLimit = 10;
            require(launcher);
            return Error.stackTraceLimit;
        };
        const before = Error.stackTraceLimit;
        try {
            assert.equal(limitAfterLoading(undefined), 0);
            assert.equal(limitAfterLoading("1"), 10);
        } finally {
            delete process.env.MATOMO_STACK_TRACES;
            Error.stackTraceLimit = before;
        }
    });

    describe("on a scratch project", () => {
        let root: string;
        before(function () {
            startsProcesses(this);
            root = mkdtempSync(join(tmpdir(), "matomo-build-"));
            cpSync(join(ROOT, "tsconfig.json"), join(root, "tsconfig.json"));
            mkdirSync(join(root, "components", "scripts"), { recursive: true });
            writeFileSync(join(root, "index.ts"), 'import { answer } from "./components/answer";\nexport = answer();\n');
            writeFileSync(join(root, "components", "answer.ts"), "export function answer(): number {\n    return 41;\n}\n");
            writeFileSync(join(root, "components", "scripts", "run.sh"), "echo hi\n");
        });
        after(() => {
            if (root) rmSync(root, { recursive: true, force: true }); // unset when the suite was skipped
        });

        /** What the built program exports, run by a fresh Node. */
        const exported = () =>
            spawnSync(process.execPath, ["-p", `require(${JSON.stringify(join(root, "bin", "index.js"))})`], {
                encoding: "utf8",
            }).stdout.trim();

        it("compiles TypeScript to CommonJS and copies the other files beside it", () => {
            build(root);
            assert.equal(exported(), "41");
            assert.equal(readFileSync(join(root, "bin", "components", "scripts", "run.sh"), "utf8"), "echo hi\n");
        });

        it("rebuilds when a source changed, and only then", () => {
            build(root);
            const stamp = readFileSync(join(root, "bin", ".source-hash"), "utf8");
            ensureBuilt(root, true);
            assert.equal(readFileSync(join(root, "bin", ".source-hash"), "utf8"), stamp, "unchanged sources: no rebuild");
            writeFileSync(join(root, "components", "answer.ts"), "export function answer(): number {\n    return 42;\n}\n");
            ensureBuilt(root, true);
            assert.equal(exported(), "42", "the changed source runs, never the stale build");
            rmSync(join(root, "bin"), { recursive: true });
            ensureBuilt(root, true);
            assert.equal(exported(), "42", "a missing build is made");
        });
    });
});
