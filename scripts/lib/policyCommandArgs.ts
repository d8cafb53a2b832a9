/**
 * The command line of `npm run policy` and what it prints: pure (the stacks that exist and the
 * violations are given), so every invocation and every report has a tested answer.
 */
import { parseArgs } from "node:util";
import type { PackViolation } from "./policyPack";
import { STACK_OPTIONS, stackChoiceOf, stackOptionsHelp, type StackChoice } from "./stackChoice";

export const USAGE = "usage: npm run --silent policy -- (--stack NAME | --stack-file PATH) [--policy-pack-config PATH]";

/** `--help`: what the command does, each option, and its exit codes. */
export function helpText(stacks: readonly string[]): string {
    return `policy: run the policy pack (policy/) over what a stack would create, offline (no cluster,
cloud account or Pulumi CLI needed), as pulumi preview --policy-pack policy runs it

${USAGE}

${stackOptionsHelp(stacks)}
  --policy-pack-config PATH
                      the rules' levels and settings, the JSON file pulumi preview --policy-pack-config
                      reads (e.g. {"network-policies-present": {"networkPolicies": "off"}})
  -h, --help          this help

Prints each violation: its level, its rule, the resource and what to change. Exits with 1 when a
mandatory rule is violated (pulumi preview would stop there), else 0; invalid configuration prints
every problem on stderr and exits with 1; a wrong invocation exits with 2.
`;
}

export type PolicyArgs =
    | ({ readonly kind: "check"; readonly packConfig: string | undefined } & StackChoice)
    | { readonly kind: "help" }
    | { readonly kind: "wrong"; readonly message: string };

/** Reads the arguments. `stacks` are the names of the repository's stack files; `--stack` must name one of them. */
export function parsePolicyArgs(argv: readonly string[], stacks: readonly string[]): PolicyArgs {
    let values;
    try {
        values = parseArgs({ args: [...argv], options: { ...STACK_OPTIONS, "policy-pack-config": { type: "string" } } }).values;
    } catch (e) {
        return { kind: "wrong", message: (e as Error).message };
    }
    if (values.help) return { kind: "help" };
    const choice = stackChoiceOf(values, stacks, "check");
    if ("kind" in choice) return choice;
    return { kind: "check", stack: choice.stack, stackFile: choice.stackFile, packConfig: values["policy-pack-config"] };
}

/** The report: each violation (level, rule, resource, message), then a line that sums them up. */
export function policyReport(violations: readonly PackViolation[], stack: string, rules: number, resources: number): string {
    const lines = violations.map((v) => {
        const resource = v.resource ? `${v.resource.type} ${v.resource.name}` : "the stack";
        return `${v.level} ${v.policy}: ${resource}\n    ${v.message}\n`;
    });
    const mandatory = violations.filter((v) => v.level === "mandatory").length;
    const checked = `${rules} rules over the ${resources} resources of stack ${stack}`;
    const summary =
        violations.length === 0
            ? `policy: no violation of the ${checked}`
            : `policy: ${violations.length} violation${violations.length === 1 ? "" : "s"} (${mandatory} mandatory) of the ${checked}` +
              (mandatory > 0 ? ": pulumi preview --policy-pack policy would stop" : "");
    return `${lines.join("")}${summary}\n`;
}
