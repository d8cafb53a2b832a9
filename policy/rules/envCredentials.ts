/**
 * `no-credentials-in-env-literals`: no container's environment holds a credential as a literal
 * `value`.
 *
 * The project mounts every credential from a Secret as a file and passes the file's path
 * (`MATOMO_DB_PASSWORD_FILE=/run/secrets/...`), or at most takes a variable from a Secret
 * (`valueFrom.secretKeyRef`). A literal `value` is stored in clear in the workload's spec: in the
 * Pulumi state, in `pulumi preview --diff` output, in `kubectl get deployment -o yaml` for anyone
 * with read access to workloads, and in every ReplicaSet revision the Deployment keeps. What counts
 * as a credential's name, and which literal values are harmless, is explained in credentials.ts.
 * A literal that holds a PEM private key is a violation whatever its name.
 *
 * `$(NAME)` (the Kubernetes reference to another variable of the container) is no literal.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { eachKnown, knownList, record, text, validateTypes, violation } from "./common";
import { holdsPrivateKey, isCredentialName, isHarmlessValue, redacted } from "./credentials";
import { checkPods, containersOf, makesPods, type PodSpec } from "./workloads";

/** The whole value is a Kubernetes dependent-variable reference, `$(OTHER_VAR)`. */
const VARIABLE_REFERENCE = /^\$\([A-Za-z_][A-Za-z0-9_.-]*\)$/;

/** Environment variables of the pod's containers whose literal value is a credential. */
export function envCredentialViolations(pod: PodSpec): string[] {
    return eachKnown(containersOf(pod), ({ container, field }) =>
        eachKnown(
            knownList(() => container.env),
            (e, index) => {
                const env = record(e);
                const value = text(env.value);
                if (value === undefined || VARIABLE_REFERENCE.test(value)) return [];
                const name = text(env.name) ?? "";
                const at = `${field}.env[${name || index}].value`;
                if (holdsPrivateKey(value)) {
                    const fix =
                        "mount the key from a Secret as a file and pass the file's path; a literal is stored in clear in the workload";
                    return [violation(at, "a PEM private key", fix)];
                }
                if (!isCredentialName(name) || isHarmlessValue(value)) return [];
                const fix = `mount the credential from a Secret as a file and pass its path (${name}_FILE), or use valueFrom.secretKeyRef`;
                return [violation(at, redacted(value), fix)];
            },
        ),
    );
}

export const noCredentialsInEnvLiterals: ResourceValidationPolicy = {
    name: "no-credentials-in-env-literals",
    description: "No container environment variable holds a credential (a password, token, key) or a private key as a literal value.",
    severity: "high",
    validateResource: validateTypes(makesPods, (type, props) => checkPods(type, props, envCredentialViolations)),
};
