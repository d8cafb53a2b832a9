/**
 * The {@link ConfigSource} of a real Pulumi run: the stack's configuration as the engine passed it,
 * and, from the stack file itself, which of its values are encrypted.
 *
 * Pulumi passes the program only which keys hold an encrypted value: one `secure:` value makes the
 * whole key secret, so a plain-text credential beside it would pass as secret. The program reads
 * the stack file (`Pulumi.<stack>.yaml` beside Pulumi.yaml, the project directory) to tell them
 * apart, only when a key holds an encrypted value. When the file cannot tell (it is missing, or
 * holds another configuration than the one Pulumi passed, as with `pulumi up --config-file`), every
 * value of a secret key counts as encrypted, and a warning names the key. A key the stack file does
 * not set (a value from a Pulumi ESC environment) is not in that file: only its key is checked.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { Encryption } from "./schema/parseContext";
import type { ConfigSource } from "./schema/parse";

/**
 * `isConfigSecret` is exported by the SDK's runtime module but missing from its type declarations;
 * it answers from the secret-key list the engine passes with the config (`--secret` keys).
 */
function secretKeyLookup(): (key: string) => boolean {
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (key: string) => boolean };
    if (typeof runtimeConfig.isConfigSecret !== "function") {
        throw new Error("This @pulumi/pulumi version has no runtime isConfigSecret; pin @pulumi/pulumi to a 3.x release that has it");
    }
    return runtimeConfig.isConfigSecret;
}

export interface StackFileOptions {
    /**
     * The stack file, as the user names it (in messages too); by default the one Pulumi reads,
     * found from the project directory.
     */
    readonly path?: string;
    /** What it stores encrypted, key by key, when the caller has read it (the offline render, the tests). */
    readonly encryption?: Readonly<Record<string, Encryption>>;
    /** Where a warning goes (the engine's log by default). */
    readonly warn?: (message: string) => void;
}

/** Reads the stack's configuration from the Pulumi runtime. */
export function pulumiConfigSource(stackFile: StackFileOptions = {}): ConfigSource {
    const all = pulumi.runtime.allConfig();
    const stack = pulumi.getStack();
    const warn = stackFile.warn ?? ((message: string) => void pulumi.log.warn(message));
    let known: { readonly encryption: Readonly<Record<string, Encryption>> } | { readonly unknown: string } | undefined;
    const warned = new Set<string>();
    const encryption = (key: string): Encryption | undefined => {
        known ??= stackFile.encryption ? { encryption: stackFile.encryption } : readStackFile(stackFile.path, stack, all);
        if ("encryption" in known) return Object.hasOwn(known.encryption, key) ? known.encryption[key] : undefined;
        if (!warned.has(key)) {
            warned.add(key);
            warn(
                `${key}: whether each credential in it is encrypted, and not only the key, cannot be checked: ${known.unknown}. ` +
                    "Pulumi tells the program only which keys hold an encrypted value; make sure each credential in it was set with " +
                    "`pulumi config set --secret --path ...`, or a plain-text one sits in the stack file beside the encrypted ones",
            );
        }
        return undefined;
    };
    return {
        keys: () => Object.keys(all),
        get: (key) => all[key],
        isSecret: secretKeyLookup(),
        encryption,
        stack,
        file: stackFile.path,
    };
}

/** What the stack file stores encrypted; the YAML reader is loaded only when a key holds an encrypted value. */
function readStackFile(path: string | undefined, stack: string, runtime: Readonly<Record<string, string>>) {
    const { readEncryption, stackFilePath } = require("./stackFile") as typeof import("./stackFile");
    const project = projectDirectory();
    if (path === undefined && project === undefined) return { unknown: `no Pulumi.yaml was found above ${process.cwd()}` };
    return readEncryption(path ?? stackFilePath(project!, stack), pulumi.getProject(), runtime);
}

/**
 * The directory of Pulumi.yaml: the root directory the engine names (the program runs in the
 * directory of `main`, scripts/), else the first directory up from the working directory that holds one.
 */
function projectDirectory(): string | undefined {
    const root = pulumi.runtime.getRootDirectory();
    if (root && existsSync(join(root, "Pulumi.yaml"))) return root;
    for (let dir = resolve(process.cwd()); ; dir = dirname(dir)) {
        if (existsSync(join(dir, "Pulumi.yaml"))) return dir;
        if (dirname(dir) === dir) return undefined;
    }
}
