/**
 * The offline `render` command: YAML documents for the Kubernetes objects, JSON for every resource,
 * secrets hidden, and invalid config reported on stderr with exit code 1 and nothing on stdout.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { maskSecrets, secretLines, SECRET_SIG, SECRET_SIG_KEY } from "../scripts/lib/mockEngine";
import { helpText, parseRenderArgs } from "../scripts/lib/renderArgs";
import { ensureBuilt } from "../scripts/build";
import { parseConfig } from "../components/config";
import { readStackFile, secretStandIn } from "../scripts/lib/stackFile";
import { main, renderJson, renderYaml } from "../scripts/render";
import { ROOT, runStack, sourceOf } from "./support/harness";
import { startsProcesses } from "./support/system";

/**
 * The command as users run it: the compiled render (bin/, rebuilt first when stale), in its own
 * process, which writes the modules it loaded into `modulesFile` as it exits.
 */
function renderCommand(modulesFile: string, ...args: string[]) {
    return spawnSync(
        process.execPath,
        ["--require", join(__dirname, "support", "reportLoadedModules.cjs"), join(ensureBuilt(), "..", "scripts", "render.js"), ...args],
        { cwd: ROOT, encoding: "utf8", env: { ...process.env, LOADED_MODULES_FILE: modulesFile } },
    );
}

/** The command's main function in this process: its exit code and what it printed on each stream. */
async function render(...args: string[]) {
    let stdout = "";
    let stderr = "";
    const status = await main(
        args,
        (text) => (stdout += text),
        (text) => (stderr += text),
    );
    return { status, stdout, stderr };
}

