/**
 * The installation's NetworkPolicies (see `networkPolicySpecs`): every pod denied every
 * connection but DNS and the ones the installation needs. Stateless: removing the component (the
 * `securityEnabled` switch) removes every policy, and traffic is open again.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { EgressFlow } from "../k8s/egress";
import type { InstallationArgs } from "../k8s/installation";
import { standardLabels } from "../k8s/labels";
import { outboundConnections, type DestinationBlocks } from "./egress";
import { networkPolicySpecs, type Connections } from "./policies";

export interface NetworkPoliciesArgs extends InstallationArgs, Omit<Connections, "outbound"> {
    /** The connections out of the installation, as the components that create the pods declare them. */
    readonly egress: readonly EgressFlow[];
    /** The blocks of each outside destination some flow goes to (NetworkPolicies cannot name hosts). */
    readonly destinations: DestinationBlocks;
}

export class NetworkPolicies extends pulumi.ComponentResource {
    /** Names of the policies, for `kubectl describe networkpolicy`. */
    readonly names: pulumi.Output<string[]>;

    constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("matomo:index:NetworkPolicies", name, {}, opts);
        const labels = standardLabels({ name: "matomo", component: "network", instance: args.instance });
        const outbound = outboundConnections(args.egress, args.destinations);
        const policies = networkPolicySpecs({ ...args, outbound }).map(
            (policy) =>
                new k8s.networking.v1.NetworkPolicy(
                    `${name}-${policy.name}`,
                    { metadata: { name: `${args.instance}-${policy.name}`, namespace: args.namespace, labels }, spec: policy.spec },
                    { parent: this },
                ),
        );
        this.names = pulumi.all(policies.map((p) => p.metadata.name));
        this.registerOutputs({ names: this.names });
    }
}
