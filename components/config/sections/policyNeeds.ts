/**
 * What the NetworkPolicies must let through, derived from the features the stack turns on, and the
 * policy settings that would cut a feature off or concern one that is off.
 */
import { cidrContains, hostCidr, parseCidr, parseIp, type Cidr } from "../schema/cidr";
import type { EgressDestination } from "../../k8s/egress";
import { report, writtenFields, type ResolveContext } from "./context";

/** GKE's load balancers and health checks reach the pods from these blocks (container-native load balancing). */
const GOOGLE_FRONT_ENDS = ["35.191.0.0/16", "130.211.0.0/22"] as const;

/** An outside host a feature connects to, and the config key that names it (for messages). */
export interface NeededHost {
    /** A hostname, or an IP address checked against the blocks. */
    readonly name: string;
    readonly key: string;
}

/** What the policies must let through: the features the stack turns on. */
export interface PolicyNeeds {
    readonly ingress?: { readonly className?: string };
    /** Outside hosts each destination must reach. */
    readonly destinations: Partial<Record<EgressDestination, readonly NeededHost[]>>;
    /** Destinations the program allows by their own address, not through blocks: why, by destination. */
    readonly ownAddresses: Partial<Record<EgressDestination, string>>;
}

/** Why a destination's feature is off, naming the key that switches it on. */
const SWITCHED_ON_BY: Readonly<Record<EgressDestination, string>> = {
    smtp: "postfix.relay is not set, so Matomo sends no mail",
    ldap: "ldap.servers is empty, so nothing connects to an LDAP server",
    maxmind: "GeoIP is off (no geoipupdate.accountId and geoipupdate.licenseKey, nor geoipupdate.existingSecret)",
    logSources: "rsyncAnalytics.sources is empty, so no log is fetched",
    googleApis: 'matomo:topology is not "google", so no Cloud SQL Auth Proxy runs',
    cloudSql: 'no Cloud SQL instance is managed elsewhere (matomo:topology "google" with cloudsql.existingInstance)',
    offsite: "no backup.offsite.url is set (or the backups are off), so no backup is copied off the cluster",
    database: 'matomo:topology is not "external", so no pod connects to a database server outside the cluster',
};

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
    for (const [destination, needed] of Object.entries(needs.destinations) as [EgressDestination, readonly NeededHost[]][]) {
        // A feature whose configuration is refused may name no host yet: nothing to check.
        if (needed.length === 0) continue;
        const blocks = value.egressTo[destination].map((b) => parseCidr(b) as Cidr);
        const hosts = needed.map((h) => h.name);
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
        for (const host of needed) {
            const ip = parseIp(host.name);
            // Log hosts given as addresses are allowed as themselves (see the policies).
            if (!ip || destination === "logSources") continue;
            if (!blocks.some((b) => cidrContains(b, hostCidr(ip)))) {
                report(
                    ctx,
                    `networkPolicy.egressTo.${destination}`,
                    `does not cover ${host.name} (${host.key}), which the stack connects to; add a block that holds it`,
                );
            }
        }
    }
    for (const field of writtenFields(ctx, "networkPolicy", "egressTo")) {
        const own = needs.ownAddresses[field as EgressDestination];
        if (own) report(ctx, `networkPolicy.egressTo.${field}`, `has no effect: ${own}; remove it`);
        else if (!(field in needs.destinations)) {
            report(ctx, `networkPolicy.egressTo.${field}`, `has no effect: ${SWITCHED_ON_BY[field as EgressDestination]}; remove it`);
        }
    }
}
