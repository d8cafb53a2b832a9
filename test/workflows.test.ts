/**
 * The GitHub Actions workflows are checked here, since nothing runs them before they reach GitHub:
 * each passes the workflow JSON schema (SchemaStore's, compiled into @action-validator/core, so the
 * check runs offline), yamllint and shellcheck for its scripts, and they keep the project's promises
 * (docs/ci-cd.md): the Node.js major .ci/run installs, one pulumi/actions major, the policy pack on
 * every Pulumi run and offline on every stack file, OIDC permissions only where OIDC is used, one update of a stack at a time, prod
 * only after dev and an approval, and no credential in the repository.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { validateWorkflow, type ValidationError } from "@action-validator/core";
import { parse } from "yaml";
import { repositoryStacks } from "../scripts/lib/stackChoice";
import { requireBinaries } from "./support/system";

const ROOT = resolve(__dirname, "..");
const WORKFLOWS = join(ROOT, ".github", "workflows");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

type Fields = Record<string, unknown>;
interface Step {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Fields;
    env?: Fields;
}
interface Job {
    uses?: string;
    "runs-on"?: string;
    needs?: string | string[];
    environment?: string | { name: string };
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    "timeout-minutes"?: number;
    steps?: Step[];
}
interface Workflow {
    permissions?: unknown;
    jobs: Record<string, Job>;
}

const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const texts = new Map(files.map((f) => [f, readFileSync(join(WORKFLOWS, f), "utf8")]));
const workflows = new Map(files.map((f) => [f, parse(texts.get(f)!) as Workflow]));
const jobs = [...workflows].flatMap(([file, w]) => Object.entries(w.jobs).map(([id, job]) => ({ where: `${file} ${id}`, job })));
const steps = jobs.flatMap(({ where, job }) => (job.steps ?? []).map((step) => ({ where, job, step })));
const usesOf = (prefix: string) => steps.filter(({ step }) => step.uses?.startsWith(`${prefix}@`));
const OIDC_ACTIONS = ["pulumi/auth-actions", "google-github-actions/auth"];

/** The schema's complaints, flattened to "path: detail" lines (a oneOf nests the reasons). */
function problems(errors: ValidationError[]): string[] {
    return errors.flatMap((e) => {
        const nested = "states" in e ? (e.states ?? []).flatMap((s) => problems(s.errors)) : [];
        const where = "path" in e ? e.path : `line ${e.location?.line ?? "?"}`;
        return nested.length > 0 ? nested : [`${where || "/"}: ${e.detail ?? e.title}`];
    });
}

const schemaProblems = (text: string) => problems(validateWorkflow(text).errors);

/** The apt packages an `apt-get install --no-install-recommends` line of a script installs. */
function aptPackages(script: string): string[] {
    return script
        .replace(/\\\n/g, " ")
        .split("\n")
        .filter((line) => /apt-get .*install .*--no-install-recommends/.test(line))
        .flatMap((line) => line.split("--no-install-recommends")[1].split(">")[0].trim().split(/\s+/));
}

/** Files that would be committed: the tree without what .gitignore keeps out. */
function repositoryFiles(dir = ROOT): string[] {
    return readdirSync(dir).flatMap((name) => {
        if ([".git", "node_modules", "bin", ".tmp"].includes(name) || name.endsWith(".log")) return [];
        const path = join(dir, name);
        return statSync(path).isDirectory() ? repositoryFiles(path) : [path.slice(ROOT.length + 1)];
    });
}

