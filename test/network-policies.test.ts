/**
 * The NetworkPolicies as a cluster enforces them: the rendered policies of each stack, evaluated
 * with Kubernetes' semantics (test/support/networkPolicy.ts) for the connections that must work
 * and for the ones that must not.
 */
import assert from "node:assert/strict";
import { parseConfig } from "../components/config";
import { revealSecrets, type ProgramRun } from "../scripts/lib/mockEngine";
import { parseIniWithPhp } from "./support/php";
import { all, DEV_EXTRAS, one, podLabelsOf, run, runStack, sourceOf, stackConfig, withChanges, workloads } from "./support/harness";
import { requireBinaries } from "./support/system";
import { connectionAllowed, type Endpoint, type Policy } from "./support/networkPolicy";
import { DNS, INGRESS_NGINX, INTERNET, podOf, policiesOf, STRANGER, type PodEndpoint } from "./support/renderedNetwork";
import { LDAP_VARIANT, VARIANTS } from "./support/variants";

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

/** The pods of the workload whose pods carry `component` (and `name`), with their named ports. */
function pod(r: ProgramRun, component: string, name?: string): PodEndpoint {
    const w = workloads(r).find(
        (w) => podLabelsOf(w)["app.kubernetes.io/component"] === component && (!name || podLabelsOf(w)["app.kubernetes.io/name"] === name),
    );
    assert.ok(w, `no workload with component ${component}`);
    return podOf(w);
}

describe("network policies (dev stack with GeoIP and mail, EEA)", () => {
    let r: ProgramRun;
    let policies: Policy[];
    before(async () => {
        r = await runStack(DEV_EXTRAS);
        policies = policiesOf(r);
    });
    const allowed = (from: Endpoint, to: Endpoint, port: number, protocol?: string) =>
        connectionAllowed(policies, from, to, port, protocol);

    it("let the ingress controller, and no other namespace, reach the web pods on their port", () => {
        const web = pod(r, "web");
        assert.ok(allowed(INGRESS_NGINX, web, web.ports!.http));
        assert.ok(!allowed(STRANGER, web, web.ports!.http));
        assert.ok(!allowed(INGRESS_NGINX, web, 22), "only the web port");
    });

    it("let only Matomo's pods and the backup jobs reach MariaDB", () => {
        const db = pod(r, "database");
        for (const client of ["web", "install", "upgrade", "archive", "scheduled-tasks", "delete-data"])
            assert.ok(allowed(pod(r, client), db, 3306), client);
        assert.ok(allowed(pod(r, "backup", "mariadb"), db, 3306));
        assert.ok(allowed(pod(r, "restore", "mariadb"), db, 3306));
        for (const outsider of [STRANGER, INGRESS_NGINX, pod(r, "geoip")])
            assert.ok(!allowed(outsider, db, 3306), JSON.stringify(outsider));
    });

    it("let the archivers call the web Service, and deny the database any way out", () => {
        const web = pod(r, "web");
        assert.ok(allowed(pod(r, "archive"), web, web.ports!.http));
        assert.ok(!allowed(pod(r, "database"), INTERNET, 443));
        assert.ok(!allowed(pod(r, "database"), web, web.ports!.http));
    });

    it("let every pod query DNS, and each reach only its own outside destination", () => {
        for (const w of workloads(r)) {
            const labels = podLabelsOf(w);
            const p = { namespace: w.inputs.metadata.namespace as string, labels };
            assert.ok(allowed(p, DNS, 53, "UDP") && allowed(p, DNS, 53, "TCP"), w.name);
            assert.ok(allowed(p, { ip: "169.254.20.10" }, 53, "UDP"), `${w.name}: NodeLocal DNSCache`);
            assert.ok(!allowed(p, { ip: "8.8.8.8" }, 53, "UDP") && !allowed(p, STRANGER, 53, "UDP"), `${w.name}: only the cluster's DNS`);
        }
        assert.ok(allowed(pod(r, "web"), INTERNET, 587), "mail to the SMTP server's port");
        assert.ok(allowed(pod(r, "scheduled-tasks"), INTERNET, 587), "scheduled reports");
        for (const quiet of ["archive", "install", "upgrade", "delete-data"])
            assert.ok(!allowed(pod(r, quiet), INTERNET, 587), `${quiet} sends no mail`);
        assert.ok(!allowed(pod(r, "web"), INTERNET, 443), "Matomo itself never calls out on 443");
        assert.ok(allowed(pod(r, "geoip"), INTERNET, 443), "MaxMind");
        assert.ok(allowed(pod(r, "geoip"), { ip: "2001:db8::443" }, 443), "MaxMind over IPv6");
        assert.ok(allowed(pod(r, "web"), { ip: "2001:db8::25" }, 587), "an SMTP server over IPv6");
        assert.ok(!allowed(pod(r, "geoip"), INTERNET, 587));
        assert.ok(!allowed(pod(r, "backup", "mariadb"), INTERNET, 443), "no off-site copy configured");
    });

    it("leave pods of other installations in the namespace alone (cert-manager's solvers)", () => {
        const solver: Endpoint = { namespace: pod(r, "web").namespace, labels: { "acme.cert-manager.io/http01-solver": "true" } };
        assert.ok(allowed(STRANGER, solver, 8089));
    });
});

