/**
 * One timed run of `npm run bench`, in a fresh Node process on the compiled code (bin/): either the
 * program under the mock engine with a stack file's config, or the floor every Pulumi program pays,
 * which loads the four SDKs the project depends on with plain `require` and registers one resource.
 * The driver (scripts/bench.ts) times the whole process, start-up included.
 *
 *   node bin/scripts/lib/benchRun.js program Pulumi.dev.yaml
 *   node bin/scripts/lib/benchRun.js floor
 */
import { basename } from "node:path";
import { runProgram } from "./mockEngine";
import { readStackFile } from "./stackFile";

async function main(mode: string | undefined, file: string | undefined): Promise<void> {
    if (mode === "floor") {
        await runProgram({
            config: {},
            program: () => {
                for (const sdk of ["@pulumi/random", "@pulumi/gcp"]) require(sdk);
                const k8s = require("@pulumi/kubernetes") as typeof import("@pulumi/kubernetes");
                new k8s.core.v1.ConfigMap("floor", { data: { a: "b" } });
            },
        });
        return;
    }
    if (mode !== "program" || !file) throw new Error("usage: benchRun.js program <stack file> | floor");
    const config = readStackFile(file);
    const stack = basename(file).replace(/^Pulumi\.|\.yaml$/g, "");
    await runProgram({ config: config.values, secretKeys: config.secretKeys, stack });
}

main(process.argv[2], process.argv[3]).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
});
