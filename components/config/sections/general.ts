/**
 * Where and how the stack deploys: the topology, the namespace, the time zone, and the policy for
 * claims when the stack or a resource is removed.
 */
import { boolean, oneOf, string } from "../schema/fields";
import { object } from "../schema/structures";
import { checkDnsLabel, checkTimezone } from "../schema/validators";

export type Topology = "eea" | "google";

export const generalKeys = {
    topology: oneOf(["eea", "google"], {
        doc: "Which topology the stack deploys: `eea` (MariaDB StatefulSet in the cluster) or `google` (Cloud SQL for MySQL through the Cloud SQL Auth Proxy).",
        default: "eea",
    }),
    namespace: string({
        doc: "Kubernetes namespace for every object of the stack.",
        default: "matomo",
        check: checkDnsLabel,
    }),
    createNamespace: boolean({
        doc: "Create the namespace (with Pod Security `restricted` labels). Set to false to deploy into a namespace managed elsewhere.",
        default: true,
    }),
    timezone: string({
        doc: "Time zone of the deployment (IANA name): `TZ` of every container and PHP's `date.timezone`.",
        default: "Europe/Copenhagen",
        check: checkTimezone,
    }),
    pvc: object(
        {
            resourcePolicyKeep: boolean({
                doc: "Keep PersistentVolumeClaims (and the namespace that holds them) when the stack is destroyed or the resource is removed: Pulumi's `retainOnDelete`, and `Retain` for the MariaDB StatefulSet's claims.",
                default: true,
            }),
        },
        { doc: "Persistent volume claim policy." },
    ),
} as const;

/** What happens to claims when the stack is destroyed. */
export interface PvcConfig {
    /** Keep the claims (and the namespace holding them) when they are deleted from the stack. */
    readonly resourcePolicyKeep: boolean;
}