describe("network policies (prod stack, Google)", () => {
    let r: ProgramRun;
    let policies: Policy[];
    before(async () => {
        r = await runStack("prod");
        policies = policiesOf(r);
    });
    const allowed = (from: Endpoint, to: Endpoint, port: number) => connectionAllowed(policies, from, to, port);

    it("let the proxy sidecars reach the Cloud SQL instance the stack creates, Google's APIs and the GKE metadata server", () => {
        const instance = one(r, "gcp:sql/databaseInstance:DatabaseInstance").state.privateIpAddress as string;
        assert.match(instance, /^10\./, "the private IP the proxy dials with --private-ip");
        for (const client of ["web", "archive-main-site", "log-import"]) {
            const p = pod(r, client);
            assert.ok(allowed(p, { ip: instance }, 3307), client);
            assert.ok(!allowed(p, INTERNET, 3307) && !allowed(p, { ip: "10.91.0.1" }, 3307), `${client}: the instance's address alone`);
            assert.ok(
                allowed(p, { ip: "199.36.153.9" }, 443) && allowed(p, { ip: "2600:2d00:2:2000::9" }, 443),
                `${client}: private.googleapis.com`,
            );
            assert.ok(!allowed(p, INTERNET, 443), `${client}: Google's APIs through Private Google Access only`);
            assert.ok(allowed(p, { ip: "169.254.169.254" }, 80), client);
            assert.ok(allowed(p, { ip: "169.254.169.252" }, 988), client);
        }
    });

    it("keep the proxy's health port closed to the cluster", () => {
        const web = pod(r, "web");
        assert.equal(web.ports!.http !== undefined, true);
        assert.ok(!allowed(STRANGER, web, 9090));
        assert.ok(!allowed(INGRESS_NGINX, web, 9090));
    });

    it("let only the log fetch reach the log hosts' SSH port", () => {
        assert.ok(allowed(pod(r, "log-sync"), INTERNET, 2222));
        assert.ok(!allowed(pod(r, "log-sync"), INTERNET, 3307), "the fetch has no database");
        assert.ok(!allowed(pod(r, "web"), INTERNET, 2222));
    });
});

