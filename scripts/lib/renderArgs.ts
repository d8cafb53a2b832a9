/**
 * The command line of `npm run render`: what to render and how, or what to tell the user. Pure
 * (the stacks that exist are given), so every wrong invocation has a tested answer.
 */
import { parseArgs } from "node:util";
import { STACK_OPTIONS, stackChoiceOf, stackOptionsHelp, type StackChoice } from "./stackChoice";

export const FORMATS = ["yaml", "json", "capacity"] as const;
export type Format = (typeof FORMATS)[number];

export const USAGE = "usage: npm run --silent render -- (--stack NAME | --stack-file PATH) [--format yaml|json|capacity]";

/** `--help`: what the command does, each option, and what it prints. */
export function helpText(stacks: readonly string[]): string {
    return `render: print what a stack would create, offline (no cluster, cloud account or Pulumi CLI needed)

${USAGE}

${stackOptionsHelp(stacks)}
  --format yaml       every Kubernetes object as YAML documents, like helm template (the default)
  --format json       every resource of the program: type, name, parent and inputs
  --format capacity   the web pod's worst-case memory against its limit, and the database
                      connections the installation can open against max_connections
  -h, --help          this help

Secret values show as [secret]; config.ini.php is shown whole, with only its secret values masked.
Invalid configuration (a file that is not a stack file included) prints every problem on stderr and
exits with 1; a wrong invocation (a stack file that is not there included) exits with 2.
`;
}

export type RenderArgs =
    | ({ readonly kind: "render"; readonly format: Format } & StackChoice)
    | { readonly kind: "help" }
    | { readonly kind: "wrong"; readonly message: string };

/**
 * Reads the arguments. `stacks` are the names of the repository's stack files; `--stack` must name
 * one of them.
 */
export function parseRenderArgs(argv: readonly string[], stacks: readonly string[]): RenderArgs {
    let values;
    try {
        values = parseArgs({
            args: [...argv],
            options: { ...STACK_OPTIONS, format: { type: "string", default: "yaml" } },
        }).values;
    } catch (e) {
        return { kind: "wrong", message: (e as Error).message };
    }
    if (values.help) return { kind: "help" };
    const format = values.format ?? "yaml";
    if (!(FORMATS as readonly string[]).includes(format)) {
        return { kind: "wrong", message: `--format ${JSON.stringify(format)} is not a format render knows: use yaml, json or capacity` };
    }
    const choice = stackChoiceOf(values, stacks, "render");
    if ("kind" in choice) return choice;
    return { kind: "render", stack: choice.stack, stackFile: choice.stackFile, format: format as Format };
}
