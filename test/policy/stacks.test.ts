/**
 * The policy pack over the whole program: for every stack variant (test/support/variants.ts), every
 * resource the program registers goes through every resource rule, and the stack through the stack
 * rules, as `pulumi preview --policy-pack policy` (and `npm run policy`) would do it. None may
 * report anything: a violation here is either a defect of the program or a false positive of the
 * rule.
 *
 * Resource rules see the inputs, stack rules the state (the mock engine's outputs), with secrets
 * unwrapped as the policy server deserializes them; the resource options include `retainOnDelete`.
 */
import assert from "node:assert/strict";
import { POLICIES } from "../../policy/policies";
import { packViolations, type PackViolation } from "../../scripts/lib/policyPack";
import { VARIANTS } from "../support/variants";

for (const [variant, runVariant] of Object.entries(VARIANTS)) {
    describe(`the policy pack on the program (${variant})`, () => {
        let violations: PackViolation[];
        before(async () => {
            violations = await packViolations((await runVariant()).resources);
        });

        for (const policy of POLICIES) {
            it(`${policy.name} reports nothing`, () => {
                const found = violations
                    .filter((v) => v.policy === policy.name)
                    .map((v) => `${v.resource?.urn ?? "the stack"}: ${v.message}`);
                assert.deepEqual(found, []);
            });
        }
    });
}
