/**
 * Topology external's configuration: what it needs (a host, a password), what the API server or
 * the clients would refuse (host, port, names, the CA's PEM), the TLS combinations that make no
 * sense, the sections of other topologies, and the connection budget held against the declared
 * `max_connections`.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { ExternalConfig, MatomoConfig } from "../components/config";
import { budgetTotal } from "../components/config/sections/connections";
import { checkDatabaseHost, checkPemCertificates } from "../components/config/sections/external";
import { capacityReport, maxConnections } from "../scripts/lib/capacity";
import { parse, type Changes } from "./support/configCases";
import { stackConfig } from "./support/harness";
import { EXTERNAL_EXAMPLE } from "./support/variants";

const example = stackConfig(EXTERNAL_EXAMPLE);
const external = (config: MatomoConfig | undefined): ExternalConfig => {
    assert.equal(config?.topology, "external");
    return config as ExternalConfig;
};
/** The problems of the example stack with changes. */
const issuesOf = (changes: Changes, secretKeys: string[] = []) => parse(changes, example, secretKeys).issues;
/** Asserts the changes are refused with a problem at `key` whose message mentions `text`. */
function assertRefused(changes: Changes, key: string, text: string | RegExp, secretKeys: string[] = []): void {
    const issues = issuesOf(changes, secretKeys);
    const issue = issues.find((i) => i.key === key);
    assert.ok(issue, `no issue for ${key}; got ${JSON.stringify(issues)}`);
    if (typeof text === "string") assert.ok(issue.message.includes(text), `"${issue.message}" does not mention ${text}`);
    else assert.match(issue.message, text);
}

/** The example stack's CA certificate (made by openssl), as a user would paste one. */
const pastedCa = (): string => (JSON.parse(example.values["matomo:external"]) as { tls: { caCertificate: string } }).tls.caCertificate;

