/**
 * The layout rules of the codebase (docs/architecture.md): arrows point down, components never see the
 * config, no import cycle, small files, and no shell or PHP program hidden in a TypeScript string.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ROOT } from "./support/harness";

/** The TypeScript files under a folder of the repository. */
function sources(folder: string): string[] {
    const found: string[] = [];
    const walk = (dir: string) => {
        for (const entry of readdirSync(dir)) {
            const path = join(dir, entry);
            if (statSync(path).isDirectory()) walk(path);
            else if (path.endsWith(".ts")) found.push(relative(ROOT, path));
        }
    };
    walk(resolve(ROOT, folder));
    return found.sort();
}

/** The repository files a source imports (relative imports only), resolved as Node resolves them. */
function importsOf(file: string): string[] {
    const text = readFileSync(resolve(ROOT, file), "utf8");
    const specifiers = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"/gms)].map((m) => m[1]);
    return specifiers.map((specifier) => {
        const base = resolve(ROOT, dirname(file), specifier);
        const target = [`${base}.ts`, join(base, "index.ts")].find((candidate) => existsSync(candidate));
        assert.ok(target, `${file}: cannot resolve ${specifier}`);
        return relative(ROOT, target);
    });
}

const PROGRAM = [...sources("components"), ...sources("stacks"), "index.ts"];
const GRAPH = new Map(PROGRAM.map((file) => [file, importsOf(file)]));

/** `components/<area>` of a file, or its top-level folder. */
function areaOf(file: string): string {
    const parts = file.split("/");
    return parts[0] === "components" ? `components/${parts[1]}` : parts[0];
}

describe("architecture", () => {
    it("components import only the bottom layer, their own area, the database seam and the Matomo pod builder", () => {
        const allowed = (from: string, to: string) =>
            areaOf(to) === areaOf(from) ||
            areaOf(to) === "components/k8s" ||
            to === "components/database/endpoint.ts" ||
            (areaOf(from) === "components/jobs" && areaOf(to) === "components/matomo");
        const wrong = PROGRAM.filter((f) => f.startsWith("components/")).flatMap((from) =>
            GRAPH.get(from)!
                .filter((to) => !allowed(from, to))
                .map((to) => `${from} -> ${to}`),
        );
        assert.deepEqual(wrong, []);
    });

    it("the bottom layer imports nothing of the program but itself", () => {
        const wrong = PROGRAM.filter((f) => areaOf(f) === "components/k8s").flatMap((from) =>
            GRAPH.get(from)!
                .filter((to) => areaOf(to) !== "components/k8s")
                .map((to) => `${from} -> ${to}`),
        );
        assert.deepEqual(wrong, []);
    });

    it("has no import cycle", () => {
        const cycles: string[] = [];
        const state = new Map<string, "visiting" | "done">();
        const visit = (file: string, path: string[]) => {
            if (state.get(file) === "done") return;
            if (state.get(file) === "visiting") {
                cycles.push([...path.slice(path.indexOf(file)), file].join(" -> "));
                return;
            }
            state.set(file, "visiting");
            for (const next of GRAPH.get(file) ?? []) visit(next, [...path, file]);
            state.set(file, "done");
        };
        for (const file of PROGRAM) visit(file, []);
        assert.deepEqual(cycles, []);
    });

    it("the rule checks see real imports (a file that imports config is found)", () => {
        assert.ok(GRAPH.get("stacks/index.ts")!.includes("components/config/index.ts"));
        assert.ok(GRAPH.get("components/jobs/console.ts")!.includes("components/matomo/podBuilder.ts"));
    });

    it("keeps every source file of the program, the stacks and the scripts at 250 lines or less", () => {
        const long = [...PROGRAM, ...sources("scripts")]
            .map((file) => [file, readFileSync(resolve(ROOT, file), "utf8").split("\n").length - 1] as const)
            .filter(([, lines]) => lines > 250)
            .map(([file, lines]) => `${file} (${lines} lines)`);
        assert.deepEqual(long, []);
    });

    it("keeps shell and PHP programs in files of their own, not in TypeScript strings", () => {
        // config.ini.php's first line, `; <?php exit; ?>`, is the file format's guard, not a program.
        const program = /set -eu|<\?php(?! exit; \?>)|\bfi\n|\bdone\n|\besac\b/;
        const embedded = PROGRAM.filter((file) => program.test(readFileSync(resolve(ROOT, file), "utf8")));
        assert.deepEqual(embedded, []);
    });
});