describe("network policies, switched and tuned", () => {
    /** config.ini.php's [General] enable_internet_features, as PHP reads it (undefined: Matomo's default, on). */
    const internetFeatures = (r: ProgramRun) =>
        parseIniWithPhp(
            (revealSecrets(one(r, "kubernetes:core/v1:Secret", "matomo-config").inputs.stringData) as Record<string, string>)[
                "config.ini.php"
            ],
        ).General.enable_internet_features;

    it("are all gone with securityEnabled false, and Matomo may reach the internet again", async function () {
        requireBinaries(this, "php");
        const off = await run(withChanges(stackConfig(DEV_EXTRAS), { "matomo:securityEnabled": "false" }));
        assert.equal(all(off, NETWORK_POLICY).length, 0);
        assert.equal(internetFeatures(off), undefined);
        const on = await runStack(DEV_EXTRAS);
        assert.ok(all(on, NETWORK_POLICY).length >= 6);
        assert.equal(internetFeatures(on), "0", "no page waits for a connection the policies drop");
    });

    it("let the web pods and the LDAP sync, and no other pod, reach the LDAP servers on LDAPS's port", async () => {
        const ldap = await LDAP_VARIANT();
        const server = { ip: "192.0.2.7" };
        for (const client of ["web", "ldap-sync"]) assert.ok(connectionAllowed(policiesOf(ldap), pod(ldap, client), server, 636), client);
        assert.ok(!connectionAllowed(policiesOf(ldap), pod(ldap, "web"), server, 389), "only the port the plugin dials");
        assert.ok(!connectionAllowed(policiesOf(ldap), pod(ldap, "web"), INTERNET, 636), "only the servers' blocks");
        for (const other of ["archive", "scheduled-tasks", "install", "geoip"])
            assert.ok(!connectionAllowed(policiesOf(ldap), pod(ldap, other), server, 636), other);
    });

    it("allow a log host given as an address as itself only", async () => {
        const ip = await VARIANTS["dev with log import on a pinned ReadWriteOnce volume"]();
        const sync = pod(ip, "log-sync");
        assert.ok(connectionAllowed(policiesOf(ip), sync, { ip: "10.0.0.5" }, 22));
        assert.ok(!connectionAllowed(policiesOf(ip), sync, { ip: "10.0.0.6" }, 22));
    });

    it("narrow an outside destination to the configured blocks, and DNS to the configured peers", async () => {
        const tuned = await run(
            withChanges(stackConfig(DEV_EXTRAS), {
                "matomo:networkPolicy": {
                    egressTo: { smtp: ["192.0.2.0/24"] },
                    dnsTo: [{ namespaceLabels: { "kubernetes.io/metadata.name": "kube-system" }, podLabels: { "k8s-app": "kube-dns" } }],
                },
            }),
        );
        const policies = policiesOf(tuned);
        const web = pod(tuned, "web");
        assert.ok(connectionAllowed(policies, web, { ip: "192.0.2.25" }, 587));
        assert.ok(!connectionAllowed(policies, web, INTERNET, 587));
        assert.ok(connectionAllowed(policies, web, DNS, 53, "UDP"));
        assert.ok(!connectionAllowed(policies, web, { ip: "8.8.8.8" }, 53, "UDP"));
    });
});

describe("network policies for a Cloud SQL instance managed elsewhere", () => {
    // The prod stack's cloudsql section without its instance settings, which a managed instance has none of.
    const existing = (changes: Parameters<typeof withChanges>[1] = {}) =>
        withChanges(withChanges(stackConfig("prod"), { "matomo:cloudsql": null }), {
            "matomo:cloudsql": { existingInstance: "acme-analytics-prod:europe-west1:shared-mysql" },
            ...changes,
        });

    it("let the proxies reach it through the blocks the stack names", async () => {
        const r = await run(existing({ "matomo:networkPolicy": { egressTo: { cloudSql: ["10.91.4.0/24"] } } }), { stack: "prod" });
        const web = pod(r, "web");
        assert.ok(connectionAllowed(policiesOf(r), web, { ip: "10.91.4.3" }, 3307));
        assert.ok(!connectionAllowed(policiesOf(r), web, { ip: "10.91.5.3" }, 3307));
    });

    it("refuse blocks for an instance the stack creates, whose own address is allowed", () => {
        const found = parseConfig(
            sourceOf(withChanges(stackConfig("prod"), { "matomo:networkPolicy": { egressTo: { cloudSql: ["10.0.0.0/8"] } } }), "prod"),
        ).issues.map((i) => `${i.key}: ${i.message}`);
        assert.ok(
            found.some((i) => /egressTo\.cloudSql: has no effect: the stack creates the Cloud SQL instance/.test(i)),
            found.join("\n"),
        );
    });
});

