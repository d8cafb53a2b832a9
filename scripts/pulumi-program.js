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
// The SDK formats a stack trace for every promise it makes (runtime/debuggable.js), several per
// resource, only to print them in its report of promises left unsettled: about a tenth of the prod
// stack's run (docs/architecture.md, "Start-up time"). Errors the program raises on purpose
// (ConfigError) print without one anyway. For a bug's stack trace, run with MATOMO_STACK_TRACES=1.
// The SDK's own source positions (Resource.callsites) set their own limit and are not affected.
if (!process.env.MATOMO_STACK_TRACES) Error.stackTraceLimit = 0;
const { ensureBuilt } = require("./build");

module.exports = require(ensureBuilt());
