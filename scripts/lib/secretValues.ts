/**
 * Secret values as the engine serializes them: Pulumi wraps each secret in a marker object. The
 * render hides them, the tests reveal them to check where they went.
 */

/** Pulumi's marker for a secret value in serialized properties. */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function isSecretWrapper(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

/**
 * A copy of `value` with every secret replaced by `placeholder`. A secret map (such as a Secret's
 * `stringData`, which the Kubernetes SDK marks secret as a whole) keeps its keys, so a reader
 * still sees which entries exist.
 */
export function redactSecrets(value: unknown, placeholder = "[secret]"): unknown {
    if (isSecretWrapper(value)) {
        const inner = value.value;
        if (typeof inner === "object" && inner !== null && !Array.isArray(inner)) {
            return Object.fromEntries(Object.keys(inner).map((k) => [k, placeholder]));
        }
        return placeholder;
    }
    if (Array.isArray(value)) return value.map((v) => redactSecrets(v, placeholder));
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v, placeholder)]));
    }
    return value;
}

/** A copy of `value` with every secret unwrapped to its plain value. */
export function revealSecrets(value: unknown): unknown {
    if (isSecretWrapper(value)) return revealSecrets(value.value);
    if (Array.isArray(value)) return value.map(revealSecrets);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealSecrets(v)]));
    }
    return value;
}

/**
 * Every one-line string inside a secret: the credentials (generated passwords, configured
 * secrets) that a secret file, such as config.ini.php, may contain.
 */
export function secretLines(value: unknown, inSecret = false, found = new Set<string>()): Set<string> {
    if (isSecretWrapper(value)) return secretLines(value.value, true, found);
    if (typeof value === "string") {
        if (inSecret && value !== "" && !value.includes("\n")) found.add(value);
    } else if (Array.isArray(value)) {
        for (const v of value) secretLines(v, inSecret, found);
    } else if (typeof value === "object" && value !== null) {
        for (const v of Object.values(value)) secretLines(v, inSecret, found);
    }
    return found;
}

/** Below this length a credential could match ordinary text; a file holding one is hidden whole. */
const MASKABLE_LENGTH = 6;

/**
 * Like {@link redactSecrets}, but the secret files named in `files` (entries of a Secret's data,
 * such as config.ini.php) are shown, with each of `credentials` in them replaced by the
 * placeholder, as a reviewer wants to read them. Any other secret stays hidden whole, and so does a
 * file holding a credential too short to mask safely.
 */
export function maskSecrets(
    value: unknown,
    credentials: ReadonlySet<string>,
    files: ReadonlySet<string> = new Set(["config.ini.php"]),
    placeholder = "[secret]",
): unknown {
    const longestFirst = [...credentials].sort((a, b) => b.length - a.length);
    const maskFile = (text: string): string => {
        if (longestFirst.some((c) => c.length < MASKABLE_LENGTH && text.includes(c))) return placeholder;
        return longestFirst.reduce((masked, c) => masked.split(c).join(placeholder), text);
    };
    /** A secret's content: a map keeps its keys, a named file is masked, anything else hidden. */
    const reveal = (inner: unknown, key: string | undefined): unknown => {
        if (isSecretWrapper(inner)) return reveal(inner.value, key);
        if (typeof inner === "string" && key !== undefined && files.has(key)) return maskFile(inner);
        if (typeof inner === "object" && inner !== null && !Array.isArray(inner)) {
            return Object.fromEntries(Object.entries(inner).map(([k, v]) => [k, reveal(v, k)]));
        }
        return placeholder;
    };
    const walk = (v: unknown, key: string | undefined): unknown => {
        if (isSecretWrapper(v)) return reveal(v.value, key);
        if (Array.isArray(v)) return v.map((x) => walk(x, undefined));
        if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
        return v;
    };
    return walk(value, undefined);
}