describe("GitHub Actions workflows", () => {
    it("has the pull-request, deploy and shared checks workflows", () => {
        assert.deepEqual(files.sort(), ["checks.yml", "deploy.yml", "pull-request.yml"]);
    });

    describe("schema", () => {
        it("rejects a broken workflow (the check itself works)", () => {
            const broken = "on: push\njobs:\n  build:\n    steps:\n      - run: echo hi\n";
            assert.ok(schemaProblems(broken).includes("/jobs/build/runs-on: This property is required"), schemaProblems(broken).join("\n"));
            assert.match(schemaProblems("on: [push\n").join("\n"), /line 2/);
            assert.deepEqual(schemaProblems(broken.replace("    steps", "    runs-on: ubuntu-24.04\n    steps")), []);
        });

        for (const file of files) {
            it(`${file} is valid against the GitHub workflow schema`, () => {
                assert.deepEqual(schemaProblems(texts.get(file)!), []);
            });
        }
    });

    describe("linters", () => {
        it("yamllint -s passes on .github/, .yamllint and the stack files, and reports a broken file", function () {
            requireBinaries(this, "yamllint");
            const lint = (args: string[], input?: string) =>
                spawnSync("yamllint", ["-s", "-c", ".yamllint", ...args], { cwd: ROOT, encoding: "utf8", input });
            const result = lint([".github", ".yamllint", "Pulumi.dev.yaml", "Pulumi.prod.yaml"]);
            assert.equal(result.status, 0, result.stdout + result.stderr);
            assert.notEqual(lint(["-"], "key: 1\nkey: 2\n").status, 0, "a duplicated key fails");
        });

        it("every run script passes shellcheck, and takes no ${{ }} expression (values come in through env)", function () {
            requireBinaries(this, "shellcheck");
            for (const { where, step } of steps.filter(({ step }) => step.run)) {
                assert.ok(!step.run!.includes("${{"), `${where}: ${step.name ?? step.run}`);
                const check = spawnSync("shellcheck", ["--shell=bash", "--severity=style", "-"], { input: step.run, encoding: "utf8" });
                assert.equal(check.status, 0, `${where}: ${step.name ?? step.run}\n${check.stdout}`);
            }
        });
    });

    describe("project facts", () => {
        it("sets up the Node.js major .ci/run installs, in every job that runs npm", () => {
            const major = /\$package@(\d+)/.exec(read(".ci/run"))?.[1];
            assert.ok(major, ".ci/run names the Node.js major it installs");
            for (const { where, job } of jobs.filter(({ job }) => job.steps?.some((s) => s.run?.startsWith("npm ")))) {
                const setups = job.steps!.filter((s) => s.uses?.startsWith("actions/setup-node@"));
                assert.equal(setups.length, 1, where);
                assert.equal(String(setups[0].with?.["node-version"]), major, where);
            }
        });

        it("the checks job installs every system package .ci/run installs", () => {
            const script = workflows
                .get("checks.yml")!
                .jobs.checks.steps!.map((s) => s.run ?? "")
                .join("\n");
            const missing = aptPackages(read(".ci/run")).filter((p) => !aptPackages(script).includes(p));
            assert.ok(aptPackages(read(".ci/run")).includes("yamllint"));
            assert.deepEqual(missing, []);
        });

        it("the checks job and .ci/run run the policy pack offline on every stack file", () => {
            const script = workflows
                .get("checks.yml")!
                .jobs.checks.steps!.map((s) => s.run ?? "")
                .join("\n");
            for (const stack of repositoryStacks(ROOT)) {
                const line = `npm run --silent policy -- --stack ${stack}`;
                assert.ok(script.includes(line), `checks.yml: ${line}`);
                assert.ok(read(".ci/run").includes(line), `.ci/run: ${line}`);
            }
        });

        it("pins every action to a version tag or a commit, and pulumi/actions to one major", () => {
            for (const { where, step } of steps.filter(({ step }) => step.uses)) {
                assert.match(step.uses!, /^[\w.-]+\/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/, where);
            }
            const majors = new Set(usesOf("pulumi/actions").map(({ step }) => step.uses!.split("@")[1].split(".")[0]));
            assert.equal(majors.size, 1, [...majors].join(", "));
        });

        it("runs the policy pack in every preview and update", () => {
            const runs = usesOf("pulumi/actions");
            assert.deepEqual(runs.map(({ step }) => step.with?.command).sort(), ["preview", "up", "up"]);
            for (const { where, step } of runs) assert.equal(step.with?.policyPacks, "policy", where);
            assert.match(read("policy/PulumiPolicy.yaml"), /^runtime: nodejs$/m);
        });

        it("previews each stack on a pull request, with the diff as a comment", () => {
            const preview = workflows.get("pull-request.yml")!.jobs.preview;
            assert.deepEqual(
                (preview as { strategy: { matrix: { include: { stack: string }[] } } }).strategy.matrix.include.map((m) => m.stack),
                ["dev", "prod"],
            );
            assert.equal(usesOf("pulumi/actions").find(({ job }) => job === preview)?.step.with?.["comment-on-pr"], true);
            assert.equal(preview.permissions?.["pull-requests"], "write");
            assert.match(preview.concurrency!.group, /matrix\.stack/);
        });

        it("grants id-token: write only to the jobs that exchange an OIDC token, and least privilege everywhere", () => {
            for (const [file, w] of workflows) assert.deepEqual(w.permissions, {}, `${file}: no workflow-wide permissions`);
            for (const { where, job } of jobs) {
                assert.ok(job.permissions, `${where} declares its permissions`);
                const oidc = (job.steps ?? []).some((s) => OIDC_ACTIONS.some((a) => s.uses?.startsWith(`${a}@`)));
                assert.equal(job.permissions["id-token"] === "write", oidc, where);
                for (const [scope, level] of Object.entries(job.permissions)) {
                    assert.ok(level === "read" || ["id-token", "pull-requests"].includes(scope), `${where}: ${scope}: ${level}`);
                }
                if (job["runs-on"]) assert.ok(job["timeout-minutes"], `${where} has a timeout`);
            }
        });

        it("updates one stack at a time, never cancelled, prod after dev behind the protected environment", () => {
            const deploy = workflows.get("deploy.yml")!.jobs;
            for (const stack of ["dev", "prod"]) {
                assert.deepEqual(deploy[stack].concurrency, { group: `deploy-${stack}`, "cancel-in-progress": false });
                assert.equal(deploy[stack].environment, stack);
                const up = deploy[stack].steps!.find((s) => s.uses?.startsWith("pulumi/actions@"));
                assert.equal(up?.with?.["stack-name"], `\${{ vars.PULUMI_ORG }}/matomo/${stack}`);
            }
            assert.equal(deploy.dev.needs, "checks");
            assert.equal(deploy.prod.needs, "dev");
        });

        it("takes credentials from secrets and OIDC only: no key input, no literal secret, no kubeconfig in the checkout", () => {
            const all = [...texts.values()].join("\n");
            assert.ok(!/credentials_json|PULUMI_ACCESS_TOKEN:|-----BEGIN/.test(all), "no key or token in a workflow");
            for (const { where, step } of steps) {
                for (const [key, value] of Object.entries({ ...step.env, ...step.with })) {
                    if (/(token|passphrase|password|secret|kubeconfig)(_data)?$/i.test(key) && key !== "requested-token-type") {
                        assert.match(String(value), /^\$\{\{ (secrets|matrix)[.[]/, `${where}: ${key}`);
                    }
                }
                if (step.run?.includes("KUBECONFIG=")) assert.match(step.run, /mktemp "\$RUNNER_TEMP\/.*chmod 600/s, where);
            }
        });

        it("has no key file or private key committed", () => {
            const keyFile = /(\.(pem|key|p12|pfx|jks)|^id_(rsa|ecdsa|ed25519)|kubeconfig[^/]*|gha-creds-[^/]*\.json|credentials\.json)$/i;
            const privateKey = /-----BEGIN [A-Z ]*PRIVATE KEY-----\s+[A-Za-z0-9+/=\s]{200,}-----END|"private_key":\s*"-----BEGIN/;
            const found = repositoryFiles().filter((f) => keyFile.test(f.split("/").pop()!) || privateKey.test(read(f)));
            assert.deepEqual(found, []);
        });
    });
});
