/**
 * `network-policies-present` and the label selector matching it relies on.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { selectorMatches, type LabelSelector } from "../../policy/rules/labelSelectors";
import { networkPoliciesPresent, unprotectedWorkloads } from "../../policy/rules/networkPolicies";
import { stackViolations, type FakeResource } from "../support/policyArgs";
import { denyAll, deployment, POD_LABELS, service, WORKLOADS } from "./fixtures";

const labelKey = fc.constantFrom("app", "tier", "app.kubernetes.io/name", "app.kubernetes.io/component", "release");
const labelValue = fc.constantFrom("matomo", "web", "db", "a", "b");
const labels = fc.dictionary(labelKey, labelValue);

describe("label selectors", () => {
    const pod = { app: "matomo", tier: "web" };

    for (const [selector, expected] of [
        [{}, true],
        [{ matchLabels: { app: "matomo" } }, true],
        [{ matchLabels: { app: "matomo", tier: "db" } }, false],
        [{ matchExpressions: [{ key: "tier", operator: "In", values: ["web", "db"] }] }, true],
        [{ matchExpressions: [{ key: "tier", operator: "In", values: ["db"] }] }, false],
        [{ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["db"] }] }, true],
        [{ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, true],
        [{ matchExpressions: [{ key: "tier", operator: "Exists" }] }, true],
        [{ matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, false],
        [{ matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, true],
        [{ matchExpressions: [{ key: "tier", operator: "Gt", values: ["1"] }] }, false],
        [
            {
                matchLabels: { app: "matomo" },
                matchExpressions: [
                    { key: "tier", operator: "Exists" },
                    { key: "zone", operator: "Exists" },
                ],
            },
            false,
        ],
    ] as [LabelSelector, boolean][]) {
        it(`${JSON.stringify(selector)} ${expected ? "selects" : "does not select"} ${JSON.stringify(pod)}`, () => {
            assert.equal(selectorMatches(selector, pod), expected);
        });
    }

    it("a selector built from a subset of the labels always selects them; one more label never does", () => {
        fc.assert(
            fc.property(labels, fc.context(), (all, ctx) => {
                const keys = Object.keys(all);
                const chosen = keys.filter((_, i) => i % 2 === 0);
                const matchLabels = Object.fromEntries(chosen.map((k) => [k, all[k]]));
                const matchExpressions = keys
                    .filter((k) => !chosen.includes(k))
                    .map((k) => ({ key: k, operator: "In", values: [all[k], "other"] }));
                ctx.log(JSON.stringify({ matchLabels, matchExpressions }));
                assert.equal(selectorMatches({ matchLabels, matchExpressions }, all), true);
                assert.equal(selectorMatches({ matchLabels: { ...matchLabels, "not-a-label": "x" } }, all), false);
            }),
        );
    });

    it("NotIn and DoesNotExist are the complements of In and Exists", () => {
        fc.assert(
            fc.property(labels, labelKey, fc.array(labelValue), (all, key, values) => {
                const holds = (operator: string) => selectorMatches({ matchExpressions: [{ key, operator, values }] }, all);
                assert.equal(holds("NotIn"), !holds("In"));
                assert.equal(holds("DoesNotExist"), !holds("Exists"));
            }),
        );
    });
});

/** The fixture's deny-all with a change to its spec. */
function denyAllWith(change: (spec: Record<string, any>, metadata: Record<string, any>) => void): FakeResource {
    const policy = denyAll();
    change(policy.props.spec, policy.props.metadata);
    return policy;
}

describe("policy network-policies-present", () => {
    it("passes every kind of workload selected by a deny-all of its namespace", async () => {
        const stack = [...Object.values(WORKLOADS).map((make) => make()), service(), denyAll()];
        assert.deepEqual(await stackViolations(networkPoliciesPresent, stack), []);
    });

    it("passes a deny-all that selects the pods by label", async () => {
        const policy = denyAllWith((spec) => (spec.podSelector = { matchLabels: { "app.kubernetes.io/name": "matomo" } }));
        assert.deepEqual(await stackViolations(networkPoliciesPresent, [deployment(), policy]), []);
    });

    it("refuses a workload without any NetworkPolicy, naming its pods' labels and the resource", async () => {
        const web = deployment();
        const violations = await stackViolations(networkPoliciesPresent, [web]);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, "urn:pulumi:test::matomo::kubernetes:apps/v1:Deployment::test");
        assert.ok(
            violations[0].message.startsWith(`spec.template.metadata.labels is ${JSON.stringify(POD_LABELS)}: `),
            violations[0].message,
        );
        assert.ok(violations[0].message.includes('namespace "matomo"'), violations[0].message);
    });

    const NOT_DENY_ALL: [string, FakeResource][] = [
        ["one in another namespace", denyAllWith((_s, m) => (m.namespace = "other"))],
        ["one without a namespace (default)", denyAllWith((_s, m) => delete m.namespace)],
        ["one that selects other pods", denyAllWith((s) => (s.podSelector = { matchLabels: { "app.kubernetes.io/name": "mariadb" } }))],
        ["one that denies only ingress", denyAllWith((s) => (s.policyTypes = ["Ingress"]))],
        ["one without policyTypes", denyAllWith((s) => delete s.policyTypes)],
        ["one with an ingress rule", denyAllWith((s) => (s.ingress = [{ from: [{ podSelector: {} }] }]))],
        ["one with an egress rule", denyAllWith((s) => (s.egress = [{ to: [{ namespaceSelector: {} }] }]))],
    ];
    for (const [name, policy] of NOT_DENY_ALL) {
        it(`refuses a workload whose only NetworkPolicy is ${name}`, async () => {
            const violations = await stackViolations(networkPoliciesPresent, [deployment(), policy]);
            assert.equal(violations.length, 1, JSON.stringify(violations));
            assert.match(violations[0].message, /^spec\.template\.metadata\.labels is /);
        });
    }

    it("matches a workload without a namespace with a deny-all of the default namespace", () => {
        const web = deployment();
        delete web.props.metadata.namespace;
        assert.equal(unprotectedWorkloads([web, denyAll()]).length, 1);
        assert.deepEqual(unprotectedWorkloads([web, denyAllWith((_s, m) => delete m.namespace)]), []);
    });

    it("reports nothing when switched off with the policy config networkPolicies: off", async () => {
        assert.deepEqual(await stackViolations(networkPoliciesPresent, [deployment()], { networkPolicies: "off" }), []);
        assert.equal((await stackViolations(networkPoliciesPresent, [deployment()], { networkPolicies: "required" })).length, 1);
    });
});