describe("network policies for off-site backups", () => {
    const offsite = (blocks: string[]) =>
        withChanges(stackConfig("dev"), {
            "matomo:mariadb": {
                backup: { offsite: { url: "s3://backups/matomo", endpoint: "https://192.0.2.10:9000", existingSecret: "s3" } },
            },
            "matomo:networkPolicy": { egressTo: { offsite: blocks } },
        });

    it("let the backup job reach the store's port, and nothing else out", async () => {
        const r = await run(offsite(["192.0.2.0/24"]));
        const backup = pod(r, "backup", "mariadb");
        assert.ok(connectionAllowed(policiesOf(r), backup, { ip: "192.0.2.10" }, 9000));
        assert.ok(!connectionAllowed(policiesOf(r), backup, { ip: "192.0.2.10" }, 443));
        assert.ok(
            !connectionAllowed(policiesOf(r), pod(r, "restore", "mariadb"), { ip: "192.0.2.10" }, 9000),
            "the restore reads local dumps",
        );
    });

    it("refuse blocks that leave the store out, and an endpoint whose port cannot be", () => {
        const found = parseConfig(sourceOf(offsite(["198.51.100.0/24"]))).issues.map((i) => `${i.key}: ${i.message}`);
        assert.ok(
            found.some((i) => /egressTo\.offsite: does not cover 192\.0\.2\.10/.test(i)),
            found.join("\n"),
        );
        const badPort = withChanges(stackConfig("dev"), {
            "matomo:mariadb": {
                backup: { offsite: { url: "s3://backups/matomo", endpoint: "https://minio.example.com:99999", existingSecret: "s3" } },
            },
        });
        const issues = parseConfig(sourceOf(badPort)).issues;
        assert.ok(
            issues.some((i) => i.key === "matomo:mariadb.backup.offsite.endpoint" && /expected an http\(s\) URL/.test(i.message)),
            JSON.stringify(issues),
        );
    });
});

describe("network policy settings that would cut off a feature", () => {
    const issues = (changes: Parameters<typeof withChanges>[1], base = DEV_EXTRAS) =>
        parseConfig(sourceOf(withChanges(stackConfig(base), changes))).issues.map((i) => `${i.key}: ${i.message}`);
    const cases: [string, Parameters<typeof withChanges>[1], RegExp][] = [
        [
            "no ingress controller",
            { "matomo:networkPolicy": { ingressFrom: [] } },
            /networkPolicy\.ingressFrom: is empty, so nothing could reach Matomo/,
        ],
        [
            "GKE's Ingress without its front ends",
            { "matomo:ingress": { className: "gce", configuration: null } },
            /35\.191\.0\.0\/16 and 130\.211\.0\.0\/22/,
        ],
        [
            "no block for the SMTP server",
            { "matomo:networkPolicy": { egressTo: { smtp: [] } } },
            /egressTo\.smtp: is empty, which cuts off smtp\.example\.com/,
        ],
        [
            "an SMTP server outside its blocks",
            { "matomo:postfix": { relay: "198.51.100.4" }, "matomo:networkPolicy": { egressTo: { smtp: ["192.0.2.0/24"] } } },
            /egressTo\.smtp: does not cover 198\.51\.100\.4/,
        ],
        [
            "a block for a feature that is off",
            { "matomo:networkPolicy": { egressTo: { googleApis: ["199.36.153.8/30"] } } },
            /egressTo\.googleApis: has no effect/,
        ],
        [
            "host bits in a block",
            { "matomo:networkPolicy": { egressTo: { smtp: ["10.1.2.3/8"] } } },
            /has host bits set; the block is 10\.0\.0\.0\/8/,
        ],
        [
            "an except outside its block",
            { "matomo:networkPolicy": { ingressFrom: [{ cidr: "10.0.0.0/8", except: ["192.168.0.0/16"] }] } },
            /ingressFrom\[0\]\.except\[0\]: got 192\.168\.0\.0\/16, which is not strictly inside cidr 10\.0\.0\.0\/8/,
        ],
        [
            "labels and a block in one peer",
            { "matomo:networkPolicy": { ingressFrom: [{ cidr: "10.0.0.0/8", podLabels: { a: "b" } }] } },
            /either pods \(labels\) or an IP block/,
        ],
        [
            "settings without policies",
            { "matomo:securityEnabled": "false", "matomo:networkPolicy": { dnsTo: [] } },
            /networkPolicy: has no effect: matomo:securityEnabled is false/,
        ],
    ];
    for (const [what, changes, expected] of cases) {
        it(`refuses ${what}`, () => {
            const found = issues(changes);
            assert.ok(
                found.some((i) => expected.test(i)),
                found.join("\n"),
            );
        });
    }

    it("accepts GKE's Ingress with Google's front ends", () => {
        const found = issues({
            "matomo:ingress": { className: "gce", configuration: null },
            "matomo:networkPolicy": { ingressFrom: [{ cidr: "35.191.0.0/16" }, { cidr: "130.211.0.0/22" }] },
        });
        assert.deepEqual(found, []);
    });
});
