/**
 * Which stack a developer command (`render`, `policy`) works on: a repository stack by name
 * (`--stack dev` is Pulumi.dev.yaml beside Pulumi.yaml) or any stack file (`--stack-file PATH`).
 * The commands take the same two options, with the same answers to a wrong invocation.
 */
import { readdirSync } from "node:fs";
import { basename, resolve } from "node:path";

/** The name of a stack file: `Pulumi.<stack>.yaml`. */
const STACK_FILE = /^Pulumi\.(.+)\.ya?ml$/;

/** The options that choose the stack, and --help, for `util.parseArgs`. */
export const STACK_OPTIONS = {
    stack: { type: "string" },
    "stack-file": { type: "string" },
    help: { type: "boolean", short: "h" },
} as const;

/** The help lines of the stack options. */
export function stackOptionsHelp(stacks: readonly string[]): string {
    return `  --stack NAME        the repository's stack file Pulumi.NAME.yaml (here: ${stacks.join(", ") || "none"})
  --stack-file PATH   any stack file, for example one you are migrating to`;
}

/** The stack chosen: one of the two is set. */
export interface StackChoice {
    readonly stack: string | undefined;
    readonly stackFile: string | undefined;
}

/**
 * The stack `--stack` and `--stack-file` choose, or what is wrong with them. `stacks` are the names
 * of the repository's stack files, which `--stack` must name; `verb` is what the command does to
 * a stack ("render").
 */
export function stackChoiceOf(
    values: { readonly stack?: string; readonly "stack-file"?: string },
    stacks: readonly string[],
    verb: string,
): StackChoice | { readonly kind: "wrong"; readonly message: string } {
    const { stack, "stack-file": stackFile } = values;
    if (stack !== undefined && stackFile !== undefined) {
        return { kind: "wrong", message: `--stack and --stack-file both given: ${verb} one stack at a time` };
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
    return { stack, stackFile };
}

/** The repository's stacks: the NAME of every Pulumi.NAME.yaml in `root`. */
export function repositoryStacks(root: string): string[] {
    return readdirSync(root)
        .map((f) => STACK_FILE.exec(f)?.[1])
        .filter((name): name is string => name !== undefined)
        .sort();
}

/** The chosen stack file's path, and the stack's name (from the file's name; "render" for a file not named Pulumi.NAME.yaml). */
export function stackFileOf(choice: StackChoice, root: string): { readonly file: string; readonly stack: string } {
    const file = choice.stackFile ? resolve(choice.stackFile) : resolve(root, `Pulumi.${choice.stack}.yaml`);
    return { file, stack: choice.stack ?? STACK_FILE.exec(basename(file))?.[1] ?? "render" };
}
