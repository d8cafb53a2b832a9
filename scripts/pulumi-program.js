/**
 * What `pulumi preview` and `pulumi up` run (Pulumi.yaml `main`): the compiled program in bin/,
 * rebuilt first when it is missing or older than the TypeScript sources (scripts/build.js), so a
 * stale build never deploys. Its exports are the stack outputs.
 */
"use strict";
const { ensureBuilt } = require("./build");

module.exports = require(ensureBuilt());
