/**
 * The pack as a whole: the rule list, and every rule's behaviour during `pulumi preview`, when some
 * values are unknown. The policy server wraps the properties in `@pulumi/policy`'s
 * `unknownCheckingProxy`, which throws `UnknownValueError` on reading an unknown value; these tests
 * use the real proxy (the only policy tests that load the SDK's runtime).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { unknownCheckingProxy, UnknownValueError, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { PACK_ENFORCEMENT_LEVEL, POLICIES } from "../../policy/policies";
import { isUnknownValueError } from "../../policy/rules/common";
import { resourceViolations, stackViolations, type FakeResource } from "../support/policyArgs";
import {
    allowEgress,
    claim,
    cloudSqlInstance,
    configMap,
    denyAll,
    deployment,
    namespace,
    podOf,
    service,
    statefulSet,
    WORKLOADS,
} from "./fixtures";

/** The engine's marker for a string whose value is unknown during preview. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const RESOURCE_POLICIES = POLICIES.filter((p): p is ResourceValidationPolicy => "validateResource" in p);
const STACK_POLICIES = POLICIES.filter((p): p is StackValidationPolicy => "validateStack" in p);

/** Every path to a value inside `value` (objects and arrays included, the root excluded). */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
    if (typeof value !== "object" || value === null) return [];
    return Object.entries(value).flatMap(([key, child]) => {
        const path = [...prefix, Array.isArray(value) ? Number(key) : key];
        return [path, ...paths(child, path)];
    });
}

/** A copy of `props` with the value at `path` unknown, as the policy server would pass it. */
function withUnknown(props: Record<string, any>, path: (string | number)[]): Record<string, any> {
    const copy = structuredClone(props);
    const parent = path.slice(0, -1).reduce((node: any, key) => node[key], copy);
    parent[path[path.length - 1]] = UNKNOWN;
    return unknownCheckingProxy(copy) as Record<string, any>;
}

/** One fixture of each shape (the other workload kinds have the Deployment's template). */
const FIXTURES: FakeResource[] = [
    WORKLOADS.Pod(),
    deployment(),
    WORKLOADS.CronJob(),
    namespace(),
    configMap(),
    service(),
    claim(),
    statefulSet(),
    cloudSqlInstance(),
    denyAll(),
    allowEgress(),
];

describe("the policy pack", () => {
    it("has fourteen rules with unique kebab-case names and descriptions, resource rules and one stack rule", () => {
        const names = POLICIES.map((p) => p.name);
        assert.equal(new Set(names).size, 14);
        for (const policy of POLICIES) {
            assert.match(policy.name, /^[a-z]+(-[a-z]+)*$/);
            assert.ok(policy.description.length > 20, policy.name);
        }
        assert.deepEqual(
            STACK_POLICIES.map((p) => p.name),
            ["network-policies-present"],
        );
    });

    it("enforces every rule (mandatory), from an entry point that only builds the pack", () => {
        const entry = readFileSync(resolve(__dirname, "..", "..", "policy", "index.ts"), "utf8");
        assert.match(entry, /new PolicyPack\("matomo", \{ policies: POLICIES, enforcementLevel: PACK_ENFORCEMENT_LEVEL \}\)/);
        assert.equal(PACK_ENFORCEMENT_LEVEL, "mandatory");
        assert.ok(POLICIES.every((p) => p.enforcementLevel === undefined));
    });
});

describe("the policy pack during preview (unknown values)", () => {
    it("recognises the SDK's UnknownValueError, and only that", () => {
        const props = unknownCheckingProxy({ spec: { type: UNKNOWN } }) as Record<string, any>;
        assert.throws(() => props.spec.type, UnknownValueError);
        try {
            void props.spec.type;
        } catch (error) {
            assert.ok(isUnknownValueError(error));
        }
        assert.equal(isUnknownValueError(new Error("can't be known during preview")), false);
    });

    it("reports nothing and throws nothing for a compliant resource with any one value unknown", async () => {
        let checked = 0;
        for (const fixture of FIXTURES) {
            for (const path of paths(fixture.props)) {
                const resource = { ...fixture, props: withUnknown(fixture.props, path) };
                for (const policy of RESOURCE_POLICIES) {
                    assert.deepEqual(
                        await resourceViolations(policy, resource),
                        [],
                        `${policy.name} on ${fixture.type} with ${path.join(".")} unknown`,
                    );
                    checked++;
                }
            }
        }
        assert.ok(checked > 1000, `${checked}`);
    });

    it("reports nothing for a compliant stack with any one value of its deny-all or workload unknown", async () => {
        const web = deployment();
        const policy = denyAll();
        for (const [index, resource] of [web, policy].entries()) {
            for (const path of paths(resource.props)) {
                const stack = [web, policy].map((r, i) => (i === index ? { ...r, props: withUnknown(r.props, path) } : r));
                for (const stackPolicy of STACK_POLICIES) assert.deepEqual(await stackViolations(stackPolicy, stack), [], path.join("."));
            }
        }
    });

    it("still checks what is known: an unknown image hides no Pod Security violation", async () => {
        const web = deployment();
        podOf(web).hostPID = true;
        const props = withUnknown(web.props, ["spec", "template", "spec", "containers", 0, "image"]);
        const byName = (name: string) => RESOURCE_POLICIES.find((p) => p.name === name)!;
        assert.deepEqual(await resourceViolations(byName("image-pinned"), { ...web, props }), []);
        const messages = await resourceViolations(byName("pod-security-restricted"), { ...web, props });
        assert.deepEqual(messages, ["spec.template.spec.hostPID is true: remove it; baseline forbids sharing the node's namespaces"]);
    });
});
