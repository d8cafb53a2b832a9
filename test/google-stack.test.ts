import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { parseConfig } from "../components/config";
import { parseTier } from "../components/config/sections/cloudsql/gcpValues";
import { proxyArgs, workloadIdentityMember } from "../components/database/cloudSqlProxy";
import { gcpLabelValue } from "../components/database/cloudSqlInstance";
import { google } from "./support/configCases";
import { isSecretWrapper, resolveOutputs, revealSecrets, type ProgramRun } from "../scripts/lib/mockEngine";
import {
    all,
    assertGoldenUrns,
    one,
    podSpecOf,
    run,
    runStack,
    sourceOf,
    stackConfig,
    withChanges,
    workloads,
    matomoWorkloads,
    podLabelsOf,
    type Container,
} from "./support/harness";

type Obj = Record<string, any>;
const INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance";
const KSA = "kubernetes:core/v1:ServiceAccount";

const isProxy = (c: Container) => c.name === "cloud-sql-proxy";

describe("the prod stack (Google topology)", () => {
    let prod: ProgramRun;
    before(async () => {
        prod = await runStack("prod");
    });

    describe("Cloud SQL", () => {
        let instance: Obj;
        before(() => {
            instance = one(prod, INSTANCE).inputs;
        });

        it("creates a MySQL 8 instance with an explicit edition and tier", () => {
            assert.equal(instance.databaseVersion, "MYSQL_8_0");
            assert.equal(instance.settings.edition, "ENTERPRISE");
            assert.equal(instance.settings.tier, "db-custom-4-16384");
            assert.equal(instance.project, "acme-analytics-prod");
            assert.equal(instance.region, "europe-west1");
        });

        it("is highly available, with backups kept at least 14 days and binary logging for point-in-time recovery", () => {
            assert.equal(instance.settings.availabilityType, "REGIONAL");
            const backups = instance.settings.backupConfiguration;
            assert.equal(backups.enabled, true);
            assert.equal(backups.binaryLogEnabled, true);
            assert.ok(backups.backupRetentionSettings.retainedBackups >= 14);
        });

        it("is protected from deletion in Pulumi and in GCP", () => {
            assert.equal(instance.deletionProtection, true);
            assert.equal(instance.settings.deletionProtectionEnabled, true);
            assert.equal(one(prod, "gcp:sql/database:Database").inputs.deletionPolicy, "ABANDON");
        });

        it("accepts only encrypted connections through the Auth Proxy, on a private IP", () => {
            assert.equal(instance.settings.connectorEnforcement, "REQUIRED");
            assert.deepEqual(instance.settings.ipConfiguration, {
                ipv4Enabled: false,
                privateNetwork: "projects/acme-analytics-prod/global/networks/analytics",
                sslMode: "ENCRYPTED_ONLY",
            });
        });

        it("sets the database flags Matomo needs, Query Insights and a maintenance window", () => {
            const flags = Object.fromEntries(instance.settings.databaseFlags.map((f: Obj) => [f.name, f.value]));
            assert.ok(Number(flags.max_allowed_packet) >= 64 * 2 ** 20);
            assert.equal(flags.local_infile, "off");
            assert.equal(instance.settings.insightsConfig.queryInsightsEnabled, true);
            assert.deepEqual(instance.settings.maintenanceWindow, { day: 7, hour: 2, updateTrack: "stable" });
        });

        it("creates Matomo's utf8mb4 database and its user with a generated password", () => {
            const database = one(prod, "gcp:sql/database:Database").inputs;
            assert.equal(database.charset, "utf8mb4");
            assert.equal(database.collation, "utf8mb4_0900_ai_ci");
            assert.equal(database.name, "matomo");
            const user = one(prod, "gcp:sql/user:User").inputs;
            assert.equal(user.name, "matomo");
            assert.equal(user.host, "%");
            assert.ok(isSecretWrapper(user.password), "the password is a secret input");
            assert.ok(all(prod, "random:index/randomPassword:RandomPassword").some((r) => r.name === "credentials-database-password"));
            assert.equal(
                all(prod, "random:index/randomPassword:RandomPassword").some((r) => r.name.includes("root")),
                false,
            );
        });
    });

    describe("identity", () => {
        it("gives the proxy a Google service account allowed to connect to this instance only", () => {
            const account = one(prod, "gcp:serviceaccount/account:Account");
            assert.equal(account.inputs.accountId, "matomo-prod");
            const client = one(prod, "gcp:projects/iAMMember:IAMMember").inputs;
            assert.equal(client.role, "roles/cloudsql.client");
            assert.equal(client.member, account.state.member);
            assert.equal(
                client.condition.expression,
                `resource.name == "projects/acme-analytics-prod/instances/${one(prod, INSTANCE).state.name}"`,
            );
        });

        it("binds the Kubernetes service account to it with Workload Identity", () => {
            const account = one(prod, "gcp:serviceaccount/account:Account");
            const ksa = one(prod, KSA).inputs;
            assert.equal(ksa.metadata.annotations["iam.gke.io/gcp-service-account"], account.state.email);
            const binding = one(prod, "gcp:serviceaccount/iAMMember:IAMMember").inputs;
            assert.equal(binding.role, "roles/iam.workloadIdentityUser");
            assert.equal(binding.serviceAccountId, account.state.name);
            assert.equal(binding.member, `serviceAccount:acme-analytics-prod.svc.id.goog[matomo/${ksa.metadata.name}]`);
            assert.equal(all(prod, "gcp:serviceaccount/key:Key").length, 0, "no key file with Workload Identity");
        });
    });

    describe("Matomo pods", () => {
        it("carry the proxy as a native, probed sidecar and run as the bound service account", () => {
            // Every Matomo pod but the log fetch, which only copies files from the log hosts.
            const dbPods = matomoWorkloads(prod).filter((w) => podLabelsOf(w)["app.kubernetes.io/component"] !== "log-sync");
            const cronJobs = dbPods.filter((w) => w.type === "kubernetes:batch/v1:CronJob").map((w) => w.inputs.metadata.name as string);
            assert.deepEqual(cronJobs.sort(), [
                "matomo-archive-main-site",
                "matomo-archive-other-sites",
                "matomo-delete-data",
                "matomo-log-import",
                "matomo-scheduled-tasks",
            ]);
            const connectionName = one(prod, INSTANCE).state.connectionName;
            for (const w of dbPods) {
                const pod = podSpecOf(w);
                const proxy = (pod.initContainers ?? []).find(isProxy);
                assert.ok(proxy, `${w.name} has no proxy`);
                assert.equal(proxy.restartPolicy, "Always", "a native sidecar");
                assert.equal((pod.initContainers ?? [])[0].name, "cloud-sql-proxy", "started before anything else");
                assert.match(proxy.image, /^gcr\.io\/cloud-sql-connectors\/cloud-sql-proxy:2\.\d+\.\d+$/);
                assert.deepEqual((proxy.startupProbe as Obj).httpGet, { path: "/startup", port: "proxy-health" });
                const args = proxy.args as string[];
                for (const flag of ["--port=3306", "--structured-logs", "--health-check", "--exit-zero-on-sigterm", "--private-ip"]) {
                    assert.ok(args.includes(flag), `${flag} missing`);
                }
                assert.equal(args.at(-1), connectionName);
                assert.deepEqual((proxy.securityContext as Obj).capabilities, { drop: ["ALL"] });
                assert.equal(pod.serviceAccountName, one(prod, KSA).inputs.metadata.name);
                assert.ok(!pod.containers.some(isProxy), "never a plain container that keeps Jobs from completing");
            }
        });

        it("point Matomo at the proxy on 127.0.0.1, without LOAD DATA INFILE", () => {
            const secret = one(prod, "kubernetes:core/v1:Secret", "matomo-config");
            const ini = (revealSecrets(secret.inputs.stringData) as Obj)["config.ini.php"] as string;
            assert.match(ini, /^host = "127\.0\.0\.1"$/m);
            assert.match(ini, /^port = 3306$/m);
            assert.match(ini, /^schema = "Mysql"$/m);
            assert.match(ini, /^collation = "utf8mb4_0900_ai_ci"$/m);
            assert.match(ini, /^enable_load_data_infile = 0$/m);
        });

        it("run three web replicas, rolled one by one behind a PodDisruptionBudget", () => {
            const deployment = one(prod, "kubernetes:apps/v1:Deployment", "matomo-web-deployment").inputs;
            assert.equal(deployment.spec.replicas, 3);
            assert.equal(deployment.spec.strategy.type, "RollingUpdate");
            one(prod, "kubernetes:policy/v1:PodDisruptionBudget");
        });

        it("wait for the database, its user and the identity binding before starting", () => {
            const web = one(prod, "kubernetes:apps/v1:Deployment", "matomo-web-deployment");
            for (const type of ["gcp:sql/user:User", "gcp:sql/database:Database", "gcp:serviceaccount/iAMMember:IAMMember"]) {
                assert.ok(web.options.dependsOn.includes(one(prod, type).urn), `no dependency on ${type}`);
            }
        });
    });

    it("creates no MariaDB", () => {
        assert.equal(all(prod, "kubernetes:apps/v1:StatefulSet").length, 0);
        assert.equal(all(prod, "matomo:index:MariaDb").length, 0);
    });

    it("exports the Cloud SQL names, the service account and the web outputs", async () => {
        const outputs = revealSecrets(await resolveOutputs(prod.outputs)) as Obj;
        assert.deepEqual(outputs.cloudSql, {
            connectionName: one(prod, INSTANCE).state.connectionName,
            instanceName: one(prod, INSTANCE).state.name,
            database: "matomo",
            user: "matomo",
        });
        assert.equal(outputs.serviceAccountEmail, "matomo-prod@acme-analytics-prod.iam.gserviceaccount.com");
        assert.equal(outputs.url, "https://analytics.example.com/");
        assert.equal(outputs.databaseHost, "127.0.0.1");
        assert.equal(await pulumi.isSecret(prod.outputs.superuserPassword as pulumi.Output<string>), true);
    });

    it("keeps its resource names (URNs)", () => {
        assertGoldenUrns(prod, "prod");
    });
});

