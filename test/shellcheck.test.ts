/**
 * Every shell script the program ships passes shellcheck: the files as they are in the repository,
 * the builders' output, and every `sh -c` script found in any container of any stack variant (so a
 * script added without a builder test is still checked).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
    deleteDataScript,
    installScript,
    prepareWebrootScript,
    SCRIPT_FILES,
    scriptSource,
    upgradeScript,
} from "../components/matomo/scripts";
import { kubernetesResources, podSpecOf, workloads } from "./support/harness";
import { requireBinaries } from "./support/system";
import { VARIANTS } from "./support/variants";

function shellcheck(script: string): string {
    return shellcheckAll(new Map([["script", script]])).get("script") ?? "";
}

/**
 * shellcheck's findings for many scripts in one run (one process for all of them, each distinct
 * text checked once): the name of each failing script to its findings.
 */
function shellcheckAll(scripts: ReadonlyMap<string, string>): Map<string, string> {
    const dir = mkdtempSync(join(tmpdir(), "matomo-shellcheck-"));
    try {
        const files = new Map<string, string>(); // text to file
        for (const text of new Set(scripts.values())) {
            const file = join(dir, `${files.size}.sh`);
            writeFileSync(file, text);
            files.set(text, file);
        }
        const result = spawnSync("shellcheck", ["--shell=sh", "--severity=style", "--format=gcc", ...files.values()], { encoding: "utf8" });
        if (result.error || result.status === null || (result.status !== 0 && result.stdout === "")) {
            throw new Error(`shellcheck did not run: ${result.error?.message ?? result.stderr}`);
        }
        const findings = new Map<string, string>();
        for (const [name, text] of scripts) {
            const prefix = `${files.get(text)}:`;
            const lines = result.stdout.split("\n").filter((line) => line.startsWith(prefix));
            if (lines.length > 0) findings.set(name, lines.map((line) => line.slice(prefix.length)).join("\n"));
        }
        return findings;
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/** Scripts run as `sh -c <script>` (or bash) by any container of a run, and `.sh` files in ConfigMaps. */
async function scriptsOfVariants(): Promise<Map<string, string>> {
    const scripts = new Map<string, string>();
    for (const [variant, runVariant] of Object.entries(VARIANTS)) {
        for (const w of workloads(await runVariant())) {
            const pod = podSpecOf(w);
            for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
                const argv = [...(c.command ?? []), ...(c.args ?? [])];
                const flag = argv.findIndex((a, i) => a === "-c" && /(^|\/)(ba)?sh$/.test(argv[i - 1] ?? ""));
                if (flag >= 0) scripts.set(`${variant}: ${w.name}/${c.name}`, argv[flag + 1]);
            }
        }
        for (const cm of kubernetesResources(await runVariant()).filter((r) => r.type === "kubernetes:core/v1:ConfigMap")) {
            for (const [key, text] of Object.entries((cm.inputs.data ?? {}) as Record<string, string>)) {
                if (key.endsWith(".sh")) scripts.set(`${variant}: ${cm.name}/${key}`, text);
            }
        }
    }
    return scripts;
}

describe("shell scripts", () => {
    before(function () {
        requireBinaries(this, "shellcheck");
    });

    it("the shellcheck run itself reports a broken script", () => {
        assert.notEqual(shellcheck('cp $1 "/tmp"\n'), "");
    });

    it("every shell script file passes shellcheck as it is in the repository", () => {
        const files = SCRIPT_FILES.filter((f) => f.endsWith(".sh"));
        assert.ok(files.length >= 4);
        assert.deepEqual(shellcheckAll(new Map(files.map((file) => [file, scriptSource(file)]))), new Map());
    });

    it("the script builders' output passes shellcheck", () => {
        const scripts = new Map(
            Object.entries({
                "prepare-webroot": prepareWebrootScript(),
                "prepare-webroot without config": prepareWebrootScript({ copyConfig: false }),
                "prepare-webroot with plugins": prepareWebrootScript({ plugins: ["LoginLdap"] }),
                "prepare-webroot of a web pod": prepareWebrootScript({ regenerateTracker: true }),
                "prepare-webroot with the SMTP password": prepareWebrootScript({ smtpPassword: true }),
                "delete-data": deleteDataScript(),
                install: installScript(),
                upgrade: upgradeScript(),
            }),
        );
        assert.deepEqual(shellcheckAll(scripts), new Map());
    });

    it("every script in every container of every stack variant passes shellcheck", async () => {
        const scripts = await scriptsOfVariants();
        for (const name of ["install.sh", "upgrade.sh", "delete-data.sh"]) {
            assert.ok(
                [...scripts.keys()].some((k) => k.endsWith(name)),
                `${name} is among them`,
            );
        }
        assert.deepEqual(shellcheckAll(scripts), new Map());
    });
});