describe("render", () => {
    it("quotes strings a YAML 1.1 reader such as kubectl would take for booleans or numbers", async () => {
        const yaml = renderYaml((await runStack("prod")).resources);
        assert.match(yaml, /^ {18}value: "yes"$/m, "LOG_SSH_STRICT stays a string");
        assert.doesNotMatch(yaml, /: (yes|no|on|off|y|n)$/im);
    });

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
        const ini = config.stringData["config.ini.php"] as string;
        assert.match(ini, /^\[database\]\nhost = "mariadb\.matomo-dev\.svc"$/m, "config.ini.php is readable");
        assert.match(ini, /^password = "\[secret\]"$/m);
        assert.match(ini, /^salt = "\[secret\]"$/m);
        for (const password of dev.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword")) {
            assert.ok(!yaml.includes((password.state.result as { value: string }).value), `${password.name} is printed`);
        }
        const superuser = docs.find((d) => d.kind === "Secret" && d.metadata.name === "matomo-superuser")!;
        assert.deepEqual(superuser.stringData, { login: "[secret]", password: "[secret]" }, "other secrets stay hidden whole");
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

    describe("as a command", () => {
        let result: ReturnType<typeof renderCommand>;
        let loaded: string[];
        before(function () {
            startsProcesses(this);
            this.timeout(60_000);
            const dir = mkdtempSync(join(tmpdir(), "matomo-render-"));
            try {
                result = renderCommand(join(dir, "modules"), "--stack", "dev");
                loaded = readFileSync(join(dir, "modules"), "utf8").split("\n");
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
        });

        it("runs on the dev stack", () => {
            assert.equal(result.status, 0, result.stderr);
            assert.match(result.stdout, /^---\n# Source: kubernetes:core\/v1:Namespace namespace\n/);
            assert.match(result.stdout, /kind: StatefulSet/);
        });

        it("loads neither the Google Cloud SDK nor the TLS one for the dev stack (the EEA topology)", () => {
            assert.ok(
                loaded.some((f) => f.includes("node_modules/@pulumi/kubernetes/")),
                "the report lists the SDK modules the run loaded",
            );
            assert.deepEqual(
                loaded.filter((f) => /node_modules\/@pulumi\/(gcp|tls)\//.test(f)),
                [],
                "only the Google topology loads @pulumi/gcp, and only the log import @pulumi/tls",
            );
        });

        it("writes its whole output into a pipe, however long", async () => {
            assert.ok(result.stdout.length > 65_536, "longer than a pipe's buffer");
            assert.equal(result.stdout, renderYaml((await runStack("dev")).resources));
        });
    });

    it("reports invalid config on stderr, exits 1 and prints nothing on stdout", async () => {
        const dir = mkdtempSync(join(tmpdir(), "matomo-render-"));
        const file = join(dir, "Pulumi.broken.yaml");
        writeFileSync(file, "config:\n  matomo:matomo:\n    hostname: Not A Hostname\n    replicaCount: 0\n");
        const result = await render("--stack-file", file);
        rmSync(dir, { recursive: true, force: true });
        assert.equal(result.status, 1);
        assert.equal(result.stdout, "");
        assert.match(result.stderr, /matomo:matomo\.hostname: got "Not A Hostname"/);
        assert.match(result.stderr, /matomo:matomo\.replicaCount: got 0/);
        assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, "no stack trace");
    });

    it("masks secrets set with --secret inside config.ini.php, and prints none of them", async () => {
        const dir = mkdtempSync(join(tmpdir(), "matomo-render-"));
        const file = join(dir, "Pulumi.secrets.yaml");
        const secure = "\n      secure: v1:AAAA";
        writeFileSync(
            file,
            "config:\n  matomo:matomo:\n    hostname: analytics.example.com\n    salt:" +
                secure +
                "\n  matomo:mariadb:\n    password:" +
                secure +
                "\n",
        );
        const result = await render("--stack-file", file);
        rmSync(dir, { recursive: true, force: true });
        assert.equal(result.status, 0, result.stderr);
        for (const key of ["matomo:matomo.salt", "matomo:mariadb.password"]) {
            assert.ok(!result.stdout.includes(secretStandIn(key)), `${key} is printed`);
        }
        assert.match(result.stdout, /^ {4}salt = "\[secret\]"$/m);
        assert.match(result.stdout, /^ {4}password = "\[secret\]"$/m);
    });

    it("prints its help with --help and exits 0", async () => {
        const result = await render("--help");
        assert.equal(result.status, 0);
        assert.match(result.stdout, /--stack NAME .*\(here: dev, prod\)/);
        assert.match(result.stdout, /--format json/);
        assert.equal(result.stderr, "");
    });

    it("says what was wrong with an invocation, and exits 2", async () => {
        const result = await render("--stack", "nope");
        assert.equal(result.status, 2);
        assert.match(result.stderr, /no stack "nope" here \(no Pulumi\.nope\.yaml\): the stacks are dev, prod/);
        assert.match(result.stderr, /--help explains each option/);
        assert.equal(result.stdout, "");
    });
});

describe("render's stack files", () => {
    let dir: string;
    before(() => (dir = mkdtempSync(join(tmpdir(), "matomo-stack-files-"))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    const read = (name: string, text: string) => {
        const file = join(dir, name);
        writeFileSync(file, text);
        return () => readStackFile(file);
    };

    it("reports a values.yaml pasted without config:, rather than reading nothing", () => {
        assert.throws(read("Pulumi.pasted.yaml", "matomo:\n  hostname: a.example.com\nmariadb:\n  storage: 1Gi\n"), {
            message:
                /"matomo", "mariadb" are not keys of a Pulumi stack file .*A values\.yaml pasted as it is\? Put the settings under config:, each section named with the project's namespace: matomo:matomo:/,
        });
    });

    it("names the file when it is missing or not YAML", () => {
        assert.throws(() => readStackFile(join(dir, "Pulumi.none.yaml")), { message: /Pulumi\.none\.yaml: no such file$/ });
        assert.throws(read("Pulumi.bad.yaml", "config:\n  a: [\n"), { message: /Pulumi\.bad\.yaml: not valid YAML: / });
    });

    it("says that nothing of the program is set when a stack has no matomo: key", () => {
        const { issues } = parseConfig(sourceOf({ values: { "gcp:project": "p" }, secretKeys: [] }));
        assert.match(issues.find((i) => i.key === "matomo:*")!.message, /none is set: this program's settings go under config:/);
    });
});

describe("render's command line", () => {
    const stacks = ["dev", "prod"];
    const wrong = (argv: string[]) => {
        const args = parseRenderArgs(argv, stacks);
        assert.equal(args.kind, "wrong", JSON.stringify(args));
        return (args as { message: string }).message;
    };

    it("renders one stack, YAML unless told JSON", () => {
        assert.deepEqual(parseRenderArgs(["--stack", "dev"], stacks), {
            kind: "render",
            stack: "dev",
            stackFile: undefined,
            format: "yaml",
        });
        assert.deepEqual(parseRenderArgs(["--stack-file", "x.yaml", "--format", "json"], stacks), {
            kind: "render",
            stack: undefined,
            stackFile: "x.yaml",
            format: "json",
        });
    });

    it("gives help for --help and -h, whatever else is given", () => {
        for (const argv of [["--help"], ["-h"], ["--stack", "nope", "--help"]])
            assert.deepEqual(parseRenderArgs(argv, stacks), { kind: "help" });
        assert.match(helpText(stacks), /here: dev, prod/);
    });

    it("names what is wrong", () => {
        assert.match(
            wrong(["--stack", "dev", "--format", "xml"]),
            /--format "xml" is not a format render knows: use yaml, json or capacity/,
        );
        assert.match(wrong(["--stack", "dev", "--stack-file", "x.yaml"]), /both given: render one stack at a time/);
        assert.match(wrong([]), /no stack given: use --stack NAME \(here: dev, prod\) or --stack-file PATH/);
        assert.match(wrong(["--stack", "Dev"]), /no stack "Dev" here .*the stacks are dev, prod/);
        assert.match(wrong(["--stak", "dev"]), /Unknown option '--stak'/);
        assert.match(wrong(["dev"]), /Unexpected argument 'dev'/);
    });
});

describe("secret masking", () => {
    const secret = (value: unknown) => ({ [SECRET_SIG_KEY]: SECRET_SIG, value });

    it("shows config.ini.php with each credential masked, the longest first, and hides every other secret", () => {
        const data = {
            stringData: secret({ "config.ini.php": '[database]\npassword = "abcdef123456"\nsalt = "abcdef"\n', other: "x\ny" }),
        };
        assert.deepEqual(maskSecrets(data, new Set(["abcdef", "abcdef123456"])), {
            stringData: { "config.ini.php": '[database]\npassword = "[secret]"\nsalt = "[secret]"\n', other: "[secret]" },
        });
    });

    it("hides config.ini.php whole when a credential in it is too short to mask safely", () => {
        const data = { stringData: secret({ "config.ini.php": '[General]\nsalt = "ab1"\n' }) };
        assert.deepEqual(maskSecrets(data, new Set(["ab1"])), { stringData: { "config.ini.php": "[secret]" } });
    });

    it("finds the one-line strings inside secrets, not those outside", () => {
        assert.deepEqual([...secretLines({ a: "public", b: secret({ c: "hidden", d: "a\nfile" }) })], ["hidden"]);
    });
});
