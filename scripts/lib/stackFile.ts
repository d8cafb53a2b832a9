/**
 * Reads a Pulumi stack file (`Pulumi.<stack>.yaml`) into the flat config map the Pulumi engine
 * hands a program: `namespace:key` to text, structured values as JSON text.
 *
 * Encrypted values (`secure: ...`) cannot be decrypted offline; each is replaced by a stand-in
 * that the field it sets accepts (a credential field's own stand-in, such as a generated private
 * key for an SSH key), and its key is reported as secret, exactly as `pulumi config set --secret`
 * would make it.
 */
import { readFileSync } from "node:fs";
import type { ConfigSource } from "../../components/config";
import type { Encryption } from "../../components/config/schema/parseContext";
import { encryptionOf, isSecure, parseYaml, qualifiedKey } from "../../components/config/stackFile";
import type { Field } from "../../components/config/schema/fields";
import { schema } from "../../components/config/keys";
import { digitsStandIn } from "../../components/config/schema/secretField";
import { fieldAt, type Path } from "../../components/config/schema/walk";

export interface StackConfig {
    /** Fully qualified keys (`matomo:namespace`) to raw text. */
    readonly values: Record<string, string>;
    /** Keys that hold at least one encrypted value. */
    readonly secretKeys: string[];
    /** The stand-ins of the encrypted values, so that the render can mask them wherever they land. */
    readonly secretValues?: readonly string[];
    /**
     * Which values of each secret key are encrypted, one by one; unset where not known, and then
     * every value of a secret key counts as encrypted (see {@link encryptionOfConfig}).
     */
    readonly encryption?: Readonly<Record<string, Encryption>>;
    /** The file it was read from, as the user named it. */
    readonly file?: string;
}

const PROJECT = "matomo";
const FIELDS = schema as unknown as Readonly<Record<string, Field<unknown>>>;

/** Where a value sits, as `pulumi config set --path` names it: `matomo:ldap.servers[0].adminPassword`. */
const where = (key: string, path: Path) => key + path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("");

/** The field of the value at `path` inside `key`; undefined outside this program's schema. */
function fieldOf(key: string, path: Path): Field<unknown> | undefined {
    return key.startsWith(`${PROJECT}:`) ? fieldAt(FIELDS, [key.slice(PROJECT.length + 1), ...path]) : undefined;
}

/**
 * The stand-in for the encrypted value at `path` inside `key`: the stand-in of the field it sets
 * (every credential field has one, see `Field.standIn`), else twelve digits; derived from where it
 * sits, so the same file renders the same.
 */
export function secretStandIn(key: string, path: Path = []): string {
    return (fieldOf(key, path)?.standIn ?? digitsStandIn)(where(key, path));
}

/** A field's default, which stands in for its encrypted value when the field has no stand-in of its own. */
function defaultOf(field: Field<unknown>, key: string, path: Path): unknown {
    const ctx = { key: where(key, path), setPath: "", secretKey: true, issues: [] };
    const value = field.missing(ctx);
    return ["string", "number", "boolean"].includes(typeof value) && ctx.issues.length === 0 ? value : undefined;
}

/**
 * Replaces encrypted leaves with stand-ins, each valid for the field it sets (the stand-ins of
 * credentials are collected in `standIns`); reports whether there was one. An encrypted value
 * nothing can stand in for is refused with what to do.
 */
function decryptOffline(value: unknown, key: string, path: Path, standIns: string[]): { value: unknown; secret: boolean } {
    if (isSecure(value)) {
        const field = fieldOf(key, path);
        if (field === undefined || field.standIn) {
            const standIn = secretStandIn(key, path);
            standIns.push(standIn);
            return { value: standIn, secret: true };
        }
        const byDefault = field && !field.structured ? defaultOf(field, key, path) : undefined;
        if (byDefault !== undefined) return { value: byDefault, secret: true };
        const setPath = where(key, path).slice(PROJECT.length + 1);
        throw new Error(
            field?.structured
                ? `${where(key, path)}: is encrypted as a whole, and the offline render cannot decrypt it to read its fields: ` +
                      `encrypt only the credentials in it, each with \`pulumi config set --secret --path '${setPath}.<field>' <value>\`, and set the rest in plain text`
                : `${where(key, path)}: is encrypted, and the offline render can neither decrypt it nor make up a value it accepts ` +
                      `(it is no credential, and has no default): set it in plain text with \`pulumi config set --path '${setPath}' <value>\``,
        );
    }
    if (Array.isArray(value)) {
        const items = value.map((v, i) => decryptOffline(v, key, [...path, i], standIns));
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value).map(([k, v]) => [k, decryptOffline(v, key, [...path, k], standIns)] as const);
        return {
            value: Object.fromEntries(entries.map(([k, r]) => [k, r.value])),
            secret: entries.some(([, r]) => r.secret),
        };
    }
    return { value, secret: false };
}

