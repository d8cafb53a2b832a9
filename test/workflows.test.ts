/**
 * The GitHub Actions workflows are checked here, since nothing runs them before they reach GitHub:
 * each passes the workflow JSON schema (SchemaStore's, compiled into @action-validator/core, so the
 * check runs offline), yamllint and shellcheck for its scripts, and they keep the project's promises
 * (docs/ci-cd.md): the Node.js major .ci/run installs, one pulumi/actions major, the policy pack on
 * every Pulumi run and offline on every stack file, OIDC permissions only where OIDC is used, one update of a stack at a time, prod
 * only after dev and an approval, no credential in the repository, no write credential within reach of a pull request's
 * jobs (test/support/workflowCredentials.ts), the Pulumi CLI pinned, and pulumi/auth-actions on the node24 runtime.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { validateWorkflow, type ValidationError } from "@action-validator/core";
import { parse } from "yaml";
import { repositoryStacks } from "../scripts/lib/stackChoice";
import { requireBinaries } from "./support/system";
import {
    environmentsOf,
    pullRequestCredentialProblems,
    secretsRead,
    writeCredentials,
    type CredentialWorkflow,
} from "./support/workflowCredentials";

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
    on?: unknown;
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
/** Kind and places of a name in docs/ci-cd.md's table of variables and secrets: `| \`NAME\` | secret | environment \`prod\` |`. */
function documented(name: string): { kind: string; environments: string[] } | undefined {
    const row = new RegExp(`^\\| \`${name}\` \\| (\\w+) \\| ([^|]+) \\|`, "m").exec(read("docs/ci-cd.md"));
    if (!row) return undefined;
    return { kind: row[1], environments: row[2].startsWith("environment") ? [...row[2].matchAll(/`([^`]+)`/g)].map((m) => m[1]) : [] };
}
/** The oldest pulumi/auth-actions release that runs on node24 (pulumi/auth-actions#59); 2.0.0 itself fails to load (#63). */
const AUTH_ACTIONS = { major: 2, broken: ["v2.0.0"] };

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
        it("yamllint -s passes on .github/, .yamllint, the stack files and the preview RBAC, and reports a broken file", function () {
            requireBinaries(this, "yamllint");
            const lint = (args: string[], input?: string) =>
                spawnSync("yamllint", ["-s", "-c", ".yamllint", ...args], { cwd: ROOT, encoding: "utf8", input });
            const result = lint([".github", ".yamllint", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "docs/preview-rbac.yaml"]);
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
            assert.equal(preview.environment, "${{ matrix.stack }}-preview");
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
                        assert.match(String(value), /^\$\{\{ secrets\.\w+ \}\}$/, `${where}: ${key}`);
                    }
                }
                if (step.run?.includes("KUBECONFIG=")) assert.match(step.run, /mktemp "\$RUNNER_TEMP\/.*chmod 600/s, where);
            }
        });

        it("pins the Pulumi CLI to the version in .pulumi.version, not older than the SDK the program is built with", () => {
            const version = read(".pulumi.version").trim();
            assert.match(version, /^\d+\.\d+\.\d+$/, ".pulumi.version holds one exact version");
            for (const { where, step } of usesOf("pulumi/actions")) {
                assert.equal(step.with?.["pulumi-version-file"], ".pulumi.version", where);
                assert.equal(step.with?.["pulumi-version"], undefined, where);
            }
            const lock = JSON.parse(read("package-lock.json")) as { packages: Record<string, { version: string }> };
            const numbers = (v: string) => v.split(".").map(Number);
            const [cli, sdk] = [numbers(version), numbers(lock.packages["node_modules/@pulumi/pulumi"].version)];
            const older = cli[0] !== sdk[0] || cli[1] < sdk[1] || (cli[1] === sdk[1] && cli[2] < sdk[2]);
            assert.ok(!older, `the CLI ${version} is older than @pulumi/pulumi ${sdk.join(".")}`);
        });

        it(`uses pulumi/auth-actions v${AUTH_ACTIONS.major} or later (the node24 runtime), never a release that fails to load`, () => {
            const refs = usesOf("pulumi/auth-actions").map(({ where, step }) => ({ where, ref: step.uses!.split("@")[1] }));
            assert.equal(refs.length, 3);
            for (const { where, ref } of refs) {
                const pinned = /^[0-9a-f]{40}$/.test(ref)
                    ? new RegExp(`pulumi/auth-actions@${ref} # (v[\\d.]+)`).exec([...texts.values()].join("\n"))?.[1]
                    : ref;
                assert.ok(pinned, `${where}: a commit pin names its release in a comment (# vX.Y.Z)`);
                assert.ok(Number(/^v(\d+)/.exec(pinned)?.[1]) >= AUTH_ACTIONS.major, `${where}: ${pinned} runs on node20`);
                assert.ok(!AUTH_ACTIONS.broken.includes(pinned), `${where}: ${pinned} fails to load`);
            }
        });

        it("has no key file or private key committed", () => {
            const keyFile = /(\.(pem|key|p12|pfx|jks)|^id_(rsa|ecdsa|ed25519)|kubeconfig[^/]*|gha-creds-[^/]*\.json|credentials\.json)$/i;
            const privateKey = /-----BEGIN [A-Z ]*PRIVATE KEY-----\s+[A-Za-z0-9+/=\s]{200,}-----END|"private_key":\s*"-----BEGIN/;
            const found = repositoryFiles().filter((f) => keyFile.test(f.split("/").pop()!) || privateKey.test(read(f)));
            assert.deepEqual(found, []);
        });
    });

    describe("prod credentials unreachable from pull requests", () => {
        const credentialWorkflows = workflows as unknown as Map<string, CredentialWorkflow>;
        const deploy = (env: string, secret: string) => ({
            on: { push: { branches: ["main"] } },
            jobs: {
                up: {
                    environment: env,
                    steps: [{ uses: "pulumi/actions@v7", with: { command: "up", kubeconfig: `\${{ secrets.${secret} }}` } }],
                },
            },
        });
        const pullRequest = (job: Record<string, unknown>) => ({ on: { pull_request: {} }, jobs: { preview: job } });

        it("finds every way a pull request's job reaches a write credential (the check itself works)", () => {
            const check = (pr: Record<string, unknown>, on: unknown = { pull_request: {} }) =>
                pullRequestCredentialProblems(
                    new Map<string, CredentialWorkflow>([
                        ["deploy.yml", deploy("prod", "KUBECONFIG_PROD")],
                        ["pr.yml", { ...pullRequest(pr), on }],
                    ]),
                );
            // The setup before issue 22: a matrix naming the repository secret of each stack.
            const before = {
                strategy: { matrix: { include: [{ stack: "prod", "kubeconfig-secret": "KUBECONFIG_PROD" }] } },
                steps: [{ env: { KUBECONFIG_DATA: "${{ secrets[matrix.kubeconfig-secret] }}" } }],
            };
            assert.match(check(before).join("\n"), /computed name/);
            assert.match(
                check({ steps: [{ env: { K: "${{ secrets.KUBECONFIG_PROD }}" } }] }).join("\n"),
                /reads KUBECONFIG_PROD, a secret of an update/,
            );
            assert.match(check({ environment: "prod", steps: [] }).join("\n"), /runs in prod, an update's environment/);
            assert.match(check({ steps: [{ env: { K: "${{ secrets.OTHER }}" } }] }).join("\n"), /outside a <stack>-preview environment/);
            assert.match(check({ uses: "./x.yml", secrets: "inherit" }).join("\n"), /passes them on/);
            assert.match(check({ steps: [] }, { pull_request_target: {} }).join("\n"), /pull_request_target/);
            const preview = { environment: "${{ matrix.stack }}-preview", strategy: { matrix: { include: [{ stack: "prod" }] } } };
            assert.deepEqual(check({ ...preview, steps: [{ env: { K: "${{ secrets.KUBECONFIG_PREVIEW }}" } }] }), []);
            assert.deepEqual(environmentsOf(preview), ["prod-preview"]);
        });

        it("no job a pull request starts can read a secret or an environment of an update", () => {
            assert.deepEqual(pullRequestCredentialProblems(credentialWorkflows), []);
            const write = writeCredentials(credentialWorkflows);
            assert.deepEqual([...write.environments].sort(), ["dev", "prod"]);
            assert.deepEqual([...write.secrets].sort(), ["KUBECONFIG_DEV", "KUBECONFIG_PROD"]);
        });

        it("docs/ci-cd.md keeps each secret in the environments of the jobs that read it, never in the repository", () => {
            for (const { where, job } of jobs) {
                for (const name of secretsRead(job as never).names) {
                    const doc = documented(name);
                    assert.equal(doc?.kind, "secret", `${where}: ${name} is in docs/ci-cd.md's table as a secret`);
                    for (const env of environmentsOf(job as never))
                        assert.ok(doc!.environments.includes(env), `${where}: ${name} in ${env}`);
                    assert.ok(doc!.environments.length > 0, `${name}: an environment secret, not a repository one`);
                }
            }
        });
    });
});
