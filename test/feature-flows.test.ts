/**
 * Every optional feature beside every other (DESIGN.md §8): the "everything on" stacks switch on
 * every optional feature at once. For each of them, the connections every pod needs are derived
 * here from the stack's configuration, independently of what the components declare, and the
 * rendered NetworkPolicies must allow exactly those: each needed connection, and nothing else.
 * Then: every outside destination a stack can name is used by one of these stacks, and every
 * workload any tested stack creates is among theirs, so a new feature cannot stay out of them.
 */
import assert from "node:assert/strict";
import { parseConfig, type MatomoConfig } from "../components/config";
import { parseCidr, type Cidr } from "../components/config/schema/cidr";
import type { EgressDestination } from "../components/k8s/egress";
import type { ProgramRun } from "../scripts/lib/mockEngine";
import { podLabelsOf, sourceOf, stackConfig, workloads } from "./support/harness";
import { connectionAllowed, type Endpoint, type Policy } from "./support/networkPolicy";
import { DNS, INGRESS_NGINX, INTERNET, podOf, policiesOf, STRANGER, type PodEndpoint } from "./support/renderedNetwork";
import { EVERYTHING_ON, VARIANTS } from "./support/variants";

/** A connection some pods need: from which pods, to what, on which port. */
interface Need {
    readonly what: string;
    readonly from: (pod: PodEndpoint) => boolean;
    readonly to: Endpoint;
    readonly port: number;
    readonly protocol?: "TCP" | "UDP";
}

const label = (pod: Endpoint, key: string) => ("labels" in pod ? pod.labels[`app.kubernetes.io/${key}`] : undefined);
const matomoPods =
    (...components: string[]) =>
    (pod: PodEndpoint) =>
        label(pod, "name") === "matomo" && components.includes(label(pod, "component")!);
/** Matomo's pods but the log fetch (which only copies files): they use the database and may call the web Service. */
const databaseClients = (pod: PodEndpoint) => label(pod, "name") === "matomo" && label(pod, "component") !== "log-sync";

/** An address inside the block: its second, so that no network address stands in for the block. */
function addressIn(block: string): string {
    const { family, address } = parseCidr(block) as Cidr;
    const value = address + 1n;
    if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join(".");
    return Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(":");
}

/** One need per address of `blocks` (one in each block). */
const toBlocks = (what: string, from: Need["from"], blocks: readonly string[], ports: readonly number[]): Need[] =>
    blocks.flatMap((block) => ports.map((port) => ({ what, from, to: { ip: addressIn(block) }, port })));

/** What the configuration says each pod must be able to reach (and be reached by). */
function needsOf(cfg: MatomoConfig, web: PodEndpoint, database: PodEndpoint | undefined): Need[] {
    const egressTo = cfg.networkPolicy!.egressTo;
    const anyPod = () => true;
    const needs: Need[] = [
        ...[DNS, { ip: "169.254.20.10" }, { ip: "169.254.169.254" }].flatMap((to) =>
            (["UDP", "TCP"] as const).map((protocol) => ({ what: "DNS", from: anyPod, to, port: 53, protocol })),
        ),
        { what: "the web Service", from: databaseClients, to: web, port: web.ports!.http },
    ];
    const backupJobs = (pod: PodEndpoint) => label(pod, "name") === "mariadb" && ["backup", "restore"].includes(label(pod, "component")!);
    if (database) {
        needs.push({ what: "MariaDB", from: (pod) => databaseClients(pod) || backupJobs(pod), to: database, port: 3306 });
    }
    if (cfg.topology === "external") {
        const port = cfg.external.port;
        needs.push(...toBlocks("the database server", (pod) => databaseClients(pod) || backupJobs(pod), egressTo.database, [port]));
    }
    if (cfg.topology === "google") {
        needs.push(
            ...toBlocks("Cloud SQL", databaseClients, egressTo.cloudSql, [3307]),
            ...toBlocks("Google's APIs", databaseClients, egressTo.googleApis, [443]),
            { what: "the metadata server", from: databaseClients, to: { ip: "169.254.169.254" }, port: 80 },
            { what: "the GKE metadata server", from: databaseClients, to: { ip: "169.254.169.252" }, port: 988 },
        );
    }
    if (cfg.mail) needs.push(...toBlocks("mail", matomoPods("web", "scheduled-tasks"), egressTo.smtp, [cfg.mail.port]));
    if (cfg.ldap) {
        const ports = [...new Set(cfg.ldap.servers.map((s) => s.port))];
        needs.push(...toBlocks("LDAP", matomoPods("web", "ldap-sync"), egressTo.ldap, ports));
    }
    if (cfg.geoip) needs.push(...toBlocks("MaxMind", (pod) => label(pod, "name") === "geoipupdate", egressTo.maxmind, [443]));
    for (const source of cfg.logImport?.sources ?? []) {
        const sync = matomoPods("log-sync");
        if (/^[\d.]+$|:/.test(source.host))
            needs.push({ what: `log host ${source.host}`, from: sync, to: { ip: source.host }, port: source.port });
        else needs.push(...toBlocks(`log host ${source.host}`, sync, egressTo.logSources, [source.port]));
    }
    const offsite =
        cfg.topology === "eea" ? cfg.mariadb.backup?.offsite : cfg.topology === "external" ? cfg.external.backup?.offsite : undefined;
    if (offsite) {
        const port = offsite.endpoint && new URL(offsite.endpoint).port ? Number(new URL(offsite.endpoint).port) : 443;
        const backup = (pod: PodEndpoint) => label(pod, "name") === "mariadb" && label(pod, "component") === "backup";
        needs.push(...toBlocks("the off-site copy", backup, egressTo.offsite, [port]));
    }
    return needs;
}

