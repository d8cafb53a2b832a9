/**
 * The {@link ConfigSource} of a real Pulumi run: the stack's configuration as the engine passed it.
 */
import * as pulumi from "@pulumi/pulumi";
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

/** Reads the stack's configuration from the Pulumi runtime. */
export function pulumiConfigSource(): ConfigSource {
    const all = pulumi.runtime.allConfig();
    const isSecret = secretKeyLookup();
    return {
        keys: () => Object.keys(all),
        get: (key) => all[key],
        isSecret,
        stack: pulumi.getStack(),
    };
}
