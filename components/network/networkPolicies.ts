/**
 * The installation's NetworkPolicies (see `networkPolicySpecs`): every pod denied every
 * connection but DNS and the ones the installation needs. Stateless: removing the component (the
 * `securityEnabled` switch) removes every policy, and traffic is open again.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { InstallationArgs } from "../k8s/installation";
import { standardLabels } from "../k8s/labels";
import { networkPolicySpecs, type Connections } from "./policies";

export interface NetworkPoliciesArgs extends InstallationArgs, Connections {}

export class NetworkPolicies extends pulumi.ComponentResource {
    /** Names of the policies, for `kubectl describe networkpolicy`. */
    readonly names: pulumi.Output<string[]>;

    constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("matomo:index:NetworkPolicies", name, {}, opts);
        const labels = standardLabels({ name: "matomo", component: "network", instance: args.instance });
        const policies = networkPolicySpecs(args).map(
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
