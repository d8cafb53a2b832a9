/**
 * Preloaded (`node --require`) into a process whose loaded modules a test checks: when the process
 * exits, the files in require's cache are written, one a line, to the file LOADED_MODULES_FILE names.
 */
"use strict";
const { writeFileSync } = require("node:fs");

process.on("exit", () => writeFileSync(process.env.LOADED_MODULES_FILE, Object.keys(require.cache).join("\n")));
