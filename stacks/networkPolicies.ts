/**
 * Who talks to whom in an installation, as the NetworkPolicies allow it: inside it, Matomo's pods
 * call the web Service and the database when it is a pod of the installation; into it, the
 * ingress controller calls the web pods; out of it, each component's pods open what the component
 * declares (`egress`). Everything else is denied.
 */
import type { MatomoConfig } from "../components/config";
import type { DatabaseEndpoint } from "../components/database/endpoint";
import type { EgressFlow } from "../components/k8s/egress";
import { selectorLabels } from "../components/k8s/labels";
import { webIdentity } from "../components/matomo/web";
import { METRICS_PORT_NAME } from "../components/matomo/webMetrics";
import { NetworkPolicies } from "../components/network/networkPolicies";
import type { Connections, PodSelector } from "../components/network/policies";
import type { StackContext } from "./context";

/** The connections inside the installation and into it (pure); those out of it are the components' own. */
function connectionsOf(cfg: MatomoConfig, instance: string, database: DatabaseEndpoint): Omit<Connections, "outbound"> {
    const policy = cfg.networkPolicy!;
    const own = { "app.kubernetes.io/instance": instance };
    const web: PodSelector = { matchLabels: selectorLabels(webIdentity(instance)) };
    // Matomo's pods but the log fetch, which only copies files: the web pods, the setup Jobs, the
    // console CronJobs and the log import. They use the database and call the web Service (the
    // archivers and the importer).
    const matomo: PodSelector = {
        matchLabels: { "app.kubernetes.io/name": "matomo", ...own },
        notIn: { "app.kubernetes.io/component": ["log-sync"] },
    };
    const databaseJobs: PodSelector = {
        matchLabels: { "app.kubernetes.io/name": "mariadb", ...own },
        notIn: { "app.kubernetes.io/component": ["database"] },
    };
    const backupOn = cfg.topology === "eea" && cfg.mariadb.backup !== undefined;

    const internal: Connections["internal"][number][] = [
        { name: "web", server: web, port: "http", clients: [{ name: "matomo", pods: matomo }] },
    ];
    if (database.server) {
        internal.push({
            name: "database",
            server: { matchLabels: database.server.podLabels },
            port: database.server.port,
            clients: [{ name: "matomo", pods: matomo }, ...(backupOn ? [{ name: "database-jobs", pods: databaseJobs }] : [])],
        });
    }
    const inbound: Connections["inbound"][number][] = policy.ingressFrom.length
        ? [{ name: "web-from-ingress", server: web, port: "http", from: policy.ingressFrom }]
        : [];
    // The scraper reads the exporter beside each web server; nothing else may.
    if (cfg.monitoring) {
        const { namespace, podLabels } = cfg.monitoring.scraper;
        const from = [{ namespaceLabels: { "kubernetes.io/metadata.name": namespace }, podLabels }];
        inbound.push({ name: "web-metrics-from-scraper", server: web, port: METRICS_PORT_NAME, from });
    }
    return { pods: { matchLabels: own }, dns: policy.dnsTo, internal, inbound };
}

/**
 * The installation's NetworkPolicies, with the connections out of it that the components declared
 * (`egress`); undefined when `securityEnabled` is false.
 */
export function networkPoliciesFor(
    ctx: StackContext,
    database: DatabaseEndpoint,
    egress: readonly EgressFlow[],
): NetworkPolicies | undefined {
    const policy = ctx.cfg.networkPolicy;
    if (!policy) return undefined;
    return new NetworkPolicies("network", {
        namespace: ctx.namespace,
        instance: ctx.instance,
        ...connectionsOf(ctx.cfg, ctx.instance, database),
        egress,
        destinations: policy.egressTo,
    });
}
