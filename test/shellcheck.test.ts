/**
 * Every shell script the program ships passes shellcheck: the files as they are in the repository,
 * the builders' output, and every `sh -c` script found in any container of any stack variant (so a
 * script added without a builder test is still checked). One shellcheck run checks them all, each
 * distinct text once: shellcheck's time goes into analysing scripts, so checking a script twice
 * costs twice.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deleteDataScript, installScript, prepareWebrootScript, upgradeScript } from "../components/matomo/scripts";
import { kubernetesResources, podSpecOf, ROOT, workloads } from "./support/harness";
import { requireBinaries } from "./support/system";
import { VARIANTS } from "./support/variants";

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

/** Every `.sh` file under components/, as it is in the repository: path relative to the root, to text. */
function repositoryScripts(): Map<string, string> {
    const files = readdirSync(join(ROOT, "components"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".sh"));
    return new Map(files.map((f) => [`components/${f}`, readFileSync(join(ROOT, "components", f), "utf8")]));
}

/** A script shellcheck must find fault with: the run is seen to check what it is given. */
const BROKEN = 'cp $1 "/tmp"\n';

describe("shell scripts", () => {
    const groups = new Map<string, Map<string, string>>();
    /** Findings of the one shellcheck run over every group, by `group: script`. */
    let findings: Map<string, string>;
    /** The failing scripts of a group, with their findings. */
    const failing = (group: string) => new Map([...findings].filter(([name]) => name.startsWith(`${group}: `)));

    before(async function () {
        requireBinaries(this, "shellcheck");
        this.timeout(60_000);
        groups.set("broken", new Map([["cp", BROKEN]]));
        groups.set("file", repositoryScripts());
        groups.set(
            "builder",
            new Map(
                Object.entries({
                    "prepare-webroot": prepareWebrootScript(),
                    "prepare-webroot without config": prepareWebrootScript({ copyConfig: false }),
                    "prepare-webroot with plugins": prepareWebrootScript({ plugins: ["LoginLdap"] }),
                    "prepare-webroot of a web pod": prepareWebrootScript({ regenerateTracker: true }),
                    "prepare-webroot with the SMTP password": prepareWebrootScript({ smtpPassword: true }),
                    "prepare-webroot with both passwords from Secrets": prepareWebrootScript({
                        smtpPassword: true,
                        databasePassword: true,
                    }),
                    "delete-data": deleteDataScript(),
                    install: installScript(),
                    upgrade: upgradeScript(),
                }),
            ),
        );
        groups.set("variant", await scriptsOfVariants());
        const all = new Map<string, string>();
        for (const [group, scripts] of groups) for (const [name, text] of scripts) all.set(`${group}: ${name}`, text);
        findings = shellcheckAll(all);
    });

    it("the shellcheck run itself reports a broken script", () => {
        assert.notEqual(failing("broken").get("broken: cp") ?? "", "");
    });

    it("every shell script file under components/ passes shellcheck as it is in the repository", () => {
        const files = [...groups.get("file")!.keys()];
        for (const expected of ["install.sh", "backup-database.sh", "restore-database.sh", "import-logs.sh", "sync-logs.sh"]) {
            assert.ok(
                files.some((f) => f.endsWith(`/${expected}`)),
                `${expected} is among them`,
            );
        }
        assert.deepEqual(failing("file"), new Map());
    });

    it("CI's script passes shellcheck, as the bash it is", () => {
        const result = spawnSync("shellcheck", ["--severity=style", "--format=gcc", join(ROOT, ".ci/run")], { encoding: "utf8" });
        assert.equal(result.status, 0, result.stdout + result.stderr);
    });

    it("the script builders' output passes shellcheck", () => {
        assert.deepEqual(failing("builder"), new Map());
    });

    it("every script in every container of every stack variant passes shellcheck", () => {
        const scripts = [...groups.get("variant")!.keys()];
        for (const name of ["install.sh", "upgrade.sh", "delete-data.sh"]) {
            assert.ok(
                scripts.some((k) => k.endsWith(name)),
                `${name} is among them`,
            );
        }
        assert.deepEqual(failing("variant"), new Map());
    });
});