describe("Google topology variants", () => {
    const prodWith = (changes: Parameters<typeof withChanges>[1]) => run(withChanges(stackConfig("prod"), changes), { stack: "prod" });

    it("falls back to a generated key in a Secret when Workload Identity is off", async () => {
        const keyed = await prodWith({ "matomo:cloudsql": { identity: "serviceAccountKey" } });
        const key = one(keyed, "gcp:serviceaccount/key:Key");
        const secret = all(keyed, "kubernetes:core/v1:Secret").find((s) => s.name === "cloudsql-proxy-key")!;
        assert.ok(isSecretWrapper(secret.inputs.data), "the key reaches the cluster only as a secret");
        assert.equal(key.inputs.serviceAccountId, one(keyed, "gcp:serviceaccount/account:Account").state.name);
        assert.equal(all(keyed, "gcp:serviceaccount/iAMMember:IAMMember").length, 0);
        assert.equal(one(keyed, KSA).inputs.metadata.annotations, undefined);
        const pod = podSpecOf(one(keyed, "kubernetes:apps/v1:Deployment", "matomo-web-deployment"));
        const proxy = pod.initContainers!.find(isProxy)!;
        assert.ok((proxy.args as string[]).includes("--credentials-file=/secrets/cloudsql/credentials.json"));
        const volume = pod.volumes!.find((v) => v.name === "cloudsql-key") as Obj;
        assert.equal(volume.secret.secretName, secret.state.metadata.name);
    });

    it("uses an instance managed elsewhere: only the database, the user and the identity are created", async () => {
        const values = {
            ...stackConfig("prod").values,
            "matomo:cloudsql": JSON.stringify({ existingInstance: "legacy-project:us-central1:matomo-prod" }),
        };
        const existing = await run({ values, secretKeys: [] }, { stack: "prod" });
        assert.equal(all(existing, INSTANCE).length, 0);
        assert.equal(one(existing, "gcp:sql/user:User").inputs.instance, "matomo-prod");
        assert.equal(one(existing, "gcp:sql/database:Database").inputs.project, "legacy-project");
        const proxy = podSpecOf(one(existing, "kubernetes:apps/v1:Deployment", "matomo-web-deployment")).initContainers!.find(isProxy)!;
        assert.equal((proxy.args as string[]).at(-1), "legacy-project:us-central1:matomo-prod");
        assert.ok(!(proxy.args as string[]).includes("--private-ip"));
    });

    it("is parsed from gcp:project and gcp:region when matomo:cloudsql leaves them out", () => {
        const { config } = parseConfig(sourceOf(stackConfig("prod"), "prod"));
        const { cloudsql } = google(config!);
        assert.equal(cloudsql.project, "acme-analytics-prod");
        assert.equal(cloudsql.region, "europe-west1");
        assert.equal(cloudsql.workloadIdentityPool, "acme-analytics-prod.svc.id.goog");
        assert.equal(cloudsql.serviceAccountId, "matomo-prod");
    });
});

