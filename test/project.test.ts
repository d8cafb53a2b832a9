/**
 * The project files stay true: Pulumi.yaml declares the scalar keys with the schema's types and
 * defaults, docs/configuration.md's config reference is the generated one, every seed parameter is
 * mapped in docs/seed-parameters.md, and the stack files are valid as they are.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { schema } from "../components/config/keys";
import type { Field } from "../components/config/schema/fields";
import { parseConfig } from "../components/config";
import { REFERENCE_DOC, withReference } from "../scripts/docs";
import { eea, google } from "./support/configCases";
import { ROOT, sourceOf, stackConfig } from "./support/harness";

const read = (path: string) => readFileSync(resolve(ROOT, path), "utf8");

describe("project files", () => {
    describe("Pulumi.yaml", () => {
        const project = parse(read("Pulumi.yaml")) as {
            name: string;
            runtime: { name: string; options: Record<string, unknown> };
            config: Record<string, { type: string; description: string; default: unknown }>;
        };
        const fields = schema as unknown as Record<string, Field<unknown>>;

        it("is the nodejs project matomo, run compiled through the launcher without a TypeScript loader", () => {
            assert.equal(project.name, "matomo");
            assert.equal(project.runtime.name, "nodejs");
            assert.deepEqual(project.runtime.options, { typescript: false });
            assert.equal((project as unknown as { main: string }).main, "scripts/pulumi-program.js");
            const pkg = JSON.parse(read("package.json")) as {
                dependencies: Record<string, string>;
                scripts: Record<string, string>;
                engines: Record<string, string>;
            };
            assert.equal(pkg.dependencies.tsx, undefined, "tsx only runs the tests and tools");
            assert.match(pkg.scripts.prepare, /scripts\/build\.js/, "npm ci builds bin/");
            assert.equal(pkg.engines.node, ">=22", "what @pulumi/pulumi needs");
        });

        it("declares every scalar key with the schema's type and default", () => {
            const scalars = Object.entries(fields).filter(([, f]) => !f.structured && !f.rejected);
            assert.deepEqual(Object.keys(project.config).sort(), scalars.map(([k]) => k).sort());
            for (const [key, field] of scalars) {
                const declared = project.config[key];
                const expectedType = field.type === "boolean" ? "boolean" : field.type === "integer" ? "integer" : "string";
                assert.equal(declared.type, expectedType, key);
                assert.ok(declared.description.length > 10, key);
                const ctx = { key, setPath: key, secretKey: false, issues: [] };
                assert.deepEqual(declared.default, field.missing(ctx), `default of ${key}`);
            }
        });
    });

    describe("stack files", () => {
        it("Pulumi.prod.yaml is valid as it is: Google topology, several replicas, regional Cloud SQL", () => {
            const { config, issues } = parseConfig(sourceOf(stackConfig("prod"), "prod"));
            assert.deepEqual(issues, []);
            const { cloudsql, matomo } = google(config!);
            assert.ok(matomo.replicaCount >= 2);
            assert.ok("create" in cloudsql.instance);
            assert.equal(cloudsql.instance.create.availabilityType, "REGIONAL");
            assert.equal(cloudsql.deletionProtection, true);
            assert.ok(cloudsql.instance.create.backups.retainedBackups >= 14);
        });

        it("Pulumi.dev.yaml is valid as it is, and small", () => {
            const { config, issues } = parseConfig(sourceOf(stackConfig("dev")));
            assert.deepEqual(issues, []);
            assert.equal(config!.matomo.replicaCount, 1);
            assert.ok(eea(config!).mariadb.resources.limits.memory !== "10Gi", "dev is not sized like production");
        });
    });

    describe("docs", () => {
        it("docs/configuration.md has the config reference generated from the schema (run `npm run docs` after changing it)", () => {
            const page = readFileSync(REFERENCE_DOC, "utf8");
            assert.equal(page, withReference(page));
        });

        it("docs/runbooks.md checks maintenance mode with requests Matomo answers without a login", () => {
            // Matomo answers an anonymous API.getPiwikVersion with 401 in either mode, so a check
            // built on it cannot tell maintenance from normal operation.
            const runbooks = read("docs/runbooks.md");
            const section = runbooks.slice(runbooks.indexOf("## Maintenance mode"), runbooks.indexOf("## Privacy settings"));
            const checked = [...section.matchAll(/^curl .*'?https:\/\/<hostname>\/([^' ]+)'?/gm)].map((m) => m[1]);
            assert.deepEqual(checked, ["matomo.php", "index.php?module=Login"]);
        });

        it("README.md gives the two quick-start commands on its first screen, for Node.js 22", () => {
            const firstScreen = read("README.md").split("\n").slice(0, 40).join("\n");
            assert.ok(firstScreen.includes("npm ci && npm run render -- --stack dev"));
            assert.ok(firstScreen.includes("npm test"));
            assert.ok(firstScreen.includes("Node.js 22 or newer"));
        });

        it("README.md stays a short entry page, and no doc asks for Node.js 20", () => {
            assert.ok(read("README.md").split("\n").length <= 260, "README.md is at most 260 lines; move details to docs/");
            const docs = ["README.md", "CONTRIBUTING.md", ...readdirSync(resolve(ROOT, "docs")).map((f) => `docs/${f}`)];
            const stale = docs.filter((f) => f.endsWith(".md") && /Node(\.js)? 20\b/.test(read(f)));
            assert.deepEqual(stale, []);
        });
    });

    describe("docs/seed-parameters.md", () => {
        const doc = read("docs/seed-parameters.md");
        const parameters = read("test/fixtures/seed-parameters.txt")
            .split("\n")
            .filter((l) => l && !l.startsWith("#"));

        it("maps every parameter of the seed chart's table", () => {
            assert.equal(parameters.length, 85);
            const missing = parameters.filter((p) => !doc.includes(`| \`${p}\` |`));
            assert.deepEqual(missing, []);
        });

        it("gives each a key here and a status", () => {
            const table = doc.slice(doc.indexOf("## Parameters"), doc.indexOf("Keys the seed README mentions"));
            const rows = table.split("\n").filter((l) => parameters.some((p) => l.startsWith(`| \`${p}\` |`)));
            assert.equal(rows.length, parameters.length);
            for (const line of rows) {
                const cells = line.split(" | ");
                assert.match(cells[2], /matomo:/, line);
                assert.match(cells[3], /^(built|planned: .+|rejected)$/, line);
            }
        });
    });
});
