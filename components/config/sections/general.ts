/**
 * Where and how the stack deploys: the topology, the namespace, the time zone, and the policy for
 * claims when the stack or a resource is removed.
 */
import { boolean, oneOf, string, type Issue } from "../schema/fields";
import { object } from "../schema/structures";
import { checkDnsLabel, checkTimezone } from "../schema/validators";

/**
 * Namespaces that belong to the cluster's platform, by name and by prefix, with whose they are.
 * Kubernetes reserves the `kube-` prefix for its own; OpenShift refuses projects named `openshift`
 * or `openshift-*`; GKE runs its managed components in the `gke-managed-*` namespaces, the Connect
 * agent's `gke-connect` and Managed Service for Prometheus's `gke-gmp-system`, `gmp-system` and
 * `gmp-public`, and GKE Autopilot refuses other workloads there.
 */
const PLATFORM_NAMESPACES: readonly { readonly match: (name: string) => boolean; readonly owner: string }[] = [
    { match: (n) => n.startsWith("kube-"), owner: "Kubernetes' own components (the kube- prefix is reserved for them)" },
    { match: (n) => n === "openshift" || n.startsWith("openshift-"), owner: "OpenShift's own components" },
    {
        match: (n) => n.startsWith("gke-managed-") || ["gke-connect", "gke-gmp-system", "gmp-system", "gmp-public"].includes(n),
        owner: "GKE's managed components (GKE Autopilot refuses other workloads there)",
    },
];

/** Why Matomo must not live in namespace `name`, whatever createNamespace says; undefined when it may. */
function checkNamespace(name: string): string | undefined {
    const platform = PLATFORM_NAMESPACES.find((p) => p.match(name));
    if (platform === undefined) return checkDnsLabel(name);
    return (
        `that namespace belongs to ${platform.owner}: Matomo's pods and Secrets would sit among them, and with createNamespace ` +
        "the stack would fail to create it, or (with kubernetes:upsertExistingObjects) take it over and enforce Pod Security " +
        "restricted on it, which refuses their privileged pods when they next restart; use a namespace of Matomo's own, e.g. matomo"
    );
}

export type Topology = "eea" | "google" | "external";

export const generalKeys = {
    topology: oneOf(["eea", "google", "external"], {
        doc: "Which topology the stack deploys: `eea` (MariaDB StatefulSet in the cluster), `google` (Cloud SQL for MySQL through the Cloud SQL Auth Proxy) or `external` (a MySQL 8 or MariaDB server run elsewhere, `matomo:external`).",
        default: "eea",
    }),
    namespace: string({
        doc: "Kubernetes namespace for every object of the stack: one of Matomo's own, not one the platform keeps for its components (`kube-*`, `openshift`, `openshift-*`, GKE's `gke-managed-*`, `gke-connect`, `gke-gmp-system`, `gmp-system`, `gmp-public`), nor `default` with `createNamespace`.",
        default: "matomo",
        check: checkNamespace,
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

/**
 * `default` exists in every cluster and holds whatever is deployed without a namespace: creating
 * it fails as existing, or, with the provider's `kubernetes:upsertExistingObjects`, takes it over
 * and enforces Pod Security `restricted` on every pod in it. Deploying into it as it is
 * (createNamespace false) is the operator's call.
 */
export function namespaceIssues(namespace: string, createNamespace: boolean): Issue[] {
    if (namespace !== "default" || !createNamespace) return [];
    return [
        {
            key: "matomo:namespace",
            message:
                'got "default" with matomo:createNamespace true, but every cluster has that namespace already: the stack would fail to create it, or ' +
                "(with kubernetes:upsertExistingObjects) take it over and enforce Pod Security restricted on every pod deployed there " +
                "without a namespace of its own; use a namespace of Matomo's own, e.g. matomo (or set createNamespace to false to deploy into default as it is)",
        },
    ];
}
