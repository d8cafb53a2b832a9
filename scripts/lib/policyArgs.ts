/**
 * The arguments the policy server would build for the policy pack's rules, so that the tests and
 * `npm run policy` call a policy's `validateResource` / `validateStack` directly (constructing the
 * PolicyPack would start its gRPC server). Also the adapter from what the mock engine captured to
 * those arguments, so the same rules that guard `pulumi preview` check a stack offline.
 *
 * Only types are imported from `@pulumi/policy`: loading its runtime takes a second per process.
 */
import type {
    Policy,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { revealSecrets, type CapturedResource } from "./mockEngine";

/** Resource options as given to the rules: `retainOnDelete` too, which the real analyzer does not send. */
export type ResourceInputOptions = Partial<PolicyResourceOptions> & { retainOnDelete?: boolean };

/** A resource as a test or a program run describes it: its type token and properties, the rest defaulted. */
export interface ResourceInput {
    readonly type: string;
    readonly props: Record<string, unknown>;
    readonly name?: string;
    readonly urn?: string;
    readonly opts?: ResourceInputOptions;
}

/** A violation a stack policy reported, with the resource it names. */
export interface StackViolation {
    readonly message: string;
    readonly urn?: string;
}

const NO_TIMEOUTS = { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 };

/** The thrown value of `args.notApplicable(reason)`. */
export class NotApplicable extends Error {}

const nameOf = (r: ResourceInput) => r.name ?? "test";
const urnOf = (r: ResourceInput) => r.urn ?? `urn:pulumi:test::matomo::${r.type}::${nameOf(r)}`;
const optsOf = (r: ResourceInput) => ({
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: NO_TIMEOUTS,
    additionalSecretOutputs: [],
    ...r.opts,
});
const isTypeOf = (type: string) => (resourceClass: unknown) => (resourceClass as { __pulumiType?: string }).__pulumiType === type;

/** A policy's configuration: the schema's defaults, overridden by `config`. */
export function configOf(policy: Policy, config: Record<string, unknown> = {}): Record<string, unknown> {
    const defaults = Object.entries(policy.configSchema?.properties ?? {}).flatMap(([key, schema]) =>
        typeof schema === "object" && schema.default !== undefined ? [[key, schema.default] as const] : [],
    );
    return { ...Object.fromEntries(defaults), ...config };
}

const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
};

/** The `ResourceValidationArgs` the policy server would pass for a resource. */
export function resourceArgs(policy: Policy, resource: ResourceInput, config?: Record<string, unknown>): ResourceValidationArgs {
    const isType = isTypeOf(resource.type);
    return {
        type: resource.type,
        props: resource.props,
        urn: urnOf(resource),
        name: nameOf(resource),
        opts: optsOf(resource),
        stackTags: new Map(),
        isType,
        asType: ((resourceClass: unknown) => (isType(resourceClass) ? resource.props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => configOf(policy, config) as T,
        notApplicable,
    };
}

/** The messages a resource policy reports for a resource. */
export async function resourceViolations(
    policy: ResourceValidationPolicy,
    resource: ResourceInput,
    config?: Record<string, unknown>,
): Promise<string[]> {
    const found: string[] = [];
    const validations = policy.validateResource === undefined ? [] : [policy.validateResource].flat();
    for (const validate of validations) await validate(resourceArgs(policy, resource, config), (message) => found.push(message));
    return found;
}

/** A resource of `StackValidationArgs`. */
function policyResource(resource: ResourceInput): PolicyResource {
    const isType = isTypeOf(resource.type);
    return {
        type: resource.type,
        props: resource.props,
        urn: urnOf(resource),
        name: nameOf(resource),
        opts: optsOf(resource),
        dependencies: [],
        propertyDependencies: {},
        isType,
        asType: ((resourceClass: unknown) => (isType(resourceClass) ? resource.props : undefined)) as PolicyResource["asType"],
    };
}

/** The `StackValidationArgs` the policy server would pass for a stack of these resources. */
export function stackArgs(policy: Policy, resources: readonly ResourceInput[], config?: Record<string, unknown>): StackValidationArgs {
    return {
        resources: resources.map(policyResource),
        stackTags: new Map(),
        getConfig: <T extends object>() => configOf(policy, config) as T,
        notApplicable,
    };
}

/** The violations a stack policy reports for a stack of these resources. */
export async function stackViolations(
    policy: StackValidationPolicy,
    resources: readonly ResourceInput[],
    config?: Record<string, unknown>,
): Promise<StackViolation[]> {
    const found: StackViolation[] = [];
    await policy.validateStack(stackArgs(policy, resources, config), (message, urn) => found.push({ message, urn }));
    return found;
}

/** A Go duration (`10m`, `1h30m`, `90s`), as Pulumi's custom timeouts are written, in seconds. */
export function durationSeconds(duration: string | undefined): number {
    const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
    return [...(duration ?? "").matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)].reduce((sum, [, n, unit]) => sum + Number(n) * units[unit], 0);
}

/**
 * A resource the mock engine captured, as the policy server would pass it: the inputs (or, for a
 * stack policy, the state) with secrets unwrapped, as the server deserializes them, and the
 * resource options the program gave, including `retainOnDelete`.
 */
export function fromCaptured(resource: CapturedResource, use: "inputs" | "state" = "inputs"): ResourceInput {
    const o = resource.options;
    return {
        type: resource.type,
        name: resource.name,
        urn: resource.urn,
        props: revealSecrets(use === "inputs" ? resource.inputs : resource.state) as Record<string, unknown>,
        opts: {
            protect: o.protect,
            retainOnDelete: o.retainOnDelete,
            ignoreChanges: [...o.ignoreChanges],
            aliases: [...o.aliases],
            deleteBeforeReplace: o.deleteBeforeReplace,
            customTimeouts: {
                createSeconds: durationSeconds(o.customTimeouts?.create),
                updateSeconds: durationSeconds(o.customTimeouts?.update),
                deleteSeconds: durationSeconds(o.customTimeouts?.delete),
            },
            parent: resource.parent,
        },
    };
}
