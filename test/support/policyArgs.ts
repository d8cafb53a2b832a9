/**
 * The policy pack's arguments for the tests (scripts/lib/policyArgs.ts builds them), with the
 * resources typed as loosely as tests write and change them.
 */
import type { ResourceInput } from "../../scripts/lib/policyArgs";

export { resourceViolations, stackViolations } from "../../scripts/lib/policyArgs";

/** A resource as a test describes it, its properties open to any change a test makes. */
export interface FakeResource extends ResourceInput {
    readonly props: Record<string, any>;
}
