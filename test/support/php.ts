/** PHP's own reading of what the program writes for it. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

export type Ini = Record<string, Record<string, string | string[]>>;

/**
 * An INI text as PHP's `parse_ini_string` reads it (sections, values as PHP returns them:
 * strings), the function Matomo's config reader is built on.
 */
export function parseIniWithPhp(ini: string): Ini {
    const result = spawnSync(
        "php",
        ["-r", "$a = parse_ini_string(stream_get_contents(STDIN), true); if ($a === false) { exit(3); } echo json_encode($a);"],
        { input: ini, encoding: "utf8" },
    );
    assert.equal(result.status, 0, `PHP could not parse the file: ${result.stderr}${result.stdout}`);
    return JSON.parse(result.stdout) as Ini;
}
