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
import { runAsCommand } from "./lib/command";
import { helpText, parsePolicyArgs, policyReport, USAGE } from "./lib/policyCommandArgs";
import { enabledRules, packConfigProblems, packViolations, type PackConfig } from "./lib/policyPack";
import { PROJECT_ROOT } from "./lib/projectRoot";
import { repositoryStacks, stackFileOf } from "./lib/stackChoice";
import { readChosenStackFile, refusingConfig, runStackFile } from "./lib/stackCommand";

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
    const config = readChosenStackFile("policy", file, args.stackFile ?? `Pulumi.${args.stack}.yaml`, err, (message) =>
        wrongInvocation(message, err),
    );
    if (typeof config === "number") return config;
    return refusingConfig(err, async () => {
        const run = await runStackFile(config, stack);
        const violations = await packViolations(run.resources, packConfig);
        const resources = run.resources.filter((r) => r.custom).length;
        out(policyReport(violations, stack, enabledRules(packConfig).length, resources));
        return violations.some((v) => v.level === "mandatory") ? 1 : 0;
    });
}

if (require.main === module) runAsCommand("policy", main);
