/**
 * `no-allow-all-network-policies`: no NetworkPolicy rule admits every peer on every port.
 *
 * NetworkPolicies add up: once one policy allows a connection, no other denies it. So a single
 * allow-all rule beside the default deny (`network-policies-present`) undoes it for every pod its
 * policy selects: an ingress rule lets every pod of the cluster reach MariaDB's 3306 or PHP-FPM's
 * port, an egress rule lets a compromised Matomo reach the cloud metadata server, the Kubernetes
 * API and the whole internet. The program allows each connection to named peers or to address
 * blocks, always on the ports it uses.
 *
 * An item of `spec.ingress` or `spec.egress` is allow-all when it admits
 * - every peer: no `from`/`to` (or an empty list: every pod and every address), an `ipBlock` whose
 *   `cidr` is a /0 (every address of the family, `0.0.0.0/0` or `::/0`; an `except` list leaves
 *   the rest of the internet open, so it does not count), or a `namespaceSelector: {}` with no
 *   or an empty `podSelector` (every pod of every namespace);
 * - on every port: no `ports` (or an empty list), a port entry without `port` (every port of its
 *   protocol), or a range from 1 or below to 65535 (`port`, `endPort`).
 *
 * Every address on one port is not allow-all: the program opens each outside destination named by
 * host (SMTP, MaxMind, a log host) to `0.0.0.0/0` and `::/0` on its one port, as NetworkPolicies
 * cannot name hosts (docs/security.md), and `networkPolicy.dnsTo: []` opens DNS to any address on 53.
 * A peer limited to this namespace's pods (`podSelector: {}`) is not every peer either.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { eachKnown, known, knownList, list, record, text, validateTypes, violation } from "./common";
import { NETWORK_POLICY } from "./networkPolicies";

/** Whether a label selector is empty (selects everything), and not unknown. */
function isEmptySelector(value: unknown): boolean {
    const selector = record(value);
    return list(selector.matchExpressions).length === 0 && Object.keys(record(selector.matchLabels)).length === 0;
}

/** What makes a peer every peer, in words; undefined for a peer that names something narrower. */
function everyPeer(value: unknown): string | undefined {
    const peer = record(value);
    const block = record(peer.ipBlock);
    const cidr = text(block.cidr);
    if (cidr !== undefined && /\/0+$/.test(cidr.trim())) {
        const except = list(block.except).length;
        return `ipBlock ${cidr} (every address${except > 0 ? ` but the ${except} blocks of its except` : ""})`;
    }
    const namespaces = peer.namespaceSelector;
    const pods = peer.podSelector;
    const absent = (selector: unknown) => selector === undefined || selector === null;
    if (!absent(namespaces) && isEmptySelector(namespaces) && (absent(pods) || isEmptySelector(pods))) {
        return "namespaceSelector {} (every pod of every namespace)";
    }
    return undefined;
}

/** What makes a port entry every port, in words; undefined for one that names narrower ports. */
function everyPort(value: unknown): string | undefined {
    const entry = record(value);
    const protocol = text(entry.protocol) ?? "TCP";
    if (entry.port === undefined || entry.port === null) return `every ${protocol} port (an entry without port)`;
    if (typeof entry.port === "number" && entry.port <= 1 && typeof entry.endPort === "number" && entry.endPort >= 65535) {
        return `every ${protocol} port (${entry.port}-${entry.endPort})`;
    }
    return undefined;
}

/** The problem with one ingress or egress rule, when it admits every peer on every port. */
function allowAll(rule: unknown, peersKey: "from" | "to", at: string): string[] {
    const peers = list(record(rule)[peersKey]);
    const ports = list(record(rule).ports);
    const peer = peers.length === 0 ? `every peer (no ${peersKey})` : peers.map(everyPeer).find((p) => p !== undefined);
    const port = ports.length === 0 ? "every port (no ports)" : ports.map(everyPort).find((p) => p !== undefined);
    if (peer === undefined || port === undefined) return [];
    const fix =
        `name the peers (pods by podSelector and namespaceSelector, or address blocks) and the ports the connection needs; ` +
        "NetworkPolicies add up, so this rule undoes the default deny for every pod the policy selects";
    return [violation(at, `open to ${peer} on ${port}`, fix)];
}

/** The allow-all rules of a NetworkPolicy, each naming its field. */
export function allowAllViolations(props: Readonly<Record<string, unknown>>): string[] {
    const spec = known(() => record(props.spec), {});
    return [
        ...eachKnown(
            knownList(() => spec.ingress),
            (rule, i) => allowAll(rule, "from", `spec.ingress[${i}]`),
        ),
        ...eachKnown(
            knownList(() => spec.egress),
            (rule, i) => allowAll(rule, "to", `spec.egress[${i}]`),
        ),
    ];
}

export const noAllowAllNetworkPolicies: ResourceValidationPolicy = {
    name: "no-allow-all-network-policies",
    description: "No NetworkPolicy ingress or egress rule admits every peer (or every address) on every port.",
    severity: "high",
    validateResource: validateTypes(new Set([NETWORK_POLICY]), (_type, props) => allowAllViolations(props)),
};
