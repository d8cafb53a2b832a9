/**
 * How the developer commands (render, policy, migrate) start and end. Exit codes: 0 done, 1 a
 * configuration (or a file) refused, 2 a wrong invocation (a file that is not there included).
 */

export type Print = (text: string) => void;

/**
 * Runs `main` as the process's command. The exit code is set, not forced: process.exit() would cut
 * off output still queued for a pipe; and a reader that stops early (`| head`) is no error.
 */
export function runAsCommand(name: string, main: (argv: string[], out: Print, err: Print) => number | Promise<number>): void {
    process.stdout.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code !== "EPIPE") throw e;
    });
    Promise.resolve()
        .then(() =>
            main(
                process.argv.slice(2),
                (text) => process.stdout.write(text),
                (text) => process.stderr.write(text),
            ),
        )
        .then(
            (code) => (process.exitCode = code),
            (e) => {
                process.stderr.write(`${name} failed: ${e instanceof Error ? e.stack : String(e)}\n`);
                process.exitCode = 1;
            },
        );
}
