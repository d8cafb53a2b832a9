/**
 * Every shell script the program ships passes shellcheck: the files as they are in the repository,
 * the builders' output, and every `sh -c` script found in any container of any stack variant (so a
 * script added without a builder test is still checked).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
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
    const result = spawnSync("shellcheck", ["--shell=sh", "--severity=style", "--format=gcc", "-"], {
        input: script,
        encoding: "utf8",
    });
    return result.status === 0 ? "" : result.stdout + result.stderr;
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
        for (const file of files) assert.equal(shellcheck(scriptSource(file)), "", file);
    });

    it("the script builders' output passes shellcheck", () => {
        for (const [name, script] of Object.entries({
            "prepare-webroot": prepareWebrootScript(),
            "prepare-webroot without config": prepareWebrootScript({ copyConfig: false }),
            "prepare-webroot with plugins": prepareWebrootScript({ plugins: ["LoginLdap"] }),
            "prepare-webroot of a web pod": prepareWebrootScript({ regenerateTracker: true }),
            "prepare-webroot with the SMTP password": prepareWebrootScript({ smtpPassword: true }),
            "delete-data": deleteDataScript(),
            install: installScript(),
            upgrade: upgradeScript(),
        })) {
            assert.equal(shellcheck(script), "", `${name}:\n${script}`);
        }
    });

    it("every script in every container of every stack variant passes shellcheck", async () => {
        const scripts = await scriptsOfVariants();
        for (const name of ["install.sh", "upgrade.sh", "delete-data.sh"]) {
            assert.ok(
                [...scripts.keys()].some((k) => k.endsWith(name)),
                `${name} is among them`,
            );
        }
        for (const [where, script] of scripts) {
            assert.equal(shellcheck(script), "", `${where} fails shellcheck:\n${script}`);
        }
    });
});
