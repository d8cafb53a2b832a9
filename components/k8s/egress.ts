/**
 * Connections out of the installation, declared by the component whose pods open them (DESIGN.md
 * §8): the stack collects every component's flows into the NetworkPolicies, so a feature that is
 * off opens nothing, and a feature that is on cannot be left out of a list kept somewhere else.
 */
import type * as pulumi from "@pulumi/pulumi";

/**
 * Outside destinations whose addresses the stack's configuration names
 * (`networkPolicy.egressTo.<destination>`: NetworkPolicies cannot name hosts, only CIDR blocks).
 */
export type EgressDestination = "smtp" | "ldap" | "maxmind" | "logSources" | "googleApis" | "cloudSql" | "offsite" | "database";

/** Where a connection goes: the blocks configured for a destination, or addresses the program knows itself. */
export type EgressTarget = { readonly destination: EgressDestination } | { readonly cidrs: readonly pulumi.Input<string>[] };

/** A connection that some pods open to a server outside the installation. */
export interface Egress {
    /** Names its NetworkPolicy: connections of one name, from whichever pods, share one policy. */
    readonly name: string;
    readonly to: EgressTarget;
    /** TCP ports. */
    readonly ports: readonly number[];
}

/** An {@link Egress}, and the pods that open it (by their selector labels). */
export interface EgressFlow extends Egress {
    readonly clients: Readonly<Record<string, string>>;
}

/** The flows of the pods selected by `clients`, one per connection they open (`undefined`: a feature that is off). */
export function egressOf(clients: Readonly<Record<string, string>>, connections: readonly (Egress | undefined)[]): EgressFlow[] {
    return connections.flatMap((connection) => (connection ? [{ ...connection, clients }] : []));
}
