/**
 * `namespace-enforces-restricted`: a Namespace the program creates enforces the Pod Security
 * Standard `restricted`.
 *
 * The pod-level rule checks the templates this program renders; the namespace label makes the
 * cluster check every pod, including the ones nobody renders here: a pod someone starts by hand
 * with `kubectl run` or `kubectl debug` next to the database, or one a future component creates
 * through an operator. Without the label, an attacker who can create pods in the namespace gets
 * the node.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { known, record, shown, validateTypes, violation } from "./common";

/** The label the Pod Security admission controller enforces. */
const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

/** Problems with a Namespace's Pod Security labels. */
export function namespaceViolations(props: Readonly<Record<string, unknown>>): string[] {
    const labels = known(() => record(record(props.metadata).labels), undefined);
    if (labels === undefined) return [];
    const level = known(() => labels[ENFORCE_LABEL], "restricted");
    if (level === "restricted") return [];
    return [
        violation(
            `metadata.labels["${ENFORCE_LABEL}"]`,
            shown(level),
            'set it to "restricted", so that the cluster refuses any pod of the namespace that could escape to the node',
        ),
    ];
}

export const namespaceEnforcesRestricted: ResourceValidationPolicy = {
    name: "namespace-enforces-restricted",
    description: "A Namespace carries the label pod-security.kubernetes.io/enforce: restricted.",
    severity: "high",
    remediationSteps: "Label the namespace pod-security.kubernetes.io/enforce=restricted (and warn/audit=restricted).",
    validateResource: validateTypes(new Set(["kubernetes:core/v1:Namespace"]), (_type, props) => namespaceViolations(props)),
};
