/**
 * The offline `policy` command: the policy pack over what a stack would create, each violation
 * printed with its level, rule and resource; exit 1 when a mandatory rule is violated, 0 otherwise,
 * 1 for invalid configuration and 2 for a wrong invocation.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { POLICIES } from "../policy/policies";
import { parsePolicyArgs, policyReport } from "../scripts/lib/policyCommandArgs";
import { packConfigProblems } from "../scripts/lib/policyPack";
import { main } from "../scripts/policy";
import { ROOT } from "./support/harness";
import { startsProcesses } from "./support/system";

/** The command as `npm run policy` runs it (package.json's script), in its own process. */
function policyCommand(...args: string[]) {
    const script = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.policy;
    assert.equal(script, "tsx scripts/policy.ts");
    return spawnSync(process.execPath, [require.resolve("tsx/cli"), "scripts/policy.ts", ...args], { cwd: ROOT, encoding: "utf8" });
}

/** The command's main function in this process: its exit code and what it printed on each stream. */
async function policy(...args: string[]) {
    let stdout = "";
    let stderr = "";
    const status = await main(
        args,
        (text) => (stdout += text),
        (text) => (stderr += text),
    );
    return { status, stdout, stderr };
}

/** The dev stack with the NetworkPolicies switched off: every workload violates network-policies-present. */
const OPEN_STACK = `${readFileSync(join(ROOT, "Pulumi.dev.yaml"), "utf8")}  matomo:securityEnabled: "false"\n`;

