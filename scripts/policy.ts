/**
 * Runs the policy pack (policy/) over what a stack would create, offline: the program runs under
 * the mock engine the tests and `render` use, and every rule checks its resources as
 * `pulumi preview --policy-pack policy` would. So a pull request's author sees a violation before
 * the preview does, without a cluster, a cloud account or the Pulumi CLI.
 *
 *   npm run --silent policy -- --stack dev
 *   npm run --silent policy -- --stack-file path/to/Pulumi.x.yaml
 *   npm run --silent policy -- --stack dev --policy-pack-config policy-config.json
 *   npm run --silent policy -- --help
 *
 * Exit codes: 1 when a mandatory rule is violated, else 0; 1 for invalid configuration (the
 * problems on stderr, as render prints them); 2 for a wrong invocation, a stack file or policy
 * configuration that is missing included.
 */
import "./lib/compileCache"; // first: before any SDK is loaded
import { existsSync, readFileSync } from "node:fs";
import { ConfigError } from "../components/config";
import { runProgram } from "./lib/mockEngine";
import { helpText, parsePolicyArgs, policyReport, USAGE } from "./lib/policyCommandArgs";
import { enabledRules, packConfigProblems, packViolations, type PackConfig } from "./lib/policyPack";
import { PROJECT_ROOT } from "./lib/projectRoot";
import { repositoryStacks, stackFileOf } from "./lib/stackChoice";
import { encryptionOfConfig, readStackFile, UnreadableFile } from "./lib/stackFile";

const ROOT = PROJECT_ROOT;

/** The pack configuration in `file`, or what is wrong with it. */
function readPackConfig(file: string): PackConfig | string {
    if (!existsSync(file)) return `--policy-pack-config ${file}: no such file`;
    let config: unknown;
    try {
        config = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
        return `--policy-pack-config ${file}: not valid JSON: ${(e as Error).message}`;
    }
    const problems = packConfigProblems(config);
    return problems.length === 0 ? (config as PackConfig) : problems.map((p) => `--policy-pack-config ${file}: ${p}`).join("\n");
}

/** Says what was wrong with the invocation; returns its exit code, 2. */
function wrongInvocation(message: string, err: (text: string) => void): number {
    err(`policy: ${message}\n${USAGE}\n(npm run --silent policy -- --help explains each option)\n`);
    return 2;
}

/** Runs the command; returns its exit code. */
export async function main(argv: string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
    const stacks = repositoryStacks(ROOT);
    const args = parsePolicyArgs(argv, stacks);
    if (args.kind === "help") {
        out(helpText(stacks));
        return 0;
    }
    if (args.kind === "wrong") return wrongInvocation(args.message, err);
    const { file, stack } = stackFileOf(args, ROOT);
    const packConfig = args.packConfig === undefined ? {} : readPackConfig(args.packConfig);
    if (typeof packConfig === "string") return wrongInvocation(packConfig, err);
    let config;
    try {
        // Messages name the file as the user named it.
        config = readStackFile(file, args.stackFile ?? `Pulumi.${args.stack}.yaml`);
    } catch (e) {
        // A file that cannot be read is a wrong invocation; one that is not a stack file, invalid configuration.
        if (e instanceof UnreadableFile) return wrongInvocation((e as Error).message, err);
        err(`policy: ${(e as Error).message}\n`);
        return 1;
    }
    try {
        const stackFile = { path: config.file, encryption: encryptionOfConfig(config) };
        const run = await runProgram({ config: config.values, secretKeys: config.secretKeys, stack, stackFile });
        const violations = await packViolations(run.resources, packConfig);
        const resources = run.resources.filter((r) => r.custom).length;
        out(policyReport(violations, stack, enabledRules(packConfig).length, resources));
        return violations.some((v) => v.level === "mandatory") ? 1 : 0;
    } catch (e) {
        if (e instanceof ConfigError) {
            err(`${e.message}\n`);
            return 1;
        }
        throw e;
    }
}

if (require.main === module) {
    // A reader that stops early (`| head`) is no error.
    process.stdout.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code !== "EPIPE") throw e;
    });
    // The exit code is set, not forced: process.exit() would cut off output still queued for a pipe.
    main(
        process.argv.slice(2),
        (text) => process.stdout.write(text),
        (text) => process.stderr.write(text),
    ).then(
        (code) => (process.exitCode = code),
        (e) => {
            process.stderr.write(`policy failed: ${e instanceof Error ? e.stack : String(e)}\n`);
            process.exitCode = 1;
        },
    );
}
