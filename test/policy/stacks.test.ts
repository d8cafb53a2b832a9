/**
 * The policy pack over the whole program: for every stack variant (test/support/variants.ts), every
 * resource the program registers goes through every resource rule, and the stack through the stack
 * rules, as `pulumi preview --policy-pack policy` would do it. None may report anything: a
 * violation here is either a defect of the program or a false positive of the rule.
 *
 * Resource rules see the inputs, stack rules the state (the mock engine's outputs), with secrets
 * unwrapped as the policy server deserializes them; the resource options include `retainOnDelete`.
 */
import assert from "node:assert/strict";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { POLICIES } from "../../policy/policies";
import type { ProgramRun } from "../../scripts/lib/mockEngine";
import { fromCaptured, resourceViolations, stackViolations } from "../support/policyArgs";
import { VARIANTS } from "../support/variants";

for (const [variant, runVariant] of Object.entries(VARIANTS)) {
    describe(`the policy pack on the program (${variant})`, () => {
        let result: ProgramRun;
        before(async () => {
            result = await runVariant();
        });

        for (const policy of POLICIES) {
            it(`${policy.name} reports nothing`, async () => {
                const custom = result.resources.filter((r) => r.custom);
                const found: string[] = [];
                if ("validateStack" in policy) {
                    const violations = await stackViolations(
                        policy as StackValidationPolicy,
                        custom.map((r) => fromCaptured(r, "state")),
                    );
                    found.push(...violations.map((v) => `${v.urn ?? "the stack"}: ${v.message}`));
                } else {
                    for (const resource of custom) {
                        const messages = await resourceViolations(policy as ResourceValidationPolicy, fromCaptured(resource));
                        found.push(...messages.map((m) => `${resource.urn}: ${m}`));
                    }
                }
                assert.deepEqual(found, []);
            });
        }
    });
}
