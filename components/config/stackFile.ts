/**
 * A stack file (`Pulumi.<stack>.yaml`) read as the Pulumi CLI reads it. The offline render reads
 * its whole configuration from it; only here, so that both read the same YAML the same way.
 */
import { parse } from "yaml";

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