describe("Cloud SQL configuration errors", () => {
    const prod = stackConfig("prod");
    const cases: [string, Parameters<typeof withChanges>[1], string, string][] = [
        ["MySQL 5.7", { "matomo:cloudsql": { databaseVersion: "MYSQL_5_7" } }, "matomo:cloudsql.databaseVersion", "TEMPORARY TABLE"],
        ["an unknown version", { "matomo:cloudsql": { databaseVersion: "POSTGRES_16" } }, "matomo:cloudsql.databaseVersion", "MYSQL_8_0"],
        ["a tier that does not exist", { "matomo:cloudsql": { tier: "db-large" } }, "matomo:cloudsql.tier", '"db-large"'],
        [
            "a custom tier with too little memory",
            { "matomo:cloudsql": { tier: "db-custom-4-2048" } },
            "matomo:cloudsql.tier",
            "3840-26624 MB",
        ],
        [
            "a custom tier with an odd vCPU count",
            { "matomo:cloudsql": { tier: "db-custom-3-12288" } },
            "matomo:cloudsql.tier",
            "even number",
        ],
        [
            "an Enterprise Plus tier on Enterprise",
            { "matomo:cloudsql": { tier: "db-perf-optimized-N-4" } },
            "matomo:cloudsql.tier",
            "ENTERPRISE_PLUS",
        ],
        ["a zone instead of a region", { "matomo:cloudsql": { region: "europe-west1-b" } }, "matomo:cloudsql.region", "not a zone"],
        ["a bad project ID", { "matomo:cloudsql": { project: "Acme Prod" } }, "matomo:cloudsql.project", "project ID"],
        [
            "a maintenance hour of 24",
            { "matomo:cloudsql": { maintenanceWindow: { hour: 24 } } },
            "matomo:cloudsql.maintenanceWindow.hour",
            "0 to 23",
        ],
        [
            "a maintenance day of 0",
            { "matomo:cloudsql": { maintenanceWindow: { day: 0 } } },
            "matomo:cloudsql.maintenanceWindow.day",
            "1 to 7",
        ],
        [
            "a backup time without minutes",
            { "matomo:cloudsql": { backups: { startTime: "2" } } },
            "matomo:cloudsql.backups.startTime",
            "HH:MM",
        ],
        [
            "a regional instance without binary logs",
            { "matomo:cloudsql": { backups: { binaryLog: false } } },
            "matomo:cloudsql.availabilityType",
            "binaryLog",
        ],
        [
            "too many days of binary logs on Enterprise",
            { "matomo:cloudsql": { backups: { transactionLogRetentionDays: 14 } } },
            "matomo:cloudsql.backups.transactionLogRetentionDays",
            "at most 7",
        ],
        [
            "too small a max_allowed_packet",
            { "matomo:cloudsql": { flags: { max_allowed_packet: "16777216" } } },
            "matomo:cloudsql.flags.max_allowed_packet",
            "at least",
        ],
        [
            "a flag name with capitals",
            { "matomo:cloudsql": { flags: { Max_Connections: "500" } } },
            "matomo:cloudsql.flags.Max_Connections",
            "flag name",
        ],
        ["no IP at all", { "matomo:cloudsql": { privateNetwork: null, publicIp: false } }, "matomo:cloudsql.publicIp", "no IP"],
        [
            "a network that is no VPC path",
            { "matomo:cloudsql": { privateNetwork: "analytics" } },
            "matomo:cloudsql.privateNetwork",
            "projects/",
        ],
        ["an unknown identity mode", { "matomo:cloudsql": { identity: "apiKey" } }, "matomo:cloudsql.identity", "workloadIdentity"],
        [
            "a bad connection name",
            { "matomo:cloudsql": { existingInstance: "matomo-prod" } },
            "matomo:cloudsql.existingInstance",
            "project:region:instance",
        ],
        [
            "instance settings next to an existing instance",
            { "matomo:cloudsql": { existingInstance: "p-123456:europe-west1:db" } },
            "matomo:cloudsql.tier",
            "no effect",
        ],
        [
            "a service account ID that is too short",
            { "matomo:cloudsql": { serviceAccountId: "mat" } },
            "matomo:cloudsql.serviceAccountId",
            "6-30",
        ],
        ["MariaDB settings in a Google stack", { "matomo:mariadb": { storage: "20Gi" } }, "matomo:mariadb", 'topology "google"'],
        ["a typo in a Cloud SQL key", { "matomo:cloudsql": { tire: "db-custom-2-8192" } }, "matomo:cloudsql.tire", 'did you mean "tier"'],
    ];

    for (const [what, changes, key, text] of cases) {
        it(`rejects ${what}, naming ${key}`, () => {
            const { issues } = parseConfig(sourceOf(withChanges(prod, changes), "prod"));
            const issue = issues.find((i) => i.key === key);
            assert.ok(issue, `no issue for ${key}; got ${JSON.stringify(issues)}`);
            assert.ok(issue.message.includes(text), `"${issue.message}" does not mention ${text}`);
        });
    }

    it("rejects a project that is nowhere configured, showing both ways to set it", () => {
        const values = { ...prod.values };
        delete values["gcp:project"];
        const { issues } = parseConfig(sourceOf({ values, secretKeys: [] }, "prod"));
        const issue = issues.find((i) => i.key === "matomo:cloudsql.project");
        assert.ok(issue);
        assert.match(issue.message, /pulumi config set gcp:project/);
    });

    it("rejects a disk autoresize limit below the disk size", () => {
        const { issues } = parseConfig(
            sourceOf(withChanges(prod, { "matomo:cloudsql": { diskSize: 100, diskAutoresizeLimit: 50 } }), "prod"),
        );
        const issue = issues.find((i) => i.key === "matomo:cloudsql.diskAutoresizeLimit");
        assert.match(issue!.message, /got 50 GB, below diskSize \(100 GB\).*raise it above diskSize, or set 0 for no limit/);
    });

    it("rejects Cloud SQL settings in an EEA stack", () => {
        const { issues } = parseConfig(sourceOf(withChanges(stackConfig("dev"), { "matomo:cloudsql": { tier: "db-g1-small" } })));
        assert.ok(issues.some((i) => i.key === "matomo:cloudsql" && i.message.includes('topology "eea"')));
    });

    it("rejects a stack name that makes no valid default service account ID", () => {
        const { issues } = parseConfig(sourceOf(prod, "a-very-long-stack-name-for-production"));
        assert.ok(issues.some((i) => i.key === "matomo:cloudsql.serviceAccountId" && i.message.includes("matomo-a-very-long")));
    });
});

