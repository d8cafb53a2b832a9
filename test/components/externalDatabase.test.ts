/** The ExternalDatabase component on its own: what it creates from its args alone, and the endpoint it gives. */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseEndpoint } from "../../components/database/endpoint";
import { ExternalDatabase, type ExternalDatabaseArgs } from "../../components/database/external";
import { revealSecrets } from "../../scripts/lib/mockEngine";
import { buildAlone, INSTALLATION } from "../support/component";
import { all } from "../support/harness";

const PEM = "-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----\n";
const ARGS: ExternalDatabaseArgs = {
    ...INSTALLATION,
    host: "db.example.org",
    port: 3307,
    database: "analytics",
    user: "analytics",
    password: { value: pulumi.secret("user-password-1") },
    collation: "utf8mb4_general_ci",
    tls: { verifyServerCertificate: true, ca: { pem: PEM } },
};

/** Builds the component and hands back its endpoint, resolved inside the run. */
async function build(args: Partial<ExternalDatabaseArgs> = {}) {
    let endpoint: DatabaseEndpoint | undefined;
    const result = await buildAlone(() => {
        endpoint = new ExternalDatabase("external-database", { ...ARGS, ...args }).endpoint;
    });
    return { result, endpoint: endpoint! };
}
const kinds = (result: Awaited<ReturnType<typeof build>>["result"]) =>
    result.resources.map((r) => r.type).filter((t) => t.startsWith("kubernetes:"));

describe("ExternalDatabase", () => {
    it("creates only the password's Secret and the CA's ConfigMap, no workload", async () => {
        const { result, endpoint } = await build();
        assert.deepEqual(kinds(result).sort(), ["kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:Secret"]);
        const [secret] = all(result, "kubernetes:core/v1:Secret");
        assert.deepEqual(revealSecrets(secret.inputs.stringData), { password: "user-password-1" });
        assert.deepEqual(all(result, "kubernetes:core/v1:ConfigMap")[0].inputs.data, { "ca.pem": PEM });
        assert.equal(endpoint.port, 3307);
        assert.equal(endpoint.schema, "Mysql");
        assert.equal(endpoint.loadDataInfile, false);
        assert.equal(endpoint.server, undefined, "nothing in the cluster to allow by pod labels");
        assert.deepEqual(endpoint.tls, { caFile: "/etc/matomo-database-tls/ca.pem", verifyServerCertificate: true });
        assert.deepEqual(endpoint.podPatch.egress, [{ name: "database", to: { destination: "database" }, ports: [3307] }]);
        assert.deepEqual(endpoint.podPatch.volumeMounts, [{ name: "database-ca", mountPath: "/etc/matomo-database-tls", readOnly: true }]);
        assert.deepEqual(endpoint.podPatch.initContainers, []);
    });

    it("names a password and a CA kept elsewhere, creating neither", async () => {
        const { result, endpoint } = await build({
            password: { existingSecret: "rds-matomo", key: "db-password" },
            tls: { verifyServerCertificate: true, ca: { kind: "Secret", name: "rds-ca", key: "bundle.pem" } },
        });
        assert.deepEqual(kinds(result), []);
        assert.equal(endpoint.password, undefined, "config.ini.php gets it when a pod starts");
        assert.equal(endpoint.passwordSecret.key, "db-password");
        assert.deepEqual(endpoint.podPatch.volumes, [
            { name: "database-ca", secret: { secretName: "rds-ca", items: [{ key: "bundle.pem", path: "ca.pem" }] } },
        ]);
    });

    it("checks against the system bundle without a CA, and mounts nothing; no TLS when it is off", async () => {
        const system = (await build({ tls: { verifyServerCertificate: false } })).endpoint;
        assert.deepEqual(system.tls, { caFile: "/etc/ssl/certs/ca-certificates.crt", verifyServerCertificate: false });
        assert.deepEqual(system.podPatch.volumes, []);
        const plain = (await build({ tls: undefined })).endpoint;
        assert.equal(plain.tls, undefined);
    });
});
