/**
 * Compiles the program ahead of time into bin/, so that `pulumi preview` and `pulumi up` run plain
 * JavaScript instead of paying for a TypeScript loader on every file of every SDK they load.
 *
 * Each TypeScript file is transpiled on its own by esbuild (the transpiler the tests run the
 * sources through, via tsx; no type-check, which `npm run typecheck` does; well under a second for
 * the whole program) and every other file beside the
 * sources (the shell and PHP scripts the components read at run time) is copied. bin/ records a
 * hash of everything it was built from; `ensureBuilt` rebuilds when the sources changed, so a
 * stale build never runs.
 *
 *   node scripts/build.js             # build bin/ (npm ci runs it as `prepare`)
 *   node scripts/build.js --if-stale  # only when the sources changed since the last build
 *
 * Plain JavaScript on purpose: it must run before anything is compiled.
 */
"use strict";
const { createHash } = require("node:crypto");
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require("node:fs");
const { basename, dirname, join, relative } = require("node:path");

/** What the program, the render and bench tools are built from. */
const SOURCES = ["index.ts", "components", "stacks", "scripts"];
const HASH_FILE = ".source-hash";

/** Every source file of the project at `root`, sorted (declaration files left out). */
function sourceFiles(root) {
    const files = [];
    const walk = (path) => {
        for (const entry of readdirSync(path, { withFileTypes: true })) {
            const full = join(path, entry.name);
            if (entry.isDirectory()) walk(full);
            // Declarations, and the plain JavaScript of the build and the launcher, are no sources.
            else if (!entry.name.endsWith(".d.ts") && !entry.name.endsWith(".js")) files.push(full);
        }
    };
    for (const source of SOURCES) {
        const full = join(root, source);
        if (source.endsWith(".ts")) files.push(full);
        else if (existsSync(full)) walk(full);
    }
    return files.sort();
}

/** A hash of the sources' names and contents. */
function sourceHash(root, files) {
    const hash = createHash("sha256");
    for (const file of files) hash.update(relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
    return hash.digest("hex");
}

/**
 * Compiles every source of the project at `root` into its bin/ and records the sources' hash. The
 * build is written beside bin/ and swapped in, so a process starting meanwhile (a test worker, a
 * second build) never sees half of one.
 */
function build(root = join(__dirname, ".."), files = sourceFiles(root)) {
    const esbuild = require("esbuild");
    const out = join(root, "bin");
    const temp = `${out}.${process.pid}.tmp`;
    rmSync(temp, { recursive: true, force: true });
    for (const file of files) {
        const target = join(temp, relative(root, file));
        mkdirSync(dirname(target), { recursive: true });
        if (!file.endsWith(".ts")) {
            writeFileSync(target, readFileSync(file));
            continue;
        }
        const js = target.replace(/\.ts$/, ".js");
        const output = esbuild.transformSync(readFileSync(file, "utf8"), {
            loader: "ts",
            format: "cjs",
            target: "node22",
            sourcemap: "external",
            // The map points at the TypeScript source, so stack traces can name its lines.
            sourcefile: relative(dirname(js.replace(temp, out)), file),
        });
        writeFileSync(js, `${output.code}//# sourceMappingURL=${basename(js)}.map\n`);
        writeFileSync(`${js}.map`, output.map);
    }
    writeFileSync(join(temp, HASH_FILE), sourceHash(root, files));
    const old = `${out}.${process.pid}.old`;
    if (existsSync(out)) renameSync(out, old);
    renameSync(temp, out);
    rmSync(old, { recursive: true, force: true });
}

/**
 * The compiled entry point of the project at `root`, rebuilt first when bin/ is missing or older
 * than the sources (saying so on stderr, unless `quiet`).
 */
function ensureBuilt(root = join(__dirname, ".."), quiet = false) {
    const files = sourceFiles(root);
    const hashFile = join(root, "bin", HASH_FILE);
    const current = existsSync(hashFile) ? readFileSync(hashFile, "utf8") : undefined;
    if (current !== sourceHash(root, files)) {
        if (!quiet) process.stderr.write(current ? "bin/ is older than the sources: compiling\n" : "bin/ is missing: compiling\n");
        build(root, files);
    }
    return join(root, "bin", "index.js");
}

module.exports = { build, ensureBuilt, sourceFiles };

if (require.main === module) {
    if (process.argv.includes("--if-stale")) ensureBuilt();
    else build();
}
