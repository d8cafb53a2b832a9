/**
 * A stack file (`Pulumi.<stack>.yaml`) read as the Pulumi CLI reads it. The offline render reads
 * its whole configuration from it; a real run reads from it only what Pulumi does not pass the
 * program: which values are encrypted, one by one (pulumiSource.ts). Both read it here, so that
 * they read the same YAML the same way.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { Encryption } from "./schema/parseContext";

/**
 * The document of a YAML text. Merge keys (`<<: *anchor`) are resolved as the Pulumi CLI's YAML
 * reader (gopkg.in/yaml.v3) resolves them: a mapping's own keys win over merged ones, and of a
 * list of merged mappings the earlier ones win. Throws on invalid YAML.
 */
export function parseYaml(text: string): unknown {
    return parse(text, { merge: true });
}

/** An encrypted value of a stack file: `{ secure: <ciphertext> }`, as `pulumi config set --secret` writes it. */
export function isSecure(value: unknown): value is { secure: string } {
    return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}

/** A stack-file key as Pulumi names it: a key without a namespace is the project's. */
export function qualifiedKey(key: string, project: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/** Which parts of a stack-file value are encrypted. */
export function encryptionOf(value: unknown): Encryption {
    if (isSecure(value)) return true;
    if (Array.isArray(value)) return value.map(encryptionOf);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encryptionOf(v)]));
    }
    return false;
}

/** Whether any part of a value is encrypted: what makes Pulumi mark its key secret. */
export function anyEncrypted(encryption: Encryption): boolean {
    if (typeof encryption === "boolean") return encryption;
    return (Array.isArray(encryption) ? encryption : Object.values(encryption)).some(anyEncrypted);
}

/** Where Pulumi reads a stack's config: `Pulumi.<stack>.yaml` beside Pulumi.yaml, or in its `stackConfigDir`. */
export function stackFilePath(projectDir: string, stack: string): string {
    let configDir = "";
    try {
        const project = parseYaml(readFileSync(join(projectDir, "Pulumi.yaml"), "utf8")) as { stackConfigDir?: unknown };
        if (typeof project?.stackConfigDir === "string") configDir = project.stackConfigDir;
    } catch {
        // No readable Pulumi.yaml: the stack file is looked for beside it all the same.
    }
    return join(projectDir, configDir, `Pulumi.${stack.replace(/\//g, "-")}.yaml`);
}

/**
 * What the stack file at `path` stores encrypted, key by key, when it holds the configuration
 * Pulumi passed this run (`runtime`, each key's text); else why it cannot tell. A file that holds
 * something else (with `pulumi up --config-file`) must not vouch for this run's values.
 */
export function readEncryption(
    path: string,
    project: string,
    runtime: Readonly<Record<string, string>>,
): { readonly encryption: Record<string, Encryption> } | { readonly unknown: string } {
    let doc: { config?: unknown };
    try {
        doc = (parseYaml(readFileSync(path, "utf8")) ?? {}) as typeof doc;
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        return { unknown: code === "ENOENT" ? `there is no ${path}` : `${path} cannot be read (${(e as Error).message})` };
    }
    const config = typeof doc.config === "object" && doc.config !== null ? (doc.config as Record<string, unknown>) : {};
    const encryption: Record<string, Encryption> = {};
    for (const [rawKey, value] of Object.entries(config)) {
        const key = qualifiedKey(rawKey, project);
        if (runtime[key] === undefined || !sameValue(value, runtime[key])) {
            return { unknown: `${path} does not hold the configuration of this run (its ${key} is not the one Pulumi passed)` };
        }
        encryption[key] = encryptionOf(value);
    }
    return { encryption };
}

/** Whether a stack-file value is the text Pulumi passed for it, wherever it is not encrypted. */
function sameValue(value: unknown, text: string): boolean {
    if (isSecure(value)) return true;
    if (typeof value !== "object" || value === null) return text === (value === null ? "" : String(value));
    try {
        return samePlainParts(value, JSON.parse(text));
    } catch {
        return false;
    }
}

function samePlainParts(value: unknown, passed: unknown): boolean {
    if (isSecure(value)) return true;
    if (Array.isArray(value)) {
        return Array.isArray(passed) && passed.length === value.length && value.every((v, i) => samePlainParts(v, passed[i]));
    }
    if (typeof value === "object" && value !== null) {
        if (typeof passed !== "object" || passed === null || Array.isArray(passed)) return false;
        const [ours, theirs] = [value as Record<string, unknown>, passed as Record<string, unknown>];
        const keys = Object.keys(ours);
        return keys.length === Object.keys(theirs).length && keys.every((k) => samePlainParts(ours[k], theirs[k]));
    }
    return String(value) === String(passed);
}
