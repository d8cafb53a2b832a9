/**
 * Loads and validates the stack configuration, then deploys the topology it selects. This module
 * is the only one that decides topology; each topology lives in its own file, so the EEA stack
 * never loads the Google Cloud SDK.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadConfig, type ConfigSource } from "../components/config";
import { pulumiConfigSource } from "../components/config/pulumiSource";
import type { StackOutputs } from "./context";
import { deployEea } from "./eea";
import { deployExternal } from "./external";
import { namespaceFor } from "./namespace";

/** Deploys the stack described by `source` (the Pulumi stack config by default). */
export function deploy(source: ConfigSource = pulumiConfigSource()): StackOutputs {
    const cfg = loadConfig(source);
    const instance = `${pulumi.getProject()}-${pulumi.getStack()}`;
    const namespace = namespaceFor(cfg, instance);
    switch (cfg.topology) {
        case "eea":
            return deployEea({ cfg, instance, namespace });
        case "google": {
            // Loaded on demand: the EEA topology never pays for (or depends on) the Google Cloud SDK.
            const { deployGoogle } = require("./google") as typeof import("./google");
            return deployGoogle({ cfg, instance, namespace });
        }
        case "external":
            return deployExternal({ cfg, instance, namespace });
    }
}
