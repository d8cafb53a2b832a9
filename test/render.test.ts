/**
 * The offline `render` command: YAML documents for the Kubernetes objects, JSON for every resource,
 * secrets hidden, and invalid config reported on stderr with exit code 1 and nothing on stdout.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { renderJson, renderYaml } from "../scripts/render";
import { ROOT, runStack } from "./support/harness";

function render(...args: string[]) {
    return spawnSync(process.execPath, ["--import", "tsx", "scripts/render.ts", ...args], { cwd: ROOT, encoding: "utf8" });
}

describe("render", () => {
    it("prints every Kubernetes object of the dev stack as a YAML document, secrets hidden", async () => {
        const dev = await runStack("dev");
        const yaml = renderYaml(dev.resources);
        const docs = parseAllDocuments(yaml).map((d) => d.toJS() as Record<string, any>);
        const kinds = docs.map((d) => d.kind);
        for (const kind of [
            "Namespace",
            "Secret",
            "ConfigMap",
            "PersistentVolumeClaim",
            "Service",
            "StatefulSet",
            "Deployment",
            "Ingress",
        ]) {
            assert.ok(kinds.includes(kind), kind);
        }
        assert.equal(kinds[0], "Namespace", "namespace first, like helm template");
        for (const doc of docs) assert.ok(doc.metadata.name, `${doc.kind} without a name`);
        const config = docs.find((d) => d.kind === "Secret" && d.metadata.name.startsWith("matomo-config"))!;
        assert.deepEqual(config.stringData, { "config.ini.php": "[secret]" });
        assert.ok(!yaml.includes("[database]"), "config.ini.php text must not be printed");
        for (const password of dev.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword")) {
            assert.ok(!yaml.includes((password.state.result as { value: string }).value), `${password.name} is printed`);
        }
    });

    it("prints every resource as JSON with type, name, parent and inputs", async () => {
        const rows = JSON.parse(renderJson((await runStack("dev")).resources)) as Record<string, any>[];
        assert.deepEqual(Object.keys(rows[0]).sort(), ["inputs", "name", "parent", "type"]);
        const types = new Set(rows.map((r) => r.type));
        for (const type of [
            "pulumi:pulumi:Stack",
            "matomo:index:MariaDb",
            "random:index/randomPassword:RandomPassword",
            "kubernetes:apps/v1:Deployment",
        ]) {
            assert.ok(types.has(type), type);
        }
        const secret = rows.find((r) => r.name === "mariadb-credentials")!;
        assert.deepEqual(secret.inputs.stringData, { password: "[secret]", "root-password": "[secret]" });
        const web = rows.find((r) => r.name === "matomo-web-deployment")!;
        assert.match(web.parent, /matomo:index:MatomoWeb::matomo-web$/);
    });

    it("runs as a command on the dev stack", function () {
        this.timeout(60_000);
        const result = render("--stack", "dev");
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /^---\n# Source: kubernetes:core\/v1:Namespace namespace\n/);
        assert.match(result.stdout, /kind: StatefulSet/);
    });

    it("reports invalid config on stderr, exits 1 and prints nothing on stdout", function () {
        this.timeout(60_000);
        const dir = mkdtempSync(join(tmpdir(), "matomo-render-"));
        const file = join(dir, "Pulumi.broken.yaml");
        writeFileSync(file, "config:\n  matomo:matomo:\n    hostname: Not A Hostname\n    replicaCount: 0\n");
        const result = render("--stack-file", file);
        rmSync(dir, { recursive: true, force: true });
        assert.equal(result.status, 1);
        assert.equal(result.stdout, "");
        assert.match(result.stderr, /matomo:matomo\.hostname: got "Not A Hostname"/);
        assert.match(result.stderr, /matomo:matomo\.replicaCount: got 0/);
        assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, "no stack trace");
    });

    it("explains its usage when called wrongly", function () {
        this.timeout(60_000);
        const result = render("--format", "xml", "--stack", "dev");
        assert.equal(result.status, 2);
        assert.match(result.stderr, /usage: /);
    });
});
