/**
 * The command line of `npm run render`: what to render and how, or what to tell the user. Pure
 * (the stacks that exist are given), so every wrong invocation has a tested answer.
 */
import { parseArgs } from "node:util";

export const FORMATS = ["yaml", "json", "capacity"] as const;
export type Format = (typeof FORMATS)[number];

export const USAGE = "usage: npm run --silent render -- (--stack NAME | --stack-file PATH) [--format yaml|json|capacity]";

/** `--help`: what the command does, each option, and what it prints. */
export function helpText(stacks: readonly string[]): string {
    return `render: print what a stack would create, offline (no cluster, cloud account or Pulumi CLI needed)

${USAGE}

  --stack NAME        the repository's stack file Pulumi.NAME.yaml (here: ${stacks.join(", ") || "none"})
  --stack-file PATH   any stack file, for example one you are migrating to
  --format yaml       every Kubernetes object as YAML documents, like helm template (the default)
  --format json       every resource of the program: type, name, parent and inputs
  --format capacity   the web pod's worst-case memory against its limit, and the database
                      connections the installation can open against max_connections
  -h, --help          this help

Secret values show as [secret]; config.ini.php is shown whole, with only its secret values masked.
Invalid configuration prints every problem on stderr and exits with 1; a wrong invocation exits with 2.
`;
}

export type RenderArgs =
    | { readonly kind: "render"; readonly stack: string | undefined; readonly stackFile: string | undefined; readonly format: Format }
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
            options: {
                stack: { type: "string" },
                "stack-file": { type: "string" },
                format: { type: "string", default: "yaml" },
                help: { type: "boolean", short: "h" },
            },
        }).values;
    } catch (e) {
        return { kind: "wrong", message: (e as Error).message };
    }
    if (values.help) return { kind: "help" };
    const format = values.format ?? "yaml";
    if (!(FORMATS as readonly string[]).includes(format)) {
        return { kind: "wrong", message: `--format ${JSON.stringify(format)} is not a format render knows: use yaml, json or capacity` };
    }
    const { stack, "stack-file": stackFile } = values;
    if (stack !== undefined && stackFile !== undefined) {
        return { kind: "wrong", message: "--stack and --stack-file both given: render one stack at a time" };
    }
    if (stack === undefined && stackFile === undefined) {
        return { kind: "wrong", message: `no stack given: use --stack NAME (here: ${stacks.join(", ") || "none"}) or --stack-file PATH` };
    }
    if (stack !== undefined && !stacks.includes(stack)) {
        return {
            kind: "wrong",
            message: `no stack ${JSON.stringify(stack)} here (no Pulumi.${stack}.yaml): the stacks are ${stacks.join(", ") || "none"}; for a file elsewhere use --stack-file PATH`,
        };
    }
    return { kind: "render", stack, stackFile, format: format as Format };
}
