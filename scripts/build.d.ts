/** Types of scripts/build.js (plain JavaScript: it runs before anything is compiled). */

/** Compiles the sources of the project at `root` (default: this repository) into its bin/. */
export declare function build(root?: string, files?: string[]): void;
/** The compiled entry point (bin/index.js), rebuilt first when the sources changed (said on stderr unless `quiet`). */
export declare function ensureBuilt(root?: string, quiet?: boolean): string;
/** The files bin/ is built from. */
export declare function sourceFiles(root: string): string[];
