/**
 * `matomo:securityEnabled` and `matomo:networkPolicy`: the NetworkPolicies that deny this
 * installation's pods every connection but the ones it needs. The seed chart's `securityEnabled`
 * switch could not turn its policies off; here it does, and the peers a cluster differs in (the
 * ingress controller, where DNS and the outside world are) are settings.
 *
 * Plain NetworkPolicies cannot name a host, only CIDR blocks: outside destinations (the SMTP
 * server, MaxMind, the log hosts, Google's APIs, the off-site bucket) default to every IPv4 and
 * IPv6 address on the one port each needs, and can be narrowed per destination. The LDAP servers have
 * no default: they are in the organisation's own network, whose blocks only the stack knows.
 */
import { boolean, string, type ValueOf } from "../schema/fields";
import { cidrContains, parseCidr, type Cidr } from "../schema/cidr";
import { list, object, record } from "../schema/structures";
import { checkLabelKey, checkLabelValue } from "../schema/validators";
import type { EgressDestination } from "../../k8s/egress";
import { report, writtenFields, type ResolveContext } from "./context";
import { cutOffIssues, type PolicyNeeds } from "./policyNeeds";

export type { PolicyNeeds };

const labels = (doc: string) =>
    record(string({ doc: "Label value.", required: true, check: checkLabelValue }), { doc, default: {}, checkKey: checkLabelKey });
const checkCidr = (v: string) => {
    const parsed = parseCidr(v);
    return typeof parsed === "string" ? parsed : undefined;
};
/** Every address of both families: a dual-stack destination may answer on either. */
const ANY_ADDRESS = ["0.0.0.0/0", "::/0"];
const cidrs = (doc: string, defaults: readonly string[] = ANY_ADDRESS) =>
    list(string({ doc: "CIDR block.", required: true, check: checkCidr }), { doc, default: defaults });

const peerField = object(
    {
        namespaceLabels: labels(
            "Labels of the peer's namespace (e.g. `kubernetes.io/metadata.name: ingress-nginx`); none: this namespace.",
        ),
        podLabels: labels("Labels of the peer's pods; none: every pod of those namespaces."),
        cidr: string({
            doc: "Instead of labels: an IP block (ingress controllers on the host network, cloud load balancers).",
            optional: true,
            check: checkCidr,
        }),
        except: cidrs("Blocks inside `cidr` to leave out.", []),
    },
    { doc: "A peer: pods by namespace and pod labels, or an IP block." },
);

/**
 * The cluster's DNS: the kube-dns or CoreDNS pods (both labelled `k8s-app: kube-dns` on GKE, EKS,
 * AKS, kubeadm and k3s), and the link-local resolvers no pod selector matches because they run on
 * the node: NodeLocal DNSCache's 169.254.20.10 and the 169.254.169.254 of GKE's Cloud DNS.
 */
const CLUSTER_DNS: PeerValue[] = [
    {
        namespaceLabels: { "kubernetes.io/metadata.name": "kube-system" },
        podLabels: { "k8s-app": "kube-dns" },
        cidr: undefined,
        except: [],
    },
    { namespaceLabels: {}, podLabels: {}, cidr: "169.254.20.10/32", except: [] },
    { namespaceLabels: {}, podLabels: {}, cidr: "169.254.169.254/32", except: [] },
];

export const securityEnabledKey = boolean({
    doc: "Create the NetworkPolicies (default deny, and an allow rule per connection the installation needs; see matomo:networkPolicy). The seed chart's switch, which could not turn its policies off.",
    default: true,
});

