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
