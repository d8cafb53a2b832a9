/**
 * What the NetworkPolicies must let through, derived from the features the stack turns on, and the
 * policy settings that would cut a feature off or concern one that is off.
 */
import { cidrContains, hostCidr, parseCidr, parseIp, type Cidr } from "../schema/cidr";
import type { EgressDestination } from "../../k8s/egress";
import { report, writtenFields, type ResolveContext } from "./context";

/** GKE's load balancers and health checks reach the pods from these blocks (container-native load balancing). */
const GOOGLE_FRONT_ENDS = ["35.191.0.0/16", "130.211.0.0/22"] as const;

/** What the policies must let through: the features the stack turns on. */
export interface PolicyNeeds {
    readonly ingress?: { readonly className?: string };
    /** Outside hosts each destination must reach (a hostname, or an IP checked against the blocks). */
    readonly destinations: Partial<Record<EgressDestination, readonly string[]>>;
    /** Destinations the program allows by their own address, not through blocks: why, by destination. */
    readonly ownAddresses: Partial<Record<EgressDestination, string>>;
}

/** The policy settings the needs are checked against: the ingress peers and the outside blocks. */
interface PolicySettings {
    readonly ingressFrom: readonly { readonly cidr?: string }[];
    readonly egressTo: Readonly<Record<EgressDestination, readonly string[]>>;
}

/** Reports settings that would cut off a configured feature, and destinations of features that are off. */
export function cutOffIssues(value: PolicySettings, needs: PolicyNeeds, ctx: ResolveContext): void {
    if (needs.ingress) {
        if (value.ingressFrom.length === 0) {
            report(
                ctx,
                "networkPolicy.ingressFrom",
                "is empty, so nothing could reach Matomo through the Ingress; name the ingress controller's pods",
            );
        } else if (["gce", "gce-internal"].includes(needs.ingress.className ?? "") && !value.ingressFrom.some((p) => p.cidr)) {
            report(
                ctx,
                "networkPolicy.ingressFrom",
                `names no IP block, but GKE's Ingress (class ${needs.ingress.className}) reaches the pods from Google's front ends; add peers with cidr ${GOOGLE_FRONT_ENDS.join(" and ")}`,
            );
        }
    }
    for (const [destination, hosts] of Object.entries(needs.destinations) as [EgressDestination, readonly string[]][]) {
        const blocks = value.egressTo[destination].map((b) => parseCidr(b) as Cidr);
        if (blocks.length === 0 && !writtenFields(ctx, "networkPolicy", "egressTo").includes(destination)) {
            report(
                ctx,
                `networkPolicy.egressTo.${destination}`,
                `is required: the pods connect to ${hosts.join(", ")}, and a NetworkPolicy can only allow blocks of addresses; ` +
                    `name the blocks that hold them, e.g. \`pulumi config set --path 'networkPolicy.egressTo.${destination}[0]' 10.0.0.0/24\``,
            );
            continue;
        }
        if (blocks.length === 0) {
            report(
                ctx,
                `networkPolicy.egressTo.${destination}`,
                `is empty, which cuts off ${hosts.join(", ")}; name its blocks, or leave it out for any address`,
            );
            continue;
        }
        for (const host of hosts) {
            const ip = parseIp(host);
            // Log hosts given as addresses are allowed as themselves (see the policies).
            if (!ip || destination === "logSources") continue;
            if (!blocks.some((b) => cidrContains(b, hostCidr(ip)))) {
                report(
                    ctx,
                    `networkPolicy.egressTo.${destination}`,
                    `does not cover ${host}, which the stack connects to; add a block that holds it`,
                );
            }
        }
    }
    for (const field of writtenFields(ctx, "networkPolicy", "egressTo")) {
        const own = needs.ownAddresses[field as EgressDestination];
        if (own) report(ctx, `networkPolicy.egressTo.${field}`, `has no effect: ${own}; remove it`);
        else if (!(field in needs.destinations)) {
            report(ctx, `networkPolicy.egressTo.${field}`, "has no effect: the feature that connects there is off; remove it");
        }
    }
}
