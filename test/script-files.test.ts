/**
 * The script files shipped to Matomo's pods: the environment contract between them and the
 * program, the PHP files as PHP parses them, and the template step that fills in the pod layout.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { LOG_SCRIPT_ENV, LOG_SCRIPT_FILES, logScriptSource } from "../components/jobs/scripts";
import { SCRIPT_ENV, SCRIPT_FILES, scriptSource } from "../components/matomo/scripts";
import { fillTemplate } from "../components/matomo/scripts/template";
import { requireBinaries } from "./support/system";

/** `MATOMO_*` variables a script reads. */
const variablesOf = (text: string) => new Set([...text.matchAll(/\b(MATOMO_[A-Z0-9_]+)\b/g)].map((m) => m[1]));

describe("script files", () => {
    describe("the environment contract", () => {
        const declared = new Set<string>(Object.values(SCRIPT_ENV));

        it("every variable a script reads is declared in SCRIPT_ENV, where the program sets it from", () => {
            for (const file of SCRIPT_FILES) {
                const undeclared = [...variablesOf(scriptSource(file))].filter((v) => !declared.has(v));
                assert.deepEqual(undeclared, [], file);
            }
            // The log import's records sidecar reaches the database as the Matomo scripts do.
            const records = [...variablesOf(logScriptSource("import-records.php"))].filter((v) => !declared.has(v));
            assert.deepEqual(records, [], "import-records.php");
        });

        it("every variable of SCRIPT_ENV is read by a script", () => {
            const read = new Set(SCRIPT_FILES.flatMap((file) => [...variablesOf(scriptSource(file))]));
            assert.deepEqual(
                [...declared].filter((v) => !read.has(v)),
                [],
            );
        });
    });

    describe("the log scripts' environment contract", () => {
        const logVariablesOf = (text: string) => new Set([...text.matchAll(/\b(LOG_[A-Z0-9_]+)\b/g)].map((m) => m[1]));
        const read = new Set(LOG_SCRIPT_FILES.flatMap((file) => [...logVariablesOf(logScriptSource(file))]));
        const declared = new Set<string>(Object.values(LOG_SCRIPT_ENV));

        it("every LOG_ variable a log script reads is declared in LOG_SCRIPT_ENV, and every declared one is read", () => {
            assert.deepEqual([...read].filter((v) => !declared.has(v)).sort(), []);
            assert.deepEqual([...declared].filter((v) => !read.has(v)).sort(), []);
        });
    });

    describe("PHP", () => {
        before(function () {
            requireBinaries(this, "php");
        });

        it("every PHP file parses (php -l)", () => {
            const texts = [...SCRIPT_FILES.map((f) => [f, scriptSource(f)]), ...LOG_SCRIPT_FILES.map((f) => [f, logScriptSource(f)])];
            for (const [file, text] of texts.filter(([f]) => f.endsWith(".php"))) {
                const result = spawnSync("php", ["-l"], { input: text, encoding: "utf8" });
                assert.equal(result.status, 0, `${file}: ${result.stdout}${result.stderr}`);
            }
        });

        it("php -l itself reports a broken file", () => {
            assert.notEqual(spawnSync("php", ["-l"], { input: "<?php echo (;\n", encoding: "utf8" }).status, 0);
        });
    });

    describe("the template step", () => {
        const text = "a=@A@\n# @if ON\non @B@\n# @end\n# @if OFF\noff @C@\n# @end\nend";

        it("fills values and keeps or drops the flagged lines, without the markers", () => {
            assert.equal(fillTemplate(text, { A: "1", B: "2", C: "3" }, { ON: true, OFF: false }), "a=1\non 2\nend");
            assert.equal(
                fillTemplate(text, { A: "1", B: "2" }, { ON: true, OFF: false }),
                "a=1\non 2\nend",
                "a value of a dropped block may be left out",
            );
        });

        it("refuses what would let a script and its caller drift apart", () => {
            assert.throws(() => fillTemplate(text, { A: "1", C: "3" }, { ON: true, OFF: false }), /no value for @B@/);
            assert.throws(() => fillTemplate(text, { A: "1", B: "2", Z: "9" }, { ON: true, OFF: false }), /Z not in the template/);
            assert.throws(() => fillTemplate(text, { A: "1", B: "2" }, { ON: true }), /no flag OFF/);
            assert.throws(() => fillTemplate("# @if X\nx", {}, { X: true }), /not closed/);
            assert.throws(() => fillTemplate("# @end", {}), /without/);
            assert.throws(() => fillTemplate("# @if X\n# @if Y\n# @end\n# @end", {}, { X: true, Y: true }), /inside/);
        });

        it("leaves shell syntax that merely contains @ alone", () => {
            const shell = 'curl --data-urlencode "password@${FILE}" "$@" "login@x"';
            assert.equal(fillTemplate(shell, {}), shell);
        });
    });
});
