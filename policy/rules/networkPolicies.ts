/**
 * `network-policies-present`: every pod the program makes is selected by a NetworkPolicy that, in
 * its namespace, denies all ingress and all egress; other NetworkPolicies then allow exactly the
 * traffic each pod needs.
 *
 * Without a default deny, every pod in the cluster can reach MariaDB's 3306 and the PHP-FPM port,
 * and a compromised Matomo (or a job running a plugin's code) can reach the cloud metadata server,
 * the Kubernetes API and the internet, to fetch tools or send the visitor data away. A deny-all
 * that selects nothing (a label typo) protects nothing, so the rule evaluates the selectors as the
 * API server does (labelSelectors.ts), namespace by namespace (no namespace means "default", as the
 * program never relies on a provider's default namespace).
 *
 * A deny-all is a NetworkPolicy whose policyTypes list both Ingress and Egress and which has no
 * ingress and no egress rule. Listing both types matters: without policyTypes, Kubernetes only
 * restricts ingress unless the policy has egress rules.
 *
 * This is a stack policy because it relates resources to each other. A cluster whose network
 * plugin enforces no NetworkPolicy can switch it off with the policy config `networkPolicies: off`
 * (`pulumi preview --policy-pack policy --policy-pack-config config.json`).
 */
import type { ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { known, list, record, shown, text, violation } from "./common";
import { selectorMatches, type LabelSelector } from "./labelSelectors";
import { makesPods, podTemplateOf } from "./workloads";

/** A resource of the stack, as the stack policy and the tests pass it. */
export interface StackResource {
    readonly type: string;
    readonly name?: string;
    readonly urn?: string;
    readonly props: Readonly<Record<string, unknown>>;
}

/** A workload without a deny-all, and why. */
export interface UnprotectedWorkload {
    readonly resource: StackResource;
    readonly message: string;
}

export const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

/** A resource's namespace ("default" when it names none); undefined while unknown. */
function namespaceOf(props: Readonly<Record<string, unknown>>): string | undefined {
    return known(() => text(record(props.metadata).namespace) ?? "default", undefined);
}

/** A string map from loosely typed labels. */
function stringMap(value: unknown): Record<string, string> {
    return Object.fromEntries(Object.entries(record(value)).map(([k, v]) => [k, String(v)]));
}

/** A typed label selector from loosely typed properties. */
function selectorOf(value: unknown): LabelSelector {
    const raw = record(value);
    return {
        matchLabels: stringMap(raw.matchLabels),
        matchExpressions: list(raw.matchExpressions).map((e) => {
            const expression = record(e);
            return { key: String(expression.key), operator: String(expression.operator), values: list(expression.values).map(String) };
        }),
    };
}

/** The pods a deny-all NetworkPolicy covers: its namespace and selector; undefined for any other policy. */
function denyAllOf(props: Readonly<Record<string, unknown>>): { namespace: string; selector: LabelSelector } | undefined {
    const spec = record(props.spec);
    const types = list(spec.policyTypes);
    if (!types.includes("Ingress") || !types.includes("Egress")) return undefined;
    if (list(spec.ingress).length > 0 || list(spec.egress).length > 0) return undefined;
    return { namespace: text(record(props.metadata).namespace) ?? "default", selector: selectorOf(spec.podSelector) };
}

/**
 * The workloads whose pods no deny-all NetworkPolicy of their namespace selects. A workload whose
 * namespace or labels are unknown (preview) is not reported, nor is any workload while some
 * NetworkPolicy is still unknown (it might be the deny-all).
 */
export function unprotectedWorkloads(resources: readonly StackResource[]): UnprotectedWorkload[] {
    let someUnknown = false;
    const denyAlls: { namespace: string; selector: LabelSelector }[] = [];
    for (const r of resources.filter((r) => r.type === NETWORK_POLICY)) {
        const denyAll = known<ReturnType<typeof denyAllOf> | "unknown">(() => denyAllOf(r.props), "unknown");
        if (denyAll === "unknown") someUnknown = true;
        else if (denyAll !== undefined) denyAlls.push(denyAll);
    }
    const found: UnprotectedWorkload[] = [];
    for (const resource of resources.filter((r) => makesPods(r.type))) {
        const namespace = namespaceOf(resource.props);
        const template = known(() => podTemplateOf(resource.type, resource.props), undefined);
        const labels = template && known(() => stringMap(template.labels), undefined);
        if (namespace === undefined || template === undefined || labels === undefined) continue;
        if (denyAlls.some((d) => d.namespace === namespace && selectorMatches(d.selector, labels)) || someUnknown) continue;
        const fix =
            `no NetworkPolicy in namespace "${namespace}" selects these pods and denies all traffic (policyTypes [Ingress, Egress], ` +
            "no ingress or egress rules): add one (podSelector {} covers the namespace), then allow only what the pods need";
        found.push({ resource, message: violation(`${template.metadataField}.labels`, shown(labels, 400), fix) });
    }
    return found;
}

/** The policy's configuration. */
export interface NetworkPoliciesConfig {
    readonly networkPolicies?: "required" | "off";
}

export const networkPoliciesPresent: StackValidationPolicy = {
    name: "network-policies-present",
    description: "Every workload's pods are selected by a NetworkPolicy of their namespace that denies all ingress and egress.",
    severity: "high",
    configSchema: {
        properties: {
            networkPolicies: {
                type: "string",
                enum: ["required", "off"],
                default: "required",
                description: "off for a cluster whose network plugin does not enforce NetworkPolicies.",
            },
        },
    },
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
        if (args.getConfig<NetworkPoliciesConfig>().networkPolicies === "off") return;
        for (const { resource, message } of unprotectedWorkloads(args.resources)) reportViolation(message, resource.urn);
    },
};
