/**
 * The NetworkPolicy specs of an installation, from a description of who talks to whom (pure, so
 * the rules can be tested without the engine): a default deny for every pod of the installation,
 * DNS, then one allow rule per connection. Kubernetes allows a connection only when both ends
 * allow it, so a connection between two pods of the installation is an ingress rule on the server
 * and an egress rule on the client; a connection to the outside is an egress rule alone.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

type Spec = k8s.types.input.networking.v1.NetworkPolicySpec;
type PolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;

/** Pods by labels: `matchLabels`, and `In` / `NotIn` expressions for labels with one of several values or none of them. */
export interface PodSelector {
    readonly matchLabels: Readonly<Record<string, string>>;
    readonly in?: Readonly<Record<string, readonly string[]>>;
    readonly notIn?: Readonly<Record<string, readonly string[]>>;
}

/** A peer outside the installation: pods of (other) namespaces by labels, or an IP block. */
export type Peer =
    | { readonly namespaceLabels?: Readonly<Record<string, string>>; readonly podLabels?: Readonly<Record<string, string>> }
    | { readonly cidr: pulumi.Input<string>; readonly except?: readonly string[] };

/** A TCP port, by number or by the container port's name. */
export type Port = number | string;

export interface Connections {
    /** Every pod of the installation: denied whatever no rule below allows. */
    readonly pods: PodSelector;
    /** Where DNS queries may go (port 53); empty for any address. */
    readonly dns: readonly Peer[];
    /** Connections between pods of the installation. */
    readonly internal: readonly {
        readonly name: string;
        readonly server: PodSelector;
        readonly port: Port;
        /** The client pods, each named for its egress policy (`<client>-to-<name>`). */
        readonly clients: readonly { readonly name: string; readonly pods: PodSelector }[];
    }[];
    /** Connections from outside the installation to its pods. */
    readonly inbound: readonly {
        readonly name: string;
        readonly server: PodSelector;
        readonly port: Port;
        readonly from: readonly Peer[];
    }[];
    /** Connections from the installation's pods to outside peers. */
    readonly outbound: readonly {
        readonly name: string;
        readonly clients: PodSelector;
        readonly to: readonly Peer[];
        readonly ports: readonly Port[];
    }[];
}

/** A NetworkPolicy to create: its name suffix and its spec. */
export interface NamedPolicy {
    readonly name: string;
    readonly spec: Spec;
}

/** A selector as the API takes it. */
export function labelSelector(selector: PodSelector): k8s.types.input.meta.v1.LabelSelector {
    const expressions = [
        ...Object.entries(selector.in ?? {}).map(([key, values]) => ({ key, operator: "In", values: [...values] })),
        ...Object.entries(selector.notIn ?? {}).map(([key, values]) => ({ key, operator: "NotIn", values: [...values] })),
    ];
    return { matchLabels: { ...selector.matchLabels }, ...(expressions.length ? { matchExpressions: expressions } : {}) };
}

function peer(p: Peer): PolicyPeer {
    if ("cidr" in p) return { ipBlock: { cidr: p.cidr, ...(p.except?.length ? { except: [...p.except] } : {}) } };
    const namespaced = p.namespaceLabels && Object.keys(p.namespaceLabels).length > 0;
    const pods = p.podLabels && Object.keys(p.podLabels).length > 0;
    // Without a namespace selector, the pods are this namespace's.
    return {
        ...(namespaced ? { namespaceSelector: { matchLabels: { ...p.namespaceLabels } } } : {}),
        ...(pods ? { podSelector: { matchLabels: { ...p.podLabels } } } : {}),
    };
}

const tcp = (port: Port) => ({ port, protocol: "TCP" });

/** The installation's policies: deny, DNS, and one per connection (two for one inside). */
export function networkPolicySpecs(c: Connections): NamedPolicy[] {
    const policies: NamedPolicy[] = [
        { name: "default-deny", spec: { podSelector: labelSelector(c.pods), policyTypes: ["Ingress", "Egress"] } },
        {
            name: "dns",
            spec: {
                podSelector: labelSelector(c.pods),
                policyTypes: ["Egress"],
                egress: [
                    {
                        ...(c.dns.length ? { to: c.dns.map(peer) } : {}),
                        ports: [
                            { port: 53, protocol: "UDP" },
                            { port: 53, protocol: "TCP" },
                        ],
                    },
                ],
            },
        },
    ];
    for (const link of c.internal) {
        policies.push({
            name: `${link.name}-ingress`,
            spec: {
                podSelector: labelSelector(link.server),
                policyTypes: ["Ingress"],
                ingress: [{ from: link.clients.map((client) => ({ podSelector: labelSelector(client.pods) })), ports: [tcp(link.port)] }],
            },
        });
        link.clients.forEach((client) =>
            policies.push({
                name: `${client.name}-to-${link.name}`,
                spec: {
                    podSelector: labelSelector(client.pods),
                    policyTypes: ["Egress"],
                    egress: [{ to: [{ podSelector: labelSelector(link.server) }], ports: [tcp(link.port)] }],
                },
            }),
        );
    }
    for (const link of c.inbound) {
        policies.push({
            name: link.name,
            spec: {
                podSelector: labelSelector(link.server),
                policyTypes: ["Ingress"],
                ingress: [{ from: link.from.map(peer), ports: [tcp(link.port)] }],
            },
        });
    }
    for (const link of c.outbound) {
        policies.push({
            name: link.name,
            spec: {
                podSelector: labelSelector(link.clients),
                policyTypes: ["Egress"],
                egress: [{ to: link.to.map(peer), ports: link.ports.map(tcp) }],
            },
        });
    }
    return policies;
}