export const networkPolicyKey = object(
    {
        ingressFrom: list(peerField, {
            doc: "Who may connect to the web pods: the ingress controller. Default: ingress-nginx's pods in the namespace ingress-nginx. GKE's own Ingress (class `gce`) needs the blocks of Google's front ends (35.191.0.0/16, 130.211.0.0/22).",
            default: [
                {
                    namespaceLabels: { "kubernetes.io/metadata.name": "ingress-nginx" },
                    podLabels: { "app.kubernetes.io/name": "ingress-nginx" },
                    cidr: undefined,
                    except: [],
                },
            ],
            defaultDoc: "ingress-nginx",
        }),
        dnsTo: list(peerField, {
            doc: "Where the pods may send DNS queries (port 53): the cluster's DNS. The default covers kube-dns and CoreDNS (pods labelled `k8s-app: kube-dns` in `kube-system`: GKE, EKS, AKS, kubeadm, k3s), NodeLocal DNSCache (169.254.20.10, GKE Autopilot's default) and GKE's Cloud DNS (169.254.169.254). Name your DNS pods on other clusters (OpenShift: `openshift-dns`); an empty list allows any address.",
            default: CLUSTER_DNS,
            defaultDoc: "kube-dns/CoreDNS pods, 169.254.20.10/32, 169.254.169.254/32",
        }),
        egressTo: object(
            {
                smtp: cidrs("Blocks of the SMTP server (postfix.relay) on its port."),
                ldap: cidrs(
                    "Blocks of the LDAP servers (ldap.servers), on their ports, from the web pods and the LDAP sync; required with LDAP.",
                    [],
                ),
                maxmind: cidrs("Blocks of MaxMind's download servers, port 443 (GeoIP)."),
                logSources: cidrs(
                    "Blocks of the log hosts named by name on their SSH ports (hosts given as IP addresses are allowed as themselves).",
                ),
                googleApis: cidrs(
                    "Blocks of Google's APIs, port 443, for the Cloud SQL Auth Proxy (199.36.153.8/30 with Private Google Access).",
                ),
                cloudSql: cidrs(
                    "Blocks of an instance managed elsewhere (`cloudsql.existingInstance`), port 3307, for the Cloud SQL Auth Proxy (its IP address, or the private services range); an instance the stack creates is allowed by its own address.",
                ),
                offsite: cidrs("Blocks of the off-site backup storage (S3 or GCS endpoint)."),
                database: cidrs(
                    "Blocks of the database server of topology `external` (`external.host`), on `external.port`, from every pod that uses the database; required there: a host name cannot go into a NetworkPolicy, and its addresses may change (an RDS or Azure failover), so name the blocks that hold them (the database subnet).",
                    [],
                ),
            },
            {
                doc: "Outside destinations by CIDR block (NetworkPolicies cannot name hosts); each applies only on the port its feature uses.",
            },
        ),
    },
    { doc: "The NetworkPolicies' peers (with matomo:securityEnabled)." },
);

type PeerValue = ValueOf<typeof peerField>;

/** A peer as a NetworkPolicy names it: by labels, or an IP block. */
export type NetworkPeer =
    | { readonly namespaceLabels?: Readonly<Record<string, string>>; readonly podLabels?: Readonly<Record<string, string>> }
    | { readonly cidr: string; readonly except: readonly string[] };

export type { EgressDestination };

export interface NetworkPolicyConfig {
    readonly ingressFrom: readonly NetworkPeer[];
    /** Where DNS queries may go; empty: any address. */
    readonly dnsTo: readonly NetworkPeer[];
    readonly egressTo: Readonly<Record<EgressDestination, readonly string[]>>;
}

function resolvePeer(peer: PeerValue, path: string, ctx: ResolveContext): NetworkPeer | undefined {
    const byLabels = Object.keys(peer.namespaceLabels).length + Object.keys(peer.podLabels).length > 0;
    if (peer.cidr === undefined) {
        if (peer.except.length > 0) report(ctx, `${path}.except`, "needs cidr: it leaves blocks out of an IP block; set cidr or remove it");
        if (!byLabels) report(ctx, path, "names no peer; set namespaceLabels and/or podLabels, or cidr");
        return byLabels ? { namespaceLabels: peer.namespaceLabels, podLabels: peer.podLabels } : undefined;
    }
    if (byLabels) report(ctx, path, "sets cidr together with labels; a peer is either pods (labels) or an IP block, so write two peers");
    const outer = parseCidr(peer.cidr) as Cidr;
    peer.except.forEach((text, i) => {
        const inner = parseCidr(text) as Cidr;
        if (!cidrContains(outer, inner) || inner.prefix === outer.prefix) {
            report(
                ctx,
                `${path}.except[${i}]`,
                `got ${text}, which is not strictly inside cidr ${peer.cidr}; the API server would refuse it`,
            );
        }
    });
    return { cidr: peer.cidr, except: peer.except };
}

/** The policies' peers, when `enabled`; settings without policies are reported. */
export function resolveNetworkPolicy(
    enabled: boolean,
    value: ValueOf<typeof networkPolicyKey>,
    needs: PolicyNeeds,
    ctx: ResolveContext,
): NetworkPolicyConfig | undefined {
    if (!enabled) {
        if (writtenFields(ctx, "networkPolicy").length > 0) {
            report(ctx, "networkPolicy", "has no effect: matomo:securityEnabled is false, so there are no NetworkPolicies; remove it");
        }
        return undefined;
    }
    const peers = (list: readonly PeerValue[], name: string) =>
        list.flatMap((peer, i) => resolvePeer(peer, `networkPolicy.${name}[${i}]`, ctx) ?? []);
    const config = { ingressFrom: peers(value.ingressFrom, "ingressFrom"), dnsTo: peers(value.dnsTo, "dnsTo"), egressTo: value.egressTo };
    cutOffIssues(value, needs, ctx);
    return config;
}