/** The scraper's pods, which scrape the web pods' metrics, and a pod beside them in their namespace, which scrapes only when any pod there may. */
function scrapersOf(cfg: MatomoConfig): { peer: PodEndpoint; scrapes: boolean }[] {
    if (!cfg.monitoring) return [];
    const { namespace, podLabels } = cfg.monitoring.scraper;
    return [
        { peer: { namespace, labels: { ...podLabels } }, scrapes: true },
        { peer: { namespace, labels: { app: "grafana" } }, scrapes: Object.keys(podLabels).length === 0 },
    ];
}

/** The same connection: same peer (pod labels and namespace, or address), port and protocol. */
const samePeer = (a: Endpoint, b: Endpoint) =>
    JSON.stringify("ip" in a ? a.ip : [a.namespace, a.labels]) === JSON.stringify("ip" in b ? b.ip : [b.namespace, b.labels]);

/** Every connection each pod of the render may open or accept, against what it needs: the differences. */
function mismatches(r: ProgramRun, cfg: MatomoConfig): string[] {
    const policies: Policy[] = policiesOf(r);
    const pods = workloads(r).map(podOf);
    const web = pods.find((p) => label(p, "component") === "web")!;
    const database = pods.find((p) => label(p, "component") === "database" && label(p, "name") === "mariadb");
    const needs = needsOf(cfg, web, database);
    const probes = [
        ...needs.map((n) => ({ to: n.to, port: n.port, protocol: n.protocol ?? "TCP" })),
        // Places nothing needs, on every port something needs and on the usual ones.
        ...[INTERNET, { ip: "2001:db8:ffff::7" }, STRANGER].flatMap((to) =>
            [...new Set([...needs.map((n) => n.port), 22, 25, 80, 443, 3306, 8080])].map((port) => ({ to, port, protocol: "TCP" })),
        ),
        { to: { ip: "8.8.8.8" }, port: 53, protocol: "UDP" },
    ];
    const found: string[] = [];
    if (cfg.monitoring && web.ports!.metrics === undefined) found.push("monitoring is on, and the web pods have no metrics port");
    for (const pod of pods) {
        const name = `${label(pod, "name")}/${label(pod, "component")}`;
        for (const probe of probes) {
            const needed = needs.some(
                (n) => n.from(pod) && samePeer(n.to, probe.to) && n.port === probe.port && (n.protocol ?? "TCP") === probe.protocol,
            );
            if (connectionAllowed(policies, pod, probe.to, probe.port, probe.protocol) !== needed) {
                found.push(
                    `${name} -> ${JSON.stringify("ip" in probe.to ? probe.to.ip : probe.to.labels)}:${probe.port}/${probe.protocol}: ${needed ? "needed, denied" : "allowed, not needed"}`,
                );
            }
        }
        // Into the pod: the ingress controller to the web pods' port, the scraper to their metrics
        // port (another pod of its namespace only when no pod labels are given), nothing from another namespace.
        for (const port of Object.values(pod.ports ?? {})) {
            const fromIngress = pod === web && port === web.ports!.http;
            if (connectionAllowed(policies, INGRESS_NGINX, pod, port) !== fromIngress) found.push(`ingress controller -> ${name}:${port}`);
            if (connectionAllowed(policies, STRANGER, pod, port)) found.push(`another namespace -> ${name}:${port}`);
            for (const { peer, scrapes } of scrapersOf(cfg)) {
                const allowed = scrapes && pod === web && port === web.ports!.metrics;
                if (connectionAllowed(policies, peer, pod, port) !== allowed) found.push(`${JSON.stringify(peer)} -> ${name}:${port}`);
            }
        }
    }
    return found;
}

const configOf = (file: string): MatomoConfig => {
    const { config, issues } = parseConfig(sourceOf(stackConfig(file)));
    assert.deepEqual(issues, []);
    return config!;
};

describe("every feature beside every other: the connections of the everything-on stacks", () => {
    for (const [name, file] of Object.entries(EVERYTHING_ON)) {
        it(`${name}: the NetworkPolicies allow each connection a feature needs, and nothing else`, async () => {
            const found = mismatches(await VARIANTS[name](), configOf(file));
            assert.deepEqual(found, [], found.join("\n"));
        });
    }

    it("use every outside destination a stack can name", () => {
        const configs = Object.values(EVERYTHING_ON).map(configOf);
        const unused = Object.keys(configs[0].networkPolicy!.egressTo).filter(
            (destination) =>
                !configs.some((cfg) => {
                    const needs = needsOf(cfg, { namespace: "n", labels: {}, ports: { http: 80 } }, undefined);
                    const blocks = cfg.networkPolicy!.egressTo[destination as EgressDestination];
                    return needs.some((n) => "ip" in n.to && blocks.some((b) => addressIn(b) === (n.to as { ip: string }).ip));
                }),
        );
        assert.deepEqual(unused, [], "each destination joins an everything-on stack with the feature that dials it");
    });

    it("create every workload any tested stack creates", async () => {
        // Archivers are named per stack (archive, archive-<name>): one kind of workload.
        const kinds = async (r: ProgramRun) =>
            workloads(r).map((w) => {
                const labels = podLabelsOf(w);
                return `${labels["app.kubernetes.io/name"]}/${(labels["app.kubernetes.io/component"] ?? "").replace(/^archive-.*/, "archive")}`;
            });
        const everything = new Set(
            (await Promise.all(Object.keys(EVERYTHING_ON).map(async (name) => kinds(await VARIANTS[name]())))).flat(),
        );
        const missing = new Set<string>();
        for (const variant of Object.values(VARIANTS))
            for (const kind of await kinds(await variant())) if (!everything.has(kind)) missing.add(kind);
        assert.deepEqual([...missing], [], "a workload no everything-on stack creates: switch its feature on there");
    });
});
