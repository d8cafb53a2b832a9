/**
 * One timed run of `npm run bench`, in a fresh Node process on the compiled code (bin/): either the
 * program (through the launcher Pulumi runs) under the mock engine with a stack file's config, or
 * the floor every Pulumi program pays,
 * which loads the four SDKs the project depends on with plain `require` and registers one resource.
 * The driver (scripts/bench.ts) times the whole process, start-up included.
 *
 *   BENCH_CONFIG='{"values":{...},"secretKeys":[],"stack":"dev"}' node bin/scripts/lib/benchRun.js program
 *   node bin/scripts/lib/benchRun.js floor
 */
import { join } from "node:path";
import { runProgram } from "./mockEngine";
import { PROJECT_ROOT } from "./projectRoot";

async function main(mode: string | undefined, config: string | undefined): Promise<void> {
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
    if (mode !== "program" || !config) throw new Error("usage: BENCH_CONFIG=<json> benchRun.js program | floor");
    // The stack's config as the Pulumi CLI hands it over, parsed: the program never reads YAML.
    const { values, secretKeys, stack } = JSON.parse(config) as { values: Record<string, string>; secretKeys: string[]; stack: string };
    // Through the launcher, as Pulumi runs the program (after loading the SDK's core itself).
    await runProgram({
        config: values,
        secretKeys,
        stack,
        program: () => require(join(PROJECT_ROOT, "scripts", "pulumi-program.js")) as unknown,
    });
}

main(process.argv[2], process.env.BENCH_CONFIG).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
});