describe("policy", () => {
    let dir: string;
    /** A file in the test's folder with this text; its path. */
    const file = (name: string, text: string) => {
        writeFileSync(join(dir, name), text);
        return join(dir, name);
    };
    before(() => (dir = mkdtempSync(join(tmpdir(), "matomo-policy-"))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    describe("as a command", () => {
        let dev: ReturnType<typeof policyCommand>;
        let open: ReturnType<typeof policyCommand>;
        before(function () {
            startsProcesses(this);
            this.timeout(120_000);
            dev = policyCommand("--stack", "dev");
            open = policyCommand("--stack-file", file("Pulumi.open.yaml", OPEN_STACK));
        });

        it("passes the dev stack: exit 0 and one line that says what was checked", () => {
            assert.equal(dev.status, 0, dev.stderr);
            assert.match(
                dev.stdout,
                new RegExp(`^policy: no violation of the ${POLICIES.length} rules over the \\d+ resources of stack dev\\n$`),
            );
            assert.equal(dev.stderr, "");
        });

        it("prints each violation with its level, rule, resource and message, and exits 1 when a mandatory rule is violated", () => {
            assert.equal(open.status, 1, open.stderr);
            const lines = open.stdout.trimEnd().split("\n");
            assert.match(lines[0], /^mandatory network-policies-present: kubernetes:apps\/v1:StatefulSet mariadb-statefulset$/);
            assert.match(
                lines[1],
                /^ {4}spec\.template\.metadata\.labels is \{.*\}: no NetworkPolicy in namespace "matomo-dev" selects these pods/,
            );
            const web = lines.indexOf("mandatory network-policies-present: kubernetes:apps/v1:Deployment matomo-web-deployment");
            assert.ok(web > 0, open.stdout);
            const summary =
                /^policy: (\d+) violations \((\d+) mandatory\) of the \d+ rules over the \d+ resources of stack open: pulumi preview --policy-pack policy would stop$/.exec(
                    lines[lines.length - 1],
                );
            assert.ok(summary, lines[lines.length - 1]);
            const headers = lines.filter((l) => l.startsWith("mandatory network-policies-present: "));
            assert.deepEqual([Number(summary[1]), Number(summary[2])], [headers.length, headers.length]);
            assert.equal(lines.length, 2 * headers.length + 1, "each violation on two lines, then the summary");
        });
    });

    it("takes the rules' levels and settings from --policy-pack-config, as pulumi preview does", async () => {
        const stack = file("Pulumi.open.yaml", OPEN_STACK);
        const advisory = await policy(
            "--stack-file",
            stack,
            "--policy-pack-config",
            file("advisory.json", '{"network-policies-present": "advisory"}'),
        );
        assert.equal(advisory.status, 0, advisory.stderr);
        assert.match(advisory.stdout, /^advisory network-policies-present: kubernetes:apps\/v1:StatefulSet mariadb-statefulset$/m);
        assert.match(advisory.stdout, /^policy: \d+ violations \(0 mandatory\) of the \d+ rules .* of stack open\n$/m);
        const off = file("off.json", '{"network-policies-present": {"networkPolicies": "off"}}');
        const networkOff = await policy("--stack-file", stack, "--policy-pack-config", off);
        assert.equal(networkOff.status, 0, networkOff.stderr);
        assert.match(
            networkOff.stdout,
            new RegExp(`^policy: no violation of the ${POLICIES.length} rules over the \\d+ resources of stack open\n$`),
        );
        const disabled = await policy("--stack-file", stack, "--policy-pack-config", file("all.json", '{"all": "disabled"}'));
        assert.match(disabled.stdout, /^policy: no violation of the 0 rules over the \d+ resources of stack open\n$/);
    });

    it("reports invalid configuration on stderr, exits 1 and prints nothing on stdout", async () => {
        const result = await policy(
            "--stack-file",
            file("Pulumi.broken.yaml", "config:\n  matomo:matomo:\n    hostname: Not A Hostname\n"),
        );
        assert.equal(result.status, 1);
        assert.equal(result.stdout, "");
        assert.match(result.stderr, /matomo:matomo\.hostname: got "Not A Hostname"/);
        assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, "no stack trace");
    });

    it("prints its help with --help and exits 0", async () => {
        const result = await policy("--help");
        assert.equal(result.status, 0);
        assert.match(result.stdout, /--stack NAME .*\(here: dev, prod\)/);
        assert.match(result.stdout, /--policy-pack-config PATH/);
        assert.equal(result.stderr, "");
    });

    for (const [what, args, message] of [
        ["no stack", [], /no stack given: use --stack NAME \(here: dev, prod\) or --stack-file PATH/],
        ["a stack that is not here", ["--stack", "nope"], /no stack "nope" here \(no Pulumi\.nope\.yaml\): the stacks are dev, prod/],
        ["both a stack and a file", ["--stack", "dev", "--stack-file", "x.yaml"], /both given: check one stack at a time/],
        ["an unknown option", ["--stak", "dev"], /Unknown option '--stak'/],
        ["a stack file that is missing", ["--stack-file", "Pulumi.missing.yaml"], /^policy: Pulumi\.missing\.yaml: no such file$/m],
        [
            "a pack configuration that is missing",
            ["--stack", "dev", "--policy-pack-config", "none.json"],
            /--policy-pack-config none\.json: no such file/,
        ],
    ] as const) {
        it(`says what is wrong with ${what}, and exits 2`, async () => {
            const result = await policy(...args);
            assert.equal(result.status, 2, result.stderr);
            assert.match(result.stderr, message);
            assert.match(result.stderr, /--help explains each option/);
            assert.equal(result.stdout, "");
        });
    }

    it("refuses a pack configuration that is not JSON, or names what the pack does not have, and exits 2", async () => {
        const result = await policy("--stack", "dev", "--policy-pack-config", file("bad.json", "{network-policies-present: off}"));
        assert.equal(result.status, 2);
        assert.match(result.stderr, /bad\.json: not valid JSON: /);
        assert.deepEqual(
            packConfigProblems({ "network-policy-present": "advisory" })[0].split(":")[0],
            '"network-policy-present" is no rule of the pack',
        );
        assert.deepEqual(packConfigProblems([]), ["is not a JSON object of rule names"]);
        assert.deepEqual(packConfigProblems({ all: "warn", "image-pinned": { enforcementLevel: "Mandatory" } }), [
            'all: enforcement level "warn" is not one of advisory, mandatory, disabled',
            'image-pinned: enforcement level "Mandatory" is not one of advisory, mandatory, disabled',
        ]);
        assert.deepEqual(packConfigProblems({ "network-policies-present": { networkPolicies: "of", enforce: true } }), [
            'network-policies-present.networkPolicies: "of" is not one of "required", "off"',
            "network-policies-present.enforce is no setting of the rule: it has networkPolicies",
        ]);
        assert.deepEqual(
            packConfigProblems({ all: "advisory", "image-pinned": "mandatory", "network-policies-present": { networkPolicies: "off" } }),
            [],
        );
    });
});

describe("policy's command line and report", () => {
    it("checks one stack, with or without a pack configuration", () => {
        assert.deepEqual(parsePolicyArgs(["--stack", "dev"], ["dev"]), {
            kind: "check",
            stack: "dev",
            stackFile: undefined,
            packConfig: undefined,
        });
        assert.deepEqual(parsePolicyArgs(["--stack-file", "x.yaml", "--policy-pack-config", "c.json"], ["dev"]), {
            kind: "check",
            stack: undefined,
            stackFile: "x.yaml",
            packConfig: "c.json",
        });
    });

    it("names the stack for a stack rule's violation, and counts one violation as one", () => {
        const report = policyReport([{ policy: "network-policies-present", level: "advisory", message: "m" }], "dev", 14, 30);
        assert.equal(
            report,
            "advisory network-policies-present: the stack\n    m\npolicy: 1 violation (0 mandatory) of the 14 rules over the 30 resources of stack dev\n",
        );
    });
});
