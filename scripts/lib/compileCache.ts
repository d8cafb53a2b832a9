/**
 * Imported first by a command that loads the SDKs (render): Node's compile cache (on disk, in the
 * OS temp directory unless NODE_COMPILE_CACHE says otherwise) keeps the compiled code of every
 * module loaded after it, so the SDKs' thousands of files are compiled once, not on every run. The
 * launcher Pulumi runs (scripts/pulumi-program.js) does the same for previews. A Node without it
 * (before 22.1) runs without the cache, as the launcher does.
 */
import * as nodeModule from "node:module";

(nodeModule as Partial<typeof nodeModule>).enableCompileCache?.();