describe("topology external: configuration", () => {
    it("resolves the example stack: host, TLS with its CA, backups, and the declared max_connections", () => {
        const { config, issues } = parse({}, example);
        assert.deepEqual(issues, []);
        const x = external(config).external;
        assert.equal(x.host, "matomo.c9akciq32xyz.eu-west-1.rds.amazonaws.com");
        assert.equal(x.port, 3306);
        assert.ok(x.tls?.ca && "pem" in x.tls.ca && x.tls.ca.pem.includes("BEGIN CERTIFICATE"));
        assert.equal(x.tls?.verifyServerCertificate, true);
        assert.equal(x.backup?.image.repository, "mariadb");
        assert.ok("value" in x.password);
        assert.equal(maxConnections(config!), 150);
        assert.match(capacityReport(config!), new RegExp(`total +${budgetTotal(config!.connectionBudget)} ≤ max_connections 150\n`));
        assert.ok(config!.connectionBudget.some((l) => l.what === "database backup"));
    });

    it("needs a host and a password, saying how to set them", () => {
        assertRefused({ "matomo:external": { host: null } }, "matomo:external.host", "pulumi config set --path external.host");
        assertRefused(
            { "matomo:external": { password: null } },
            "matomo:external.password",
            "pulumi config set --secret --path external.password",
        );
    });

    it("takes the password from a Secret managed elsewhere, under a key of its own", () => {
        const { config, issues } = parse(
            { "matomo:external": { password: null, existingSecret: "matomo-db", existingSecretKey: "db-password" } },
            example,
        );
        assert.deepEqual(issues, []);
        assert.deepEqual(external(config).external.password, { existingSecret: "matomo-db", key: "db-password" });
        assertRefused({ "matomo:external": { existingSecret: "matomo-db" } }, "matomo:external.existingSecret", "use one or the other");
        assertRefused(
            { "matomo:external": { existingSecretKey: "x" } },
            "matomo:external.existingSecretKey",
            "has no effect without external.existingSecret",
        );
        assertRefused(
            { "matomo:external": { password: null, existingSecret: "Matomo_DB" } },
            "matomo:external.existingSecret",
            "DNS subdomain",
        );
        assertRefused(
            { "matomo:external": { password: null, existingSecret: "db", existingSecretKey: "a/b" } },
            "matomo:external.existingSecretKey",
            "expected a key",
        );
    });

    it("refuses hosts, ports and names the clients cannot use", () => {
        for (const host of ["mysql://db.example.com", "db.example.com:3306", "Db.Example.com", "db_1.example.com", "user@db"]) {
            assertRefused({ "matomo:external": { host } }, "matomo:external.host", `got "${host}"`);
        }
        for (const port of [0, 65536, "x"]) assertRefused({ "matomo:external": { port } }, "matomo:external.port", "got");
        assertRefused({ "matomo:external": { database: "matomo-db" } }, "matomo:external.database", "letters, digits or underscores");
        assertRefused({ "matomo:external": { user: "a b" } }, "matomo:external.user", "letters, digits or underscores");
        assertRefused({ "matomo:external": { collation: "latin1_swedish_ci" } }, "matomo:external.collation", "utf8mb4");
        assertRefused({ "matomo:external": { password: 'has"quote-inside' } }, "matomo:external.password", "double quote", [
            "matomo:external",
        ]);
    });

    it("takes host names and IPv4 and IPv6 addresses, and nothing with a scheme, port or user", () => {
        for (const host of ["db", "mysql.db.svc.cluster.local", "10.0.0.7", "2001:db8::7"])
            assert.equal(checkDatabaseHost(host), undefined, host);
        fc.assert(
            fc.property(fc.domain(), fc.integer({ min: 1, max: 65535 }), (domain, port) => {
                assert.notEqual(checkDatabaseHost(`${domain}:${port}`), undefined);
                assert.notEqual(checkDatabaseHost(`mysql://${domain}`), undefined);
            }),
        );
    });

    it("reads the CA's PEM with OpenSSL (node:crypto), bundles included, and refuses what it cannot read", () => {
        const ca = pastedCa();
        assert.equal(checkPemCertificates(ca), undefined);
        assert.equal(checkPemCertificates(ca + ca), undefined);
        assert.match(checkPemCertificates("not a certificate") ?? "", /expected PEM text/);
        const broken = ca.replace(/\n[A-Za-z0-9+/]{20}/, "\n####################");
        assert.match(checkPemCertificates(broken) ?? "", /certificate 1 of 1 cannot be read/);
        assertRefused(
            { "matomo:external": { tls: { caCertificate: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" } } },
            "matomo:external.tls.caCertificate",
            "cannot be read",
        );
    });

    it("refuses TLS combinations that leave a setting without effect or name the CA twice", () => {
        assertRefused(
            { "matomo:external": { tls: { caExistingSecret: "db-ca" } } },
            "matomo:external.tls.caExistingSecret",
            "name the CA one way only",
        );
        assertRefused(
            { "matomo:external": { tls: { verifyServerCertificate: false } } },
            "matomo:external.tls.caCertificate",
            "verifyServerCertificate false",
        );
        assertRefused(
            { "matomo:external": { tls: { caKey: "bundle.pem" } } },
            "matomo:external.tls.caKey",
            "has no effect without caExistingSecret",
        );
        assertRefused(
            { "matomo:external": { tls: { enabled: false } } },
            "matomo:external.tls.caCertificate",
            "has no effect while external.tls.enabled is false",
        );
        const { config, issues } = parse(
            { "matomo:external": { tls: { caCertificate: null, caExistingConfigMap: "rds-ca", caKey: "global-bundle.pem" } } },
            example,
        );
        assert.deepEqual(issues, []);
        assert.deepEqual(external(config).external.tls, {
            verifyServerCertificate: true,
            ca: { kind: "ConfigMap", name: "rds-ca", key: "global-bundle.pem" },
        });
        const system = external(parse({ "matomo:external": { tls: { caCertificate: null } } }, example).config).external.tls;
        assert.deepEqual(system, { verifyServerCertificate: true, ca: undefined });
        const plain = external(parse({ "matomo:external": { tls: { enabled: false, caCertificate: null } } }, example).config).external;
        assert.equal(plain.tls, undefined);
    });

    it("requires the database's blocks for the NetworkPolicies, which must hold an address given as host", () => {
        assertRefused({ "matomo:networkPolicy": null }, "matomo:networkPolicy.egressTo.database", "a NetworkPolicy can only allow blocks");
        assertRefused(
            { "matomo:external": { host: "192.168.1.5" } },
            "matomo:networkPolicy.egressTo.database",
            "does not cover 192.168.1.5",
        );
        assert.deepEqual(issuesOf({ "matomo:networkPolicy": null, "matomo:securityEnabled": "false" }), []);
        const eeaIssues = parse({ "matomo:networkPolicy": { egressTo: { database: ["10.0.0.0/8"] } } }).issues;
        assert.ok(eeaIssues.some((i) => i.key === "matomo:networkPolicy.egressTo.database" && i.message.includes('is not "external"')));
    });

    it("refuses the sections of other topologies, and its own on them", () => {
        assertRefused({ "matomo:mariadb": { storage: "5Gi" } }, "matomo:mariadb", 'topology "external" does not use');
        assertRefused({ "matomo:cloudsql": { tier: "db-f1-micro" } }, "matomo:cloudsql", 'topology "external" does not use');
        const onEea = parse({ "matomo:external": { host: "db.example.com" } }).issues;
        assert.ok(
            onEea.some((i) => i.key === "matomo:external" && i.message.includes('set matomo:topology to "external"')),
            JSON.stringify(onEea),
        );
    });

    it("holds the connection budget against the declared max_connections, naming the key", () => {
        const config = parse({}, example).config!;
        const total = budgetTotal(config.connectionBudget);
        assert.deepEqual(issuesOf({ "matomo:external": { maxConnections: total } }), []);
        assertRefused({ "matomo:external": { maxConnections: total - 1 } }, "matomo:external.maxConnections", `at least ${total}`);
        assertRefused({ "matomo:external": { maxConnections: 0 } }, "matomo:external.maxConnections", "got 0");
    });

    it("checks the off-site copy of the backups under its own key", () => {
        assertRefused(
            { "matomo:external": { backup: { offsite: { url: "s3://matomo-backups/db" } } } },
            "matomo:external.backup.offsite.existingSecret",
            "is required for s3://",
        );
        assertRefused(
            { "matomo:external": { backup: { enabled: false } } },
            "matomo:external.backup.keep",
            "has no effect while external.backup.enabled is false",
        );
    });
});
