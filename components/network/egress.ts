/**
 * The NetworkPolicies' outbound connections from the flows the components declare: the flows of
 * one name become one policy, whose pod selector selects every pod that opens the connection, and
 * whose peers are the destination's configured blocks or the addresses the component named.
 */
import type { EgressDestination, EgressFlow } from "../k8s/egress";
import type { Connections, PodSelector } from "./policies";

/** The blocks the stack names for each destination that some flow goes to. */
export type DestinationBlocks = Readonly<Partial<Record<EgressDestination, readonly string[]>>>;

/**
 * One selector for the pods of every flow of a connection: the labels they share, and `In` for
 * the one label they differ in (their component). Pods that differ in more are a programming
 * error: a selector with two `In` expressions would also select their cross product.
 */
function clientsOf(name: string, clients: readonly Readonly<Record<string, string>>[]): PodSelector {
    const keys = [...new Set(clients.flatMap((labels) => Object.keys(labels)))];
    const matchLabels: Record<string, string> = {};
    const oneOf: Record<string, string[]> = {};
    for (const key of keys) {
        const values = [...new Set(clients.map((labels) => labels[key]))];
        if (values.includes(undefined as unknown as string))
            throw new Error(`the pods that open "${name}" do not all have the label ${key}`);
        if (values.length === 1) matchLabels[key] = values[0];
        else oneOf[key] = values;
    }
    if (Object.keys(oneOf).length > 1) {
        throw new Error(`the pods that open "${name}" differ in ${Object.keys(oneOf).join(" and ")}; name their connections apart`);
    }
    return Object.keys(oneOf).length ? { matchLabels, in: oneOf } : { matchLabels };
}

/** The outbound connections of the flows, one per connection name (pure). */
export function outboundConnections(flows: readonly EgressFlow[], blocks: DestinationBlocks): Connections["outbound"] {
    const byName = new Map<string, EgressFlow[]>();
    for (const flow of flows) byName.set(flow.name, [...(byName.get(flow.name) ?? []), flow]);
    return [...byName].map(([name, group]) => {
        const [first] = group;
        const sameTarget = (flow: EgressFlow) =>
            flow.to === first.to || ("destination" in flow.to && "destination" in first.to && flow.to.destination === first.to.destination);
        if (!group.every((flow) => sameTarget(flow) && flow.ports.join() === first.ports.join())) {
            throw new Error(`the flows named "${name}" go to different places; name them apart`);
        }
        const to = "destination" in first.to ? (blocks[first.to.destination] ?? []) : first.to.cidrs;
        if ("destination" in first.to && to.length === 0)
            throw new Error(`no blocks for the destination ${first.to.destination} of "${name}"`);
        return {
            name,
            clients: clientsOf(
                name,
                group.map((flow) => flow.clients),
            ),
            to: to.map((cidr) => ({ cidr })),
            ports: first.ports,
        };
    });
}
