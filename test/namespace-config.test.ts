/** The namespace: never one the platform keeps for its own components, nor `default` created anew. */
import assert from "node:assert/strict";
import fc from "fast-check";
import { parse } from "./support/configCases";
import { propertyRuns } from "./support/unitMode";

const namespaceIssues = (namespace: string, createNamespace: boolean) =>
    parse({ "matomo:namespace": namespace, "matomo:createNamespace": String(createNamespace) }).issues.filter((i) =>
        i.key.startsWith("matomo:namespace"),
    );

/** A DNS label, as a namespace must be. */
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);

describe("namespace", () => {
    it("refuses the namespaces of Kubernetes, OpenShift and GKE's managed components, with or without createNamespace", () => {
        for (const namespace of [
            "kube-system",
            "kube-public",
            "kube-node-lease",
            "kube-flannel",
            "openshift",
            "openshift-monitoring",
            "gke-managed-system",
            "gke-connect",
            "gke-gmp-system",
            "gmp-system",
            "gmp-public",
        ]) {
            for (const create of [true, false]) {
                const [issue, ...more] = namespaceIssues(namespace, create);
                assert.deepEqual(more, [], namespace);
                assert.match(
                    issue?.message ?? "(accepted)",
                    new RegExp(`^got "${namespace}"; that namespace belongs to .*use a namespace of Matomo's own`),
                );
            }
        }
    });

    it("refuses default when the stack would create it, and deploys into it as it is otherwise", () => {
        const [issue] = namespaceIssues("default", true);
        assert.match(issue.message, /^got "default" with matomo:createNamespace true, but every cluster has that namespace already/);
        assert.deepEqual(namespaceIssues("default", false), []);
    });

    it("accepts namespaces of Matomo's own, however they are named", () => {
        for (const namespace of ["matomo", "analytics-prod", "kube", "kubernetes-tools", "openshiftish", "gke", "gmp", "defaults"]) {
            assert.deepEqual(namespaceIssues(namespace, true), [], namespace);
        }
    });

    it("refuses a name exactly when it is a platform's or, created anew, default", () => {
        fc.assert(
            fc.property(
                fc.oneof(
                    label,
                    fc.constantFrom("default", "openshift", "gke-connect", "gke-gmp-system", "gmp-system", "gmp-public"),
                    label.map((l) => `kube-${l}`),
                    label.map((l) => `openshift-${l}`),
                    label.map((l) => `gke-managed-${l}`),
                ),
                fc.boolean(),
                (namespace, create) => {
                    const platform =
                        /^(kube-|openshift-|gke-managed-)/.test(namespace) ||
                        ["openshift", "gke-connect", "gke-gmp-system", "gmp-system", "gmp-public"].includes(namespace);
                    const refused = platform || (namespace === "default" && create);
                    assert.equal(namespaceIssues(namespace, create).length, refused ? 1 : 0, `${namespace} ${create}`);
                },
            ),
            { numRuns: propertyRuns(60) },
        );
    });
});
