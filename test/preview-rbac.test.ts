/**
 * docs/preview-rbac.yaml, the Kubernetes identity of the pull-request previews, grants what a
 * preview reads and nothing more: `get` on every kind of object the program creates in any stack
 * variant, in the stack's namespace, and on that namespace. A new kind in the program fails here
 * until the preview identity may read it (a refresh would fail on it); a verb that writes, lists or
 * watches fails here too. The objects are valid Kubernetes objects (kubernetes-models' schema).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { ROOT, kubernetesResources } from "./support/harness";
import { VARIANTS } from "./support/variants";

interface Rule {
    apiGroups: string[];
    resources: string[];
    resourceNames?: string[];
    verbs: string[];
}
interface RbacObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string };
    rules?: Rule[];
}

const FILE = "docs/preview-rbac.yaml";
const objects = parseAllDocuments(readFileSync(join(ROOT, FILE), "utf8")).map((d) => d.toJS() as RbacObject);
const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);

/** The API group and resource (plural) of a Pulumi type token: `kubernetes:networking.k8s.io/v1:NetworkPolicy`. */
function groupResource(type: string): string {
    const [, groupVersion, kind] = type.split(":");
    const group = groupVersion.startsWith("core/") ? "" : groupVersion.split("/")[0];
    const lower = kind.toLowerCase();
    // GMP's `Rules` is a plural already: its CRD's resource is `rules`.
    if (kind === "Rules") return `${group}/rules`;
    const plural = lower.endsWith("y") ? `${lower.slice(0, -1)}ies` : lower.endsWith("s") ? `${lower}es` : `${lower}s`;
    return `${group}/${plural}`;
}

/** Every `group/resource` a set of rules grants, with the verbs of each. */
const granted = (rules: Rule[]) =>
    rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => ({ what: `${g}/${res}`, rule: r }))));

describe("the preview identity's RBAC (docs/preview-rbac.yaml)", () => {
    let created: Set<string>;
    before(async function () {
        this.timeout(120000);
        created = new Set();
        // One after the other: the mock engine runs one program at a time.
        for (const variant of Object.values(VARIANTS))
            for (const r of kubernetesResources(await variant())) created.add(groupResource(r.type));
    });

    it("names the API group and resource of a type token", () => {
        assert.equal(groupResource("kubernetes:core/v1:ConfigMap"), "/configmaps");
        assert.equal(groupResource("kubernetes:networking.k8s.io/v1:NetworkPolicy"), "networking.k8s.io/networkpolicies");
        assert.equal(groupResource("kubernetes:networking.k8s.io/v1:Ingress"), "networking.k8s.io/ingresses");
        assert.equal(groupResource("kubernetes:policy/v1:PodDisruptionBudget"), "policy/poddisruptionbudgets");
    });

    it("lets the identity get each kind the program creates in the namespace, and nothing else", () => {
        const [role] = ofKind("Role");
        const namespaced = [...created].filter((what) => what !== "/namespaces").sort();
        assert.ok(namespaced.length >= 10, namespaced.join(", "));
        assert.deepEqual(
            granted(role.rules!)
                .map(({ what }) => what)
                .sort(),
            namespaced,
        );
    });

    it("lets it get the stack's namespace by name, and nothing else outside it", () => {
        const [clusterRole] = ofKind("ClusterRole");
        assert.deepEqual(clusterRole.rules, [{ apiGroups: [""], resources: ["namespaces"], resourceNames: ["matomo"], verbs: ["get"] }]);
        assert.ok(created.has("/namespaces"), "the program creates its namespace");
        const namespace = /^ {2}matomo:namespace: (\S+)$/m.exec(readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8"))?.[1];
        assert.equal(namespace, "matomo", "written for the prod stack's namespace");
        for (const o of objects.filter((o) => !o.kind.startsWith("Cluster"))) assert.equal(o.metadata.namespace, namespace, o.kind);
    });

    it("grants only get: no verb that writes, lists, watches or reaches into a pod", () => {
        const rules = objects.flatMap((o) => o.rules ?? []);
        assert.ok(rules.length > 0);
        for (const rule of rules) {
            assert.deepEqual(rule.verbs, ["get"]);
            assert.ok(!rule.resources.some((r) => r.includes("/") || r === "*") && !rule.apiGroups.includes("*"), JSON.stringify(rule));
        }
        assert.deepEqual(ofKind("ClusterRoleBinding").length + ofKind("RoleBinding").length, 2);
    });

    it("is made of valid Kubernetes objects", async () => {
        for (const object of objects) {
            const group = object.apiVersion.includes("/") ? object.apiVersion : "v1";
            const module = (await import(`kubernetes-models/${group}/${object.kind}`)) as Record<
                string,
                new (data: unknown) => { validate(): void }
            >;
            new module[object.kind](object).validate();
        }
    });
});
