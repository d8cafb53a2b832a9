/** The CloudSqlDatabase component on its own: what it creates from its args alone. */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { CloudSqlDatabase, type CloudSqlDatabaseArgs } from "../../components/database/cloudSql";
import type { CloudSqlInstanceSettings } from "../../components/database/cloudSqlInstance";
import { buildAlone, INSTALLATION } from "../support/component";
import { all, one } from "../support/harness";

const INSTANCE: CloudSqlInstanceSettings = {
    databaseVersion: "MYSQL_8_4",
    edition: "ENTERPRISE",
    tier: "db-custom-1-3840",
    availabilityType: "ZONAL",
    diskType: "PD_SSD",
    diskSize: 10,
    diskAutoresize: false,
    diskAutoresizeLimit: 0,
    backups: { enabled: true, binaryLog: false, startTime: "03:30", retainedBackups: 7, transactionLogRetentionDays: 1 },
    maintenanceWindow: { day: 1, hour: 4, updateTrack: "canary" },
    flags: { max_allowed_packet: "67108864" },
    queryInsights: false,
    sslMode: "ENCRYPTED_ONLY",
    connectorEnforcement: "REQUIRED",
    publicIp: true,
};

const ARGS: CloudSqlDatabaseArgs = {
    ...INSTALLATION,
    project: "acme-test",
    region: "europe-north1",
    sqlInstance: { create: INSTANCE },
    deletionProtection: false,
    database: "analytics",
    collation: "utf8mb4_0900_ai_ci",
    user: "analytics",
    password: pulumi.secret("user-password-1"),
    identity: "workloadIdentity",
    serviceAccountId: "analytics-proxy",
    kubernetesServiceAccount: "analytics",
    workloadIdentityPool: "cluster-project.svc.id.goog",
    privateIp: false,
    proxy: {
        image: { reference: "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.25.3", pullPolicy: "IfNotPresent" },
        resources: { requests: { memory: "64Mi", cpu: "50m" }, limits: { memory: "128Mi" } },
    },
};

const build = (args: Partial<CloudSqlDatabaseArgs> = {}) => buildAlone(() => new CloudSqlDatabase("sql", { ...ARGS, ...args }));

describe("CloudSqlDatabase", () => {
    it("creates the instance from its settings, named by Pulumi when no name is given", async () => {
        const instance = one(await build(), "gcp:sql/databaseInstance:DatabaseInstance");
        assert.equal(instance.inputs.name, undefined);
        assert.deepEqual(
            [instance.inputs.databaseVersion, instance.inputs.settings.tier, instance.inputs.region],
            ["MYSQL_8_4", "db-custom-1-3840", "europe-north1"],
        );
        assert.deepEqual(instance.inputs.settings.databaseFlags, [{ name: "max_allowed_packet", value: "67108864" }]);
        assert.deepEqual(instance.inputs.settings.maintenanceWindow, { day: 1, hour: 4, updateTrack: "canary" });
    });

    it("without deletion protection: the instance may be deleted and the database and user are dropped with the stack", async () => {
        const run = await build();
        const instance = one(run, "gcp:sql/databaseInstance:DatabaseInstance").inputs;
        assert.deepEqual([instance.deletionProtection, instance.settings.deletionProtectionEnabled], [false, false]);
        assert.equal(one(run, "gcp:sql/database:Database").inputs.deletionPolicy, "DELETE");
        assert.equal(one(run, "gcp:sql/user:User").inputs.deletionPolicy, undefined);
    });

    it("uses an instance managed elsewhere by name, creating none", async () => {
        const run = await build({ sqlInstance: { existing: "shared-mysql" } });
        assert.equal(all(run, "gcp:sql/databaseInstance:DatabaseInstance").length, 0);
        assert.equal(one(run, "gcp:sql/user:User").inputs.instance, "shared-mysql");
        const condition = one(run, "gcp:projects/iAMMember:IAMMember").inputs.condition.expression;
        assert.equal(condition, 'resource.name == "projects/acme-test/instances/shared-mysql"');
    });

    it("binds the Kubernetes service account through the configured Workload Identity pool", async () => {
        const binding = one(await build(), "gcp:serviceaccount/iAMMember:IAMMember").inputs;
        assert.equal(binding.member, "serviceAccount:cluster-project.svc.id.goog[analytics/analytics]");
    });

    it("mounts a generated key into the proxy only when asked to", async () => {
        let endpoint: CloudSqlDatabase["endpoint"] | undefined;
        const run = await buildAlone(
            () => (endpoint = new CloudSqlDatabase("sql", { ...ARGS, identity: "serviceAccountKey", privateIp: true }).endpoint),
        );
        one(run, "gcp:serviceaccount/key:Key");
        const proxy = endpoint!.podPatch.initContainers[0];
        const args = await new Promise<string[]>((resolve) => pulumi.output(proxy.args!).apply((a) => resolve(a as string[])));
        assert.ok(args.includes("--credentials-file=/secrets/cloudsql/credentials.json"));
        assert.ok(args.includes("--private-ip"));
        assert.equal(endpoint!.podPatch.volumes.length, 1);
    });

    it("hands the proxy image's pull secrets to every pod that carries its sidecar", async () => {
        let endpoint: CloudSqlDatabase["endpoint"] | undefined;
        const image = { ...ARGS.proxy.image, pullSecrets: ["proxy-registry"] };
        await buildAlone(() => (endpoint = new CloudSqlDatabase("sql", { ...ARGS, proxy: { ...ARGS.proxy, image } }).endpoint));
        assert.deepEqual(endpoint!.podPatch.pullSecrets, ["proxy-registry"]);
    });
});
