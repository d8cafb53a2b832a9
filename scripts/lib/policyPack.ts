/**
 * The policy pack (policy/) over a program run, as `pulumi preview --policy-pack policy` would run
 * it: every resource rule on each resource's inputs, every stack rule on the resources' state, with
 * secrets unwrapped as the policy server deserializes them and each rule at its enforcement level.
 * `npm run policy` prints what it finds; test/policy/stacks.test.ts expects nothing on every stack
 * variant.
 *
 * The configuration is the one `--policy-pack-config` reads: per rule name (or `all`), an
 * enforcement level, or an object of the rule's settings with an optional `enforcementLevel`.
 */
import type { EnforcementLevel, Policy, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { PACK_ENFORCEMENT_LEVEL, POLICIES } from "../../policy/policies";
import type { CapturedResource } from "./mockEngine";
import { fromCaptured, NotApplicable, resourceViolations, stackViolations } from "./policyArgs";

/** The pack's configuration, as `pulumi preview --policy-pack-config` reads it. */
export type PackConfig = Readonly<Record<string, EnforcementLevel | Readonly<Record<string, unknown>>>>;

/** A violation the pack reported. */
export interface PackViolation {
    readonly policy: string;
    readonly level: EnforcementLevel;
    /** The resource it names; undefined for the stack as a whole. */
    readonly resource?: { readonly type: string; readonly name: string; readonly urn: string };
    readonly message: string;
}

/** A rule's level: its own configuration, else `all`, else the rule's, else the pack's. */
function levelOf(policy: Policy, config: PackConfig): EnforcementLevel {
    const level = (entry: PackConfig[string] | undefined) =>
        typeof entry === "string" ? entry : (entry?.enforcementLevel as EnforcementLevel | undefined);
    return level(config[policy.name]) ?? level(config.all) ?? policy.enforcementLevel ?? PACK_ENFORCEMENT_LEVEL;
}

/** A rule's settings from the configuration (its schema's defaults fill the rest). */
function settingsOf(policy: Policy, config: PackConfig): Record<string, unknown> {
    const entry = config[policy.name];
    if (typeof entry !== "object") return {};
    return Object.fromEntries(Object.entries(entry).filter(([key]) => key !== "enforcementLevel"));
}

/** What `check` returns, or nothing when the rule calls `args.notApplicable()` (the policy server reports no violation then). */
async function unlessNotApplicable<T>(check: () => Promise<T[]>): Promise<T[]> {
    try {
        return await check();
    } catch (error) {
        if (error instanceof NotApplicable) return [];
        throw error;
    }
}

/** The violations of the pack over the resources of a program run (the disabled rules left out). */
export async function packViolations(resources: readonly CapturedResource[], config: PackConfig = {}): Promise<PackViolation[]> {
    const custom = resources.filter((r) => r.custom);
    const byUrn = new Map(custom.map((r) => [r.urn, r]));
    const found: PackViolation[] = [];
    for (const policy of POLICIES) {
        const level = levelOf(policy, config);
        if (level === "disabled") continue;
        const settings = settingsOf(policy, config);
        const report = (message: string, urn: string | undefined) => {
            const r = urn === undefined ? undefined : byUrn.get(urn);
            found.push({ policy: policy.name, level, resource: r && { type: r.type, name: r.name, urn: r.urn }, message });
        };
        if ("validateStack" in policy) {
            const stack = custom.map((r) => fromCaptured(r, "state"));
            const violations = await unlessNotApplicable(() => stackViolations(policy as StackValidationPolicy, stack, settings));
            for (const v of violations) report(v.message, v.urn);
            continue;
        }
        for (const resource of custom) {
            const check = () => resourceViolations(policy as ResourceValidationPolicy, fromCaptured(resource), settings);
            for (const message of await unlessNotApplicable(check)) report(message, resource.urn);
        }
    }
    return found;
}