describe("Cloud SQL helpers", () => {
    it("know Cloud SQL's tiers and their editions", () => {
        assert.deepEqual(parseTier("db-custom-2-8192"), { edition: "ENTERPRISE", sharedCore: false });
        assert.deepEqual(parseTier("db-perf-optimized-N-8"), { edition: "ENTERPRISE_PLUS", sharedCore: false });
        assert.deepEqual(parseTier("db-g1-small"), { edition: "ENTERPRISE", sharedCore: true });
        assert.equal(typeof parseTier("db-custom-1-3839"), "string");
        assert.equal(typeof parseTier("db-custom-1-3840"), "object");
        assert.equal(typeof parseTier("db-custom-2-13312"), "object", "6.5 GB per vCPU is the maximum");
        assert.equal(typeof parseTier("db-custom-2-13568"), "string");
    });

    it("build the proxy's flags", () => {
        assert.deepEqual(proxyArgs({ connectionName: "p:r:i", privateIp: false }), [
            "--port=3306",
            "--structured-logs",
            "--health-check",
            "--http-address=0.0.0.0",
            "--http-port=9801",
            "--exit-zero-on-sigterm",
            "p:r:i",
        ]);
        const keyed = proxyArgs({ connectionName: "p:r:i", privateIp: true, keyVolume: "k" });
        assert.ok(keyed.includes("--private-ip"));
        assert.ok(keyed.includes("--credentials-file=/secrets/cloudsql/credentials.json"));
    });

    it("name the Workload Identity principal and make GCP label values", () => {
        assert.equal(workloadIdentityMember("p.svc.id.goog", "ns", "ksa"), "serviceAccount:p.svc.id.goog[ns/ksa]");
        assert.equal(gcpLabelValue("Matomo.Prod_1"), "matomo-prod_1");
    });
});

describe("the EEA topology and Cloud SQL", () => {
    it("dev stack pods carry no proxy sidecar", async () => {
        for (const w of workloads(await runStack("dev"))) {
            assert.ok(!(podSpecOf(w).initContainers ?? []).some(isProxy), w.name);
        }
    });
});
