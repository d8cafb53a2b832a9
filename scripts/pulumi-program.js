/**
 * What `pulumi preview` and `pulumi up` run (Pulumi.yaml `main`): the compiled program in bin/,
 * rebuilt first when it is missing or older than the TypeScript sources (scripts/build.js), so a
 * stale build never deploys. Its exports are the stack outputs.
 */
"use strict";
// Node's compile cache (on disk, in the OS temp directory unless NODE_COMPILE_CACHE says otherwise):
// V8 keeps the compiled code of every module loaded from here on, so the SDKs' thousands of files
// are compiled once, not on every preview.
require("node:module").enableCompileCache?.();
const { ensureBuilt } = require("./build");

module.exports = require(ensureBuilt());
