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

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "disabled"];

/** A rule's level: its own configuration, else `all`, else the rule's, else the pack's. */
function levelOf(policy: Policy, config: PackConfig): EnforcementLevel {
    const level = (entry: PackConfig[string] | undefined) =>
        typeof entry === "string" ? entry : (entry?.enforcementLevel as EnforcementLevel | undefined);
    return level(config[policy.name]) ?? level(config.all) ?? policy.enforcementLevel ?? PACK_ENFORCEMENT_LEVEL;
}

/** The names of the rules the configuration leaves enabled. */
export function enabledRules(config: PackConfig = {}): string[] {
    return POLICIES.filter((p) => levelOf(p, config) !== "disabled").map((p) => p.name);
}

/** A rule's settings from the configuration (its schema's defaults fill the rest). */
function settingsOf(policy: Policy, config: PackConfig): Record<string, unknown> {
    const entry = config[policy.name];
    if (typeof entry !== "object") return {};
    return Object.fromEntries(Object.entries(entry).filter(([key]) => key !== "enforcementLevel"));
}

/**
 * What is wrong with a configuration, one line each, naming the rule and the setting; empty when
 * it is valid. Checked before any rule runs, so a typo never switches a rule off unseen.
 */
export function packConfigProblems(config: unknown): string[] {
    if (typeof config !== "object" || config === null || Array.isArray(config)) return ["is not a JSON object of rule names"];
    const names = POLICIES.map((p) => p.name);
    const problems: string[] = [];
    for (const [name, entry] of Object.entries(config)) {
        const policy = POLICIES.find((p) => p.name === name);
        if (name !== "all" && policy === undefined) {
            problems.push(`${JSON.stringify(name)} is no rule of the pack: the rules are all, ${names.join(", ")}`);
            continue;
        }
        const object =
            typeof entry === "object" && entry !== null && !Array.isArray(entry) ? (entry as Record<string, unknown>) : undefined;
        const level = object ? object.enforcementLevel : entry;
        if ((object === undefined || level !== undefined) && !LEVELS.includes(level as EnforcementLevel)) {
            problems.push(`${name}: enforcement level ${JSON.stringify(level)} is not one of ${LEVELS.join(", ")}`);
        }
        const schema = policy?.configSchema?.properties ?? {};
        for (const [key, value] of Object.entries(object ?? {}).filter(([key]) => key !== "enforcementLevel")) {
            const property = schema[key];
            const allowed = typeof property === "object" ? property.enum : undefined;
            if (property === undefined)
                problems.push(`${name}.${key} is no setting of the rule: it has ${Object.keys(schema).join(", ") || "none"}`);
            else if (allowed !== undefined && !allowed.includes(value as never)) {
                problems.push(`${name}.${key}: ${JSON.stringify(value)} is not one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`);
            }
        }
    }
    return problems;
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