/** The top-level keys of a Pulumi stack file; anything else is not read by Pulumi. */
const STACK_FILE_KEYS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"];

/**
 * The config of a stack-file text (YAML merge keys resolved as Pulumi resolves them); `file` names
 * it in messages.
 */
export function parseStackFile(text: string, file?: string): StackConfig {
    const source = file ?? "stack file";
    let doc: { config?: Record<string, unknown> };
    try {
        doc = (parseYaml(text) ?? {}) as typeof doc;
    } catch (e) {
        throw new Error(`${source}: not valid YAML: ${(e as Error).message}`);
    }
    if (typeof doc !== "object" || Array.isArray(doc)) throw new Error(`${source}: expected a YAML mapping`);
    const foreign = Object.keys(doc).filter((k) => !STACK_FILE_KEYS.includes(k));
    if (foreign.length > 0) {
        throw new Error(
            `${source}: ${foreign.map((k) => `"${k}"`).join(", ")} ${foreign.length === 1 ? "is not a key" : "are not keys"} of a Pulumi stack file ` +
                `(${STACK_FILE_KEYS.join(", ")}), so Pulumi would ignore ${foreign.length === 1 ? "it" : "them"}. A values.yaml pasted as it is? ` +
                "Put the settings under config:, each section named with the project's namespace: matomo:matomo:, matomo:mariadb:, ...",
        );
    }
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    const secretValues: string[] = [];
    const encryption: Record<string, Encryption> = {};
    for (const [rawKey, raw] of Object.entries(doc.config ?? {})) {
        const key = qualifiedKey(rawKey, PROJECT);
        let decrypted;
        try {
            decrypted = decryptOffline(raw, key, [], secretValues);
        } catch (e) {
            throw new Error(`${source}: ${(e as Error).message}`);
        }
        const { value, secret } = decrypted;
        values[key] =
            typeof value === "string" ? value : typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
        if (secret) {
            secretKeys.push(key);
            encryption[key] = encryptionOf(raw);
        }
    }
    return { values, secretKeys, secretValues, encryption, file };
}

/** A stack file that cannot be read (not there, a directory, not readable): the message names it. */
export class UnreadableFile extends Error {}

/**
 * The config of a stack file on disk; `name` is the file as the user named it, for messages (and
 * for the program's, which name the stack file).
 */
export function readStackFile(path: string, name = path): StackConfig {
    let text: string;
    try {
        text = readFileSync(path, "utf8");
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new UnreadableFile(
            `${name}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a directory, not a stack file" : (e as Error).message}`,
        );
    }
    return parseStackFile(text, name);
}

/**
 * Which values of each secret key are encrypted: as read from the file, or, for a configuration
 * that does not say, every value of a secret key (as `pulumi config set --secret` would store a
 * whole key).
 */
export function encryptionOfConfig(config: StackConfig): Readonly<Record<string, Encryption>> {
    return config.encryption ?? Object.fromEntries(config.secretKeys.map((key) => [key, true]));
}

/** The stack's configuration as the config loader reads it (what `pulumi.Config` would give). */
export function configSourceOf(config: StackConfig, stack: string): ConfigSource {
    const encryption = encryptionOfConfig(config);
    return {
        keys: () => Object.keys(config.values),
        get: (key) => config.values[key],
        isSecret: (key) => config.secretKeys.includes(key),
        encryption: (key) => encryption[key] ?? false,
        stack,
        file: config.file,
    };
}
