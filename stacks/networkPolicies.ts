/**
 * Who talks to whom in an installation, as the NetworkPolicies allow it: the connections follow
 * from the config (which features are on) and the database (a pod of the installation, or Cloud SQL
 * behind the proxy sidecar). Everything else is denied.
 */
import type { MatomoConfig } from "../components/config";
import { parseIp } from "../components/config/schema/cidr";
import type { DatabaseEndpoint } from "../components/database/endpoint";
import { selectorLabels } from "../components/k8s/labels";
import { webIdentity } from "../components/matomo/web";
import { NetworkPolicies } from "../components/network/networkPolicies";
import type { Connections, PodSelector } from "../components/network/policies";
import type { StackContext } from "./context";

/** GKE's metadata server, which Workload Identity needs: port 80, and 988 on Dataplane V2 (and node-local). */
const METADATA_SERVER = { cidrs: ["169.254.169.254/32"], port: 80 } as const;
const GKE_METADATA_SERVER = { cidrs: ["169.254.169.252/32", "127.0.0.1/32"], port: 988 } as const;

/** The port of an off-site endpoint URL; 443 for AWS S3 and GCS. */
function offsitePort(endpoint: string | undefined): number {
    if (!endpoint) return 443;
    const url = new URL(endpoint);
    return url.port ? Number(url.port) : url.protocol === "http:" ? 80 : 443;
}

/** The connections of an installation (pure). */
function connectionsOf(cfg: MatomoConfig, instance: string, database: DatabaseEndpoint): Connections {
    const policy = cfg.networkPolicy!;
    const own = { "app.kubernetes.io/instance": instance };
    const web: PodSelector = { matchLabels: selectorLabels(webIdentity(instance)) };
    // Matomo's pods but the log fetch, which only copies files: the web pods, the setup Jobs, the
    // console CronJobs and the log import. They use the database, call the web Service (the
    // archivers and the importer) and send mail (the web pods and the scheduled tasks).
    const matomo: PodSelector = {
        matchLabels: { "app.kubernetes.io/name": "matomo", ...own },
        notIn: { "app.kubernetes.io/component": ["log-sync"] },
    };
    const databaseJobs: PodSelector = {
        matchLabels: { "app.kubernetes.io/name": "mariadb", ...own },
        notIn: { "app.kubernetes.io/component": ["database"] },
    };
    const backupOn = cfg.topology === "eea" && cfg.mariadb.backup !== undefined;
    const cidrs = (list: readonly string[]) => list.map((cidr) => ({ cidr }));

    const internal: Connections["internal"][number][] = [
        { name: "web", server: web, port: "http", clients: [{ name: "matomo", pods: matomo }] },
    ];
    const outbound: Connections["outbound"][number][] = [];
    if (database.server) {
        internal.push({
            name: "database",
            server: { matchLabels: database.server.podLabels },
            port: database.server.port,
            clients: [{ name: "matomo", pods: matomo }, ...(backupOn ? [{ name: "database-jobs", pods: databaseJobs }] : [])],
        });
    } else {
        outbound.push(
            { name: "cloud-sql", clients: matomo, to: cidrs(policy.egressTo.cloudSql), ports: [3307] },
            { name: "google-apis", clients: matomo, to: cidrs(policy.egressTo.googleApis), ports: [443] },
        );
        if (cfg.topology === "google" && cfg.cloudsql.identity === "workloadIdentity") {
            outbound.push(
                { name: "metadata-server", clients: matomo, to: cidrs(METADATA_SERVER.cidrs), ports: [METADATA_SERVER.port] },
                { name: "gke-metadata-server", clients: matomo, to: cidrs(GKE_METADATA_SERVER.cidrs), ports: [GKE_METADATA_SERVER.port] },
            );
        }
    }
    if (cfg.mail) outbound.push({ name: "smtp", clients: matomo, to: cidrs(policy.egressTo.smtp), ports: [cfg.mail.port] });
    if (cfg.geoip) {
        outbound.push({
            name: "maxmind",
            clients: { matchLabels: { "app.kubernetes.io/name": "geoipupdate", ...own } },
            to: cidrs(policy.egressTo.maxmind),
            ports: [443],
        });
    }
    cfg.logImport?.sources.forEach((source, i) => {
        const ip = parseIp(source.host);
        outbound.push({
            name: `log-source-${i}`,
            clients: { matchLabels: { "app.kubernetes.io/name": "matomo", "app.kubernetes.io/component": "log-sync", ...own } },
            // A host given as an address is allowed as itself; a name resolves to any of the blocks.
            to: ip ? [{ cidr: `${source.host}/${ip.family === 4 ? 32 : 128}` }] : cidrs(policy.egressTo.logSources),
            ports: [source.port],
        });
    });
    const offsite = cfg.topology === "eea" ? cfg.mariadb.backup?.offsite : undefined;
    if (offsite) {
        outbound.push({
            name: "offsite-backup",
            clients: { matchLabels: { "app.kubernetes.io/name": "mariadb", "app.kubernetes.io/component": "backup", ...own } },
            to: cidrs(policy.egressTo.offsite),
            ports: [offsitePort(offsite.endpoint)],
        });
    }
    return {
        pods: { matchLabels: own },
        dns: policy.dnsTo,
        internal,
        inbound: policy.ingressFrom.length ? [{ name: "web-from-ingress", server: web, port: "http", from: policy.ingressFrom }] : [],
        outbound,
    };
}

/** The installation's NetworkPolicies; undefined when `securityEnabled` is false. */
export function networkPoliciesFor(ctx: StackContext, database: DatabaseEndpoint): NetworkPolicies | undefined {
    if (!ctx.cfg.networkPolicy) return undefined;
    return new NetworkPolicies("network", {
        namespace: ctx.namespace,
        instance: ctx.instance,
        ...connectionsOf(ctx.cfg, ctx.instance, database),
    });
}
