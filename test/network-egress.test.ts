/**
 * The NetworkPolicies' outbound connections from the flows the components declare
 * (components/network/egress.ts): one policy per connection, selecting exactly the pods that open
 * it, towards the destination's configured blocks or the addresses the component named.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { EgressFlow } from "../components/k8s/egress";
import { outboundConnections } from "../components/network/egress";
import { labelSelector } from "../components/network/policies";
import { selectorMatches } from "../policy/rules/labelSelectors";

const pods = (component: string, name = "matomo") => ({
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/instance": "matomo-test",
    "app.kubernetes.io/component": component,
});
const smtp = (component: string): EgressFlow => ({ name: "smtp", to: { destination: "smtp" }, ports: [587], clients: pods(component) });

describe("outbound connections from declared flows", () => {
    it("give one connection per name, towards the destination's blocks", () => {
        const [smtpOut, maxmind] = outboundConnections(
            [
                smtp("web"),
                { name: "maxmind", to: { destination: "maxmind" }, ports: [443], clients: pods("geoip", "geoipupdate") },
                smtp("scheduled-tasks"),
            ],
            { smtp: ["192.0.2.0/24", "2001:db8::/32"], maxmind: ["0.0.0.0/0"] },
        );
        assert.deepEqual(smtpOut.to, [{ cidr: "192.0.2.0/24" }, { cidr: "2001:db8::/32" }]);
        assert.deepEqual(smtpOut.ports, [587]);
        assert.deepEqual(maxmind.clients, { matchLabels: pods("geoip", "geoipupdate") });
    });

    it("select every pod that opens a connection, and no other", () => {
        const components = fc.uniqueArray(fc.constantFrom("web", "install", "archive-a", "archive-b", "scheduled-tasks", "log-import"), {
            minLength: 1,
        });
        fc.assert(
            fc.property(components, components, (openers, others) => {
                const [out] = outboundConnections(openers.map(smtp), { smtp: ["0.0.0.0/0"] });
                const selector = labelSelector(out.clients) as Parameters<typeof selectorMatches>[0];
                for (const c of [...openers, ...others]) assert.equal(selectorMatches(selector, pods(c)), openers.includes(c), c);
                assert.ok(!selectorMatches(selector, pods("web", "geoipupdate")), "the shared labels still hold");
            }),
        );
    });

    it("allow addresses a component names as themselves", () => {
        const [out] = outboundConnections(
            [{ name: "log-source-0", to: { cidrs: ["10.0.0.5/32"] }, ports: [22], clients: pods("log-sync") }],
            {},
        );
        assert.deepEqual(out.to, [{ cidr: "10.0.0.5/32" }]);
    });

    it("refuse flows of one name that differ, and a destination without blocks", () => {
        assert.throws(
            () => outboundConnections([smtp("web"), { ...smtp("scheduled-tasks"), ports: [465] }], { smtp: ["0.0.0.0/0"] }),
            /flows named "smtp" go to different places/,
        );
        assert.throws(() => outboundConnections([smtp("web")], {}), /no blocks for the destination smtp/);
        assert.throws(
            () => outboundConnections([smtp("web"), { ...smtp("geoip"), clients: pods("geoip", "geoipupdate") }], { smtp: ["0.0.0.0/0"] }),
            /differ in app\.kubernetes\.io\/name and app\.kubernetes\.io\/component/,
        );
    });
});
