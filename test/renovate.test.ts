/**
 * renovate.json keeps every pinned image current: its custom managers, applied here as Renovate
 * applies them (each `matchStrings` entry compiled with the flag `g`, JavaScript semantics; Renovate
 * runs them on RE2, so no lookaround or backreference), find each image default of the config schema
 * (found the way the program finds its images: the `repository` and `tag` defaults of every `image`
 * field) in components/config/sections and in the generated docs/configuration.md, with the right
 * depName, currentValue and datasource; the docs' examples name the defaults; and the Pulumi CLI
 * version file is found. The keys are checked against Renovate's option definitions (no JSON schema
 * is available offline).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { schema } from "../components/config/keys";
import type { Field } from "../components/config/schema/fields";
import { allFields } from "../components/config/schema/walk";
import { ROOT } from "./support/harness";
import { applyManager, RENOVATE_OPTIONS, shapeProblems, type CustomManager, type Dependency } from "./support/renovate";

const config = JSON.parse(readFileSync(join(ROOT, "renovate.json"), "utf8")) as {
    enabledManagers: string[];
    customManagers: CustomManager[];
    packageRules: { matchDepNames?: string[]; allowedVersions?: string; groupName?: string }[];
};

/** Files of the repository, relative paths (the directories Renovate's patterns here reach). */
function files(dir = ""): string[] {
    return readdirSync(join(ROOT, dir)).flatMap((name) => {
        const path = dir ? `${dir}/${name}` : name;
        if (["node_modules", ".git", "bin", ".tmp", "test"].includes(name)) return [];
        return statSync(join(ROOT, path)).isDirectory() ? files(path) : [path];
    });
}

/** `repository:tag` of every image default of the config schema. */
function imageDefaults(): { where: string; repository: string; tag: string }[] {
    const ctx = { key: "", secretKey: false, setPath: "", issues: [] };
    return allFields(schema as unknown as Record<string, Field<unknown>>)
        .filter(({ path, field }) => path.at(-1) === "image" && field.fields?.repository && field.fields.tag)
        .map(({ path, field }) => ({
            where: path.join("."),
            repository: field.fields!.repository.missing(ctx) as string,
            tag: field.fields!.tag.missing(ctx) as string,
        }));
}

describe("Renovate (renovate.json)", () => {
    const repositoryFiles = files();
    const found: Dependency[] = config.customManagers.flatMap((manager) =>
        applyManager(manager, repositoryFiles, (f) => readFileSync(join(ROOT, f), "utf8")),
    );
    const defaults = imageDefaults();
    const key = (d: { depName?: string; repository?: string; currentValue?: string; tag?: string }) =>
        `${d.depName ?? d.repository}:${d.currentValue ?? d.tag}`;

    it("uses only Renovate's options, each where and as Renovate takes it (and the check finds a mistake)", () => {
        assert.deepEqual(shapeProblems(config), []);
        const broken = { customManagers: [{ customType: "regex", fileMatch: ["x"], matchStrings: "y", datasourceTemplate: "docker" }] };
        assert.deepEqual(shapeProblems(broken), [
            "customManagers[0].fileMatch: not an option of Renovate here",
            "customManagers[0].matchStrings: expected array",
        ]);
        assert.ok(RENOVATE_OPTIONS.managerFilePatterns);
    });

    it("runs the npm, GitHub Actions and custom regex managers", () => {
        assert.deepEqual([...config.enabledManagers].sort(), ["custom.regex", "github-actions", "npm"]);
    });

    it("finds the program's images: every image default of the config schema", () => {
        assert.ok(defaults.length >= 8, defaults.map((d) => d.where).join(", "));
        for (const d of defaults) assert.ok(!d.tag.startsWith("sha256:"), `${d.where}: a digest default would need Renovate's pinDigests`);
        assert.ok(defaults.some((d) => d.repository === "gcr.io/cloud-sql-connectors/cloud-sql-proxy"));
    });

    it("matches each image default in the config sections, as a docker image, and nothing else there", () => {
        const inSections = found.filter((d) => d.file.startsWith("components/config/sections/"));
        for (const d of inSections) assert.equal(d.datasource, "docker", `${d.file}: ${key(d)}`);
        assert.deepEqual([...new Set(inSections.map(key))].sort(), [...new Set(defaults.map(key))].sort());
    });

    it("matches the same defaults in the generated docs/configuration.md, so an update keeps it current", () => {
        const inReference = found.filter((d) => d.file === "docs/configuration.md");
        assert.deepEqual(inReference.map(key).sort(), defaults.map(key).sort());
        for (const d of inReference) assert.equal(d.datasource, "docker");
    });

    it("finds the docs' example images, each at the program's default", () => {
        const examples = found.filter((d) => d.file.startsWith("docs/") && d.file !== "docs/configuration.md");
        assert.ok(examples.length >= 3, examples.map(key).join(", "));
        const byRepository = new Map(defaults.map((d) => [d.repository, d.tag]));
        for (const d of examples) assert.equal(d.currentValue, byRepository.get(d.depName!), `${d.file}: ${key(d)}`);
    });

    it("keeps the Pulumi CLI of .pulumi.version current from pulumi/pulumi's releases, with the SDK", () => {
        const cli = found.filter((d) => d.file === ".pulumi.version");
        assert.deepEqual(cli, [
            {
                file: ".pulumi.version",
                depName: "pulumi/pulumi",
                currentValue: readFileSync(join(ROOT, ".pulumi.version"), "utf8").trim(),
                datasource: "github-releases",
                extractVersion: "^v(?<version>.+)$",
            },
        ]);
        assert.equal(new RegExp(cli[0].extractVersion!).exec("v3.270.0")?.groups?.version, "3.270.0");
        const group = config.packageRules.find((r) => r.groupName);
        assert.deepEqual(group?.matchDepNames, ["pulumi/pulumi", "@pulumi/pulumi"]);
    });

    it("keeps MariaDB in the 10.11 series the program runs, and the default inside it", () => {
        const rule = config.packageRules.find((r) => r.matchDepNames?.includes("mariadb"));
        const allowed = new RegExp(rule!.allowedVersions!.slice(1, -1));
        const mariadb = defaults.find((d) => d.repository === "mariadb")!;
        assert.ok(allowed.test(mariadb.tag), mariadb.tag);
        assert.ok(!allowed.test("11.4.5") && !allowed.test("10.6.21"));
    });
});
