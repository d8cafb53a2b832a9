/**
 * `no-allow-all-network-policies`: a rule that admits every peer on every port is refused, in
 * either direction; every address on one port (the program's outside destinations), DNS to named
 * resolvers and a default deny pass.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { allowAllViolations, noAllowAllNetworkPolicies } from "../../policy/rules/openNetworkPolicies";
import { resourceViolations } from "../support/policyArgs";
import { allowEgress, denyAll } from "./fixtures";

const EVERY_ADDRESS = [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }];
const SMTP = [{ port: 587, protocol: "TCP" }];

/** A NetworkPolicy's rules. */
type Rules = { readonly ingress?: readonly unknown[]; readonly egress?: readonly unknown[] };

/** The violations of a NetworkPolicy with these rules. */
function violationsOf(rules: Rules): string[] {
    return allowAllViolations({ spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ...rules } });
}

describe("policy no-allow-all-network-policies", () => {
    it("passes a default deny, and DNS and an outside destination at every address on one port", async () => {
        assert.deepEqual(await resourceViolations(noAllowAllNetworkPolicies, denyAll()), []);
        assert.deepEqual(await resourceViolations(noAllowAllNetworkPolicies, allowEgress()), []);
    });

    it("refuses an egress rule that admits everything beside the program's rules, naming it", async () => {
        const policy = allowEgress();
        policy.props.spec.egress.push({});
        assert.deepEqual(await resourceViolations(noAllowAllNetworkPolicies, policy), [
            "spec.egress[2] is open to every peer (no to) on every port (no ports): name the peers (pods by podSelector and " +
                "namespaceSelector, or address blocks) and the ports the connection needs; NetworkPolicies add up, so this rule " +
                "undoes the default deny for every pod the policy selects",
        ]);
    });

    for (const [what, rules, field, found] of [
        [
            "ingress from everywhere on podSelector {}",
            { ingress: [{}] },
            "spec.ingress[0]",
            "every peer (no from) on every port (no ports)",
        ],
        [
            "an empty from and ports",
            { ingress: [{ from: [], ports: [] }] },
            "spec.ingress[0]",
            "every peer (no from) on every port (no ports)",
        ],
        [
            "every address of both families on every port",
            { egress: [{ to: EVERY_ADDRESS }] },
            "spec.egress[0]",
            "ipBlock 0.0.0.0/0 (every address) on every port (no ports)",
        ],
        [
            "every IPv6 address alone",
            { egress: [{ to: [{ ipBlock: { cidr: "::/0" } }] }] },
            "spec.egress[0]",
            "ipBlock ::/0 (every address)",
        ],
        [
            "every address but the private ranges",
            { egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "192.168.0.0/16"] } }] }] },
            "spec.egress[0]",
            "ipBlock 0.0.0.0/0 (every address but the 2 blocks of its except) on every port",
        ],
        [
            "every pod of every namespace",
            { ingress: [{ from: [{ namespaceSelector: {} }] }] },
            "spec.ingress[0]",
            "namespaceSelector {} (every pod of every namespace)",
        ],
        [
            "every pod of every namespace, pod selector empty too",
            { ingress: [{ from: [{ namespaceSelector: {}, podSelector: {} }] }] },
            "spec.ingress[0]",
            "namespaceSelector {} (every pod of every namespace)",
        ],
        [
            "every TCP port to every address",
            { egress: [{ to: EVERY_ADDRESS, ports: [{ protocol: "TCP" }] }] },
            "spec.egress[0]",
            "on every TCP port (an entry without port)",
        ],
        [
            "a port range over every port",
            { egress: [{ ports: [{ port: 1, endPort: 65535, protocol: "UDP" }] }] },
            "spec.egress[0]",
            "every peer (no to) on every UDP port (1-65535)",
        ],
        [
            "a narrow peer beside an open one",
            { egress: [{ to: [{ ipBlock: { cidr: "192.0.2.0/24" } }, ...EVERY_ADDRESS], ports: [{ protocol: "TCP" }] }] },
            "spec.egress[0]",
            "ipBlock 0.0.0.0/0 (every address)",
        ],
    ] as const) {
        it(`refuses ${what}`, () => {
            const messages = violationsOf(rules);
            assert.equal(messages.length, 1, messages.join("\n"));
            assert.ok(messages[0].startsWith(`${field} is open to `), messages[0]);
            assert.ok(messages[0].includes(found), messages[0]);
        });
    }

    for (const [what, rules] of [
        ["every address on one port", { egress: [{ to: EVERY_ADDRESS, ports: SMTP }] }],
        ["any address for DNS (networkPolicy.dnsTo: [])", { egress: [{ ports: [{ port: 53, protocol: "UDP" }] }] }],
        ["every pod of the namespace on every port", { ingress: [{ from: [{ podSelector: {} }] }] }],
        ["a labelled namespace's pods on every port", { ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "a" } } }] }] }],
        ["an address block on every port", { egress: [{ to: [{ ipBlock: { cidr: "10.0.0.5/32" } }] }] }],
        ["a port range that leaves ports out", { egress: [{ to: EVERY_ADDRESS, ports: [{ port: 1024, endPort: 65535 }] }] }],
        ["a named port", { ingress: [{ ports: [{ port: "http", protocol: "TCP" }] }] }],
    ] as const) {
        it(`passes ${what}`, () => assert.deepEqual(violationsOf(rules), []));
    }

    it("refuses a rule exactly when it admits every peer and every port", () => {
        const peer = fc.constantFrom(
            { open: true, value: { ipBlock: { cidr: "0.0.0.0/0" } } },
            { open: true, value: { ipBlock: { cidr: "::/0" } } },
            { open: true, value: { namespaceSelector: {} } },
            { open: false, value: { ipBlock: { cidr: "198.51.100.0/24" } } },
            { open: false, value: { podSelector: {} } },
            { open: false, value: { namespaceSelector: { matchLabels: { a: "b" } }, podSelector: {} } },
        );
        const port = fc.constantFrom(
            { open: true, value: { protocol: "TCP" } },
            { open: true, value: { port: 1, endPort: 65535 } },
            { open: false, value: { port: 443, protocol: "TCP" } },
            { open: false, value: { port: 2000, endPort: 3000 } },
        );
        fc.assert(
            fc.property(fc.array(peer, { maxLength: 3 }), fc.array(port, { maxLength: 3 }), fc.boolean(), (peers, ports, ingress) => {
                const everyPeer = peers.length === 0 || peers.some((p) => p.open);
                const everyPort = ports.length === 0 || ports.some((p) => p.open);
                const rule = ingress
                    ? { from: peers.map((p) => p.value), ports: ports.map((p) => p.value) }
                    : { to: peers.map((p) => p.value), ports: ports.map((p) => p.value) };
                const messages = violationsOf(ingress ? { ingress: [rule] } : { egress: [rule] });
                assert.equal(messages.length, everyPeer && everyPort ? 1 : 0, messages.join("\n"));
            }),
        );
    });
});
