/** The namespace of the installation. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { MatomoConfig } from "../components/config";
import { standardLabels } from "../components/k8s/labels";

/**
 * The namespace, created with the Pod Security `restricted` level enforced, warned and audited
 * (every pod of this program complies), unless the stack deploys into an existing one. When claims are kept on delete, so is the namespace: deleting a
 * namespace deletes every claim in it.
 */
export function namespaceFor(cfg: MatomoConfig, instance: string): pulumi.Output<string> {
    if (!cfg.createNamespace) return pulumi.output(cfg.namespace);
    const ns = new k8s.core.v1.Namespace(
        "namespace",
        {
            metadata: {
                name: cfg.namespace,
                labels: {
                    ...standardLabels({ name: "matomo", component: "namespace", instance }),
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/warn": "restricted",
                    "pod-security.kubernetes.io/audit": "restricted",
                },
            },
        },
        { retainOnDelete: cfg.pvc.resourcePolicyKeep },
    );
    return ns.metadata.name;
}
