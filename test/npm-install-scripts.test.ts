/**
 * Every dependency with an install script has an explicit decision in package.json's `allowScripts`
 * (npm 11 runs a dependency's install script only when it is approved there, and warns about each
 * one it does not name, which a newcomer reads as a failed install). The lockfile says which
 * packages have one (`hasInstallScript`), so a new one fails here, with any npm, before `npm ci`
 * warns; each decision is explained in docs/dependencies.md, and no decision outlives its package.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..");
const readJson = (path: string) => JSON.parse(readFileSync(join(ROOT, path), "utf8")) as unknown;

interface LockedPackage {
    name?: string;
    version?: string;
    hasInstallScript?: boolean;
}

/** `name@version` of every package in a v2/v3 lockfile that has an install script. */
function packagesWithInstallScripts(lock: { packages?: Record<string, LockedPackage> }): { name: string; version: string }[] {
    return Object.entries(lock.packages ?? {})
        .filter(([path, entry]) => path !== "" && entry.hasInstallScript === true)
        .map(([path, entry]) => ({
            name: entry.name ?? path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length),
            version: entry.version ?? "",
        }));
}

/**
 * The decision of an `allowScripts` map for a package: the entry `name@version` (what `npm
 * install-scripts approve` writes), else the entry `name` (what `deny` writes); undefined when none.
 */
function decisionFor(allowScripts: Record<string, boolean>, name: string, version: string): boolean | undefined {
    return allowScripts[`${name}@${version}`] ?? allowScripts[name];
}

/** The entry's package name: `esbuild`, `@pulumi/kubernetes` (a version after the name's `@` is dropped). */
function entryName(entry: string): string {
    const at = entry.indexOf("@", 1);
    return at < 0 ? entry : entry.slice(0, at);
}

/** The rows `| \`package\` | approved or denied | why |` of the docs' install-script table. */
function documentedDecisions(markdown: string): Map<string, boolean> {
    const rows = [...markdown.matchAll(/^\| `([^`]+)` \| (approved|denied) \|/gm)];
    return new Map(rows.map(([, name, decision]) => [name, decision === "approved"]));
}

describe("npm install scripts (package.json allowScripts)", () => {
    const pkg = readJson("package.json") as { allowScripts?: Record<string, boolean> };
    const allowScripts = pkg.allowScripts ?? {};
    const withScripts = packagesWithInstallScripts(readJson("package-lock.json") as { packages?: Record<string, LockedPackage> });

    it("finds the packages with install scripts in a lockfile, and their decisions", () => {
        const lock = {
            packages: {
                "": { hasInstallScript: true },
                "node_modules/a": { version: "1.0.0", hasInstallScript: true },
                "node_modules/b/node_modules/@s/c": { version: "2.0.0", hasInstallScript: true },
                "node_modules/d": { version: "1.0.0" },
            },
        };
        assert.deepEqual(packagesWithInstallScripts(lock), [
            { name: "a", version: "1.0.0" },
            { name: "@s/c", version: "2.0.0" },
        ]);
        assert.equal(decisionFor({ a: false }, "a", "1.0.0"), false);
        assert.equal(decisionFor({ "a@1.0.0": true, a: false }, "a", "1.0.0"), true);
        assert.equal(decisionFor({ "a@0.9.0": true }, "a", "1.0.0"), undefined);
        assert.equal(entryName("@s/c@2.0.0"), "@s/c");
        assert.equal(entryName("@s/c"), "@s/c");
        assert.deepEqual(
            [...documentedDecisions("| `a` | denied | x |\n| `@s/c` | approved | y |\n")],
            [
                ["a", false],
                ["@s/c", true],
            ],
        );
    });

    it("has a decision for every locked package with an install script", () => {
        const undecided = withScripts.filter(({ name, version }) => decisionFor(allowScripts, name, version) === undefined);
        assert.deepEqual(
            undecided.map(({ name, version }) => `${name}@${version}`),
            [],
            "read what each script does, then `npm install-scripts approve|deny <package>`, and explain it in docs/dependencies.md",
        );
    });

    it("keeps no decision for a package that is no longer locked with an install script", () => {
        const names = new Set(withScripts.map(({ name }) => name));
        assert.deepEqual(
            Object.keys(allowScripts).filter((entry) => !names.has(entryName(entry))),
            [],
            "remove it: `npm install-scripts prune`",
        );
    });

    it("explains every decision in docs/dependencies.md, as package.json makes it", () => {
        const documented = documentedDecisions(readFileSync(join(ROOT, "docs", "dependencies.md"), "utf8"));
        const decided = new Map(Object.entries(allowScripts).map(([entry, allowed]) => [entryName(entry), allowed]));
        assert.deepEqual(documented, decided);
    });
});
