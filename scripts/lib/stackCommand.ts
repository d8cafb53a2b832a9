/**
 * What the developer commands that work on a stack (render, policy) share: the stack file the user
 * chose, read and run under the mock engine, and the exit codes of a refused file or configuration
 * (see ./command.ts).
 */
import { ConfigError } from "../../components/config";
import { runProgram, type ProgramRun } from "./mockEngine";
import type { Print } from "./command";
import { encryptionOfConfig, readStackFile, UnreadableFile, type StackConfig } from "./stackFile";

/**
 * The stack file the user chose (`shownAs`: as the user named it, for the messages), or the exit
 * code after saying what is wrong: `wrong` for a file that cannot be read (a wrong invocation), 1
 * for one that is no stack file.
 */
export function readChosenStackFile(
    name: string,
    file: string,
    shownAs: string,
    err: Print,
    wrong: (message: string) => number,
): StackConfig | number {
    try {
        return readStackFile(file, shownAs);
    } catch (e) {
        if (e instanceof UnreadableFile) return wrong(e.message);
        err(`${name}: ${(e as Error).message}\n`);
        return 1;
    }
}

/** The program run over the stack file's configuration, knowing which of its values are encrypted. */
export function runStackFile(config: StackConfig, stack: string): Promise<ProgramRun> {
    const stackFile = { path: config.file, encryption: encryptionOfConfig(config) };
    return runProgram({ config: config.values, secretKeys: config.secretKeys, stack, stackFile });
}

/** What `body` returns, or 1 after printing the problems of a configuration it refused. */
export async function refusingConfig(err: Print, body: () => Promise<number>): Promise<number> {
    try {
        return await body();
    } catch (e) {
        if (e instanceof ConfigError) {
            err(`${e.message}\n`);
            return 1;
        }
        throw e;
    }
}
