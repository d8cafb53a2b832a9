/** The repository's root, found from wherever the code runs: the sources, or their build in bin/. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

function findRoot(start: string): string {
    for (let dir = start; ; dir = dirname(dir)) {
        if (existsSync(join(dir, "Pulumi.yaml"))) return dir;
        if (dirname(dir) === dir) throw new Error(`no Pulumi.yaml above ${start}`);
    }
}

/** The directory holding Pulumi.yaml and the stack files. */
export const PROJECT_ROOT = findRoot(__dirname);
