/**
 * Decides whether a connection is allowed under a set of NetworkPolicies, with the semantics the
 * Kubernetes documentation gives (concepts/services-networking/network-policies): a pod selected
 * by no policy of a direction is open in that direction; a selected pod accepts only what some
 * rule of a selecting policy allows; a connection needs the sender's egress and the receiver's
 * ingress. Peers: `podSelector` alone means pods of the policy's namespace, `namespaceSelector`
 * pods of matching namespaces (by their `kubernetes.io/metadata.name` label here), `ipBlock` an
 * address inside `cidr` and outside `except`. No rule `to`/`from` means any peer, no `ports` any
 * port; a named port matches the receiving container's port of that name.
 */
import { cidrContains, hostCidr, parseCidr, parseIp, type Cidr } from "../../components/config/schema/cidr";
import { selectorMatches, type LabelSelector } from "../../policy/rules/labelSelectors";

/** A pod (namespace, labels, named container ports) or an address outside the cluster's pods. */
export type Endpoint =
    | { readonly namespace: string; readonly labels: Readonly<Record<string, string>>; readonly ports?: Readonly<Record<string, number>> }
    | { readonly ip: string };

export interface Policy {
    readonly namespace: string;
    readonly spec: {
        readonly podSelector: LabelSelector;
        readonly policyTypes?: readonly string[];
        readonly ingress?: readonly Rule[];
        readonly egress?: readonly Rule[];
    };
}
interface Rule {
    readonly from?: readonly PeerSpec[];
    readonly to?: readonly PeerSpec[];
    readonly ports?: readonly { readonly port?: number | string; readonly protocol?: string }[];
}
interface PeerSpec {
    readonly podSelector?: LabelSelector;
    readonly namespaceSelector?: LabelSelector;
    readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}

const isPod = (e: Endpoint): e is Extract<Endpoint, { namespace: string }> => "namespace" in e;

function peerMatches(peer: PeerSpec, policyNamespace: string, other: Endpoint): boolean {
    if (peer.ipBlock) {
        if (isPod(other)) return false;
        const ip = parseIp(other.ip);
        if (!ip) throw new Error(`not an IP: ${other.ip}`);
        const inside = (text: string) => cidrContains(parseCidr(text) as Cidr, hostCidr(ip));
        return inside(peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some(inside);
    }
    if (!isPod(other)) return false;
    const namespaceOk = peer.namespaceSelector
        ? selectorMatches(peer.namespaceSelector, { "kubernetes.io/metadata.name": other.namespace })
        : other.namespace === policyNamespace;
    return namespaceOk && selectorMatches(peer.podSelector ?? {}, other.labels);
}

function portMatches(rule: Rule, receiver: Endpoint, port: number, protocol: string): boolean {
    if (!rule.ports?.length) return true;
    return rule.ports.some((p) => {
        if ((p.protocol ?? "TCP") !== protocol) return false;
        if (p.port === undefined) return true;
        if (typeof p.port === "number") return p.port === port;
        return isPod(receiver) && receiver.ports?.[p.port] === port;
    });
}

function types(policy: Policy): readonly string[] {
    return policy.spec.policyTypes ?? (policy.spec.egress ? ["Ingress", "Egress"] : ["Ingress"]);
}

/** Whether `pod` may send (Egress) to or receive (Ingress) from `other` on the port. */
function sideAllows(
    policies: readonly Policy[],
    direction: "Ingress" | "Egress",
    pod: Endpoint,
    other: Endpoint,
    port: number,
    protocol: string,
) {
    if (!isPod(pod)) return true;
    const selecting = policies.filter(
        (p) => p.namespace === pod.namespace && types(p).includes(direction) && selectorMatches(p.spec.podSelector, pod.labels),
    );
    if (selecting.length === 0) return true;
    const receiver = direction === "Ingress" ? pod : other;
    return selecting.some((policy) =>
        (direction === "Ingress" ? (policy.spec.ingress ?? []) : (policy.spec.egress ?? [])).some((rule) => {
            const peers = direction === "Ingress" ? rule.from : rule.to;
            return (
                (!peers?.length || peers.some((peer) => peerMatches(peer, policy.namespace, other))) &&
                portMatches(rule, receiver, port, protocol)
            );
        }),
    );
}

/** Whether `from` may open a connection to `to` on `port`. */
export function connectionAllowed(policies: readonly Policy[], from: Endpoint, to: Endpoint, port: number, protocol = "TCP"): boolean {
    return sideAllows(policies, "Egress", from, to, port, protocol) && sideAllows(policies, "Ingress", to, from, port, protocol);
}
