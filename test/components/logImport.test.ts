/** The LogImport component on its own: the fetch and import jobs, their secrets and their volume, from its args alone. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { LogImport, type LogImportArgs } from "../../components/jobs/logImport";
import { NO_MAINTENANCE } from "../../components/k8s/maintenance";
import { LOG_SCRIPT_FILES, logScriptSource } from "../../components/jobs/scripts";
import { isSecretWrapper, resolveOutputs, type ProgramRun } from "../../scripts/lib/mockEngine";
import { buildAlone, sampleDatabase, sampleWorkload } from "../support/component";
import { all, one, podSpecOf } from "../support/harness";
import { requireBinaries } from "../support/system";
import { assertPlaced, SAMPLE_PLACEMENT } from "../support/placement";

const CRONJOB = "kubernetes:batch/v1:CronJob";
const SOURCE = {
    siteId: 2,
    user: "logs",
    host: "logs.example.com",
    port: 2222,
    path: "/var/log/my site",
    pattern: "access_log.*",
    skipNewest: true,
    settleMinutes: 5,
    delete: true,
};

const FETCH: LogImportArgs["fetch"] = {
    image: { reference: "eeacms/rsync:2.8", pullPolicy: "IfNotPresent" },
    schedule: "5 * * * *",
    resources: { requests: { memory: "64Mi", cpu: "50m" }, limits: { memory: "256Mi" } },
    activeDeadlineSeconds: 3600,
    timeoutSeconds: 120,
    knownHosts: "[logs.example.com]:2222 ssh-ed25519 AAAA",
    verifyHostKeys: true,
};
const IMPORTER: Omit<LogImportArgs["importer"], "credentials"> = {
    image: { reference: "python:3.13-slim", pullPolicy: "IfNotPresent" },
    schedule: "35 * * * *",
    resources: { requests: { memory: "512Mi", cpu: "100m" }, limits: { memory: "1Gi" } },
    activeDeadlineSeconds: 21600,
    options: ["--enable-bots"],
    maxAttempts: 3,
    matomoUrl: "http://matomo.analytics.svc/",
};

let publicKey: pulumi.Output<string> | undefined;

function build(overrides: Partial<LogImportArgs> = {}): Promise<ProgramRun> {
    return buildAlone(() => {
        const { runtime: _, ...workload } = sampleWorkload();
        void _;
        const logs = new LogImport("log-import", {
            ...workload,
            tablesPrefix: "matomo_",
            sources: [SOURCE],
            storage: { size: "5Gi", accessMode: "ReadWriteOnce", retain: true },
            fetch: FETCH,
            importer: {
                ...IMPORTER,
                credentials: { login: "log-import", email: "log-import@stats.example.org", salt: pulumi.secret("salt-1") },
            },
            nodeLabels: { "kubernetes.io/hostname": "node-1" },
            history: {
                ttlSecondsAfterFinished: 86400,
                successfulJobsHistoryLimit: 1,
                failedJobsHistoryLimit: 3,
                startingDeadlineSeconds: 600,
            },
            maintenance: NO_MAINTENANCE,
            ...overrides,
        });
        publicKey = logs.publicKey;
    });
}

/** A Secret's stringData in plain text (the engine receives it as one secret value). */
const stringData = (run: ProgramRun, name: string): Record<string, string> => {
    const data = one(run, "kubernetes:core/v1:Secret", name).inputs.stringData;
    return (isSecretWrapper(data) ? data.value : data) as Record<string, string>;
};
const job = (run: ProgramRun, component: string) =>
    all(run, CRONJOB).find((c) => c.inputs.metadata.labels["app.kubernetes.io/component"] === component)!;
const env = (container: Record<string, any>) =>
    Object.fromEntries((container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));

describe("LogImport", () => {
    it("puts both jobs' pods where the placement says, on the node of nodeLabels", async () => {
        const run = await build({ placement: SAMPLE_PLACEMENT, nodeLabels: { "kubernetes.io/hostname": "node-a" } });
        for (const cronJob of all(run, CRONJOB)) {
            assertPlaced(cronJob);
            assert.equal((podSpecOf(cronJob).nodeSelector as Record<string, string>)["kubernetes.io/hostname"], "node-a");
        }
    });

    let run: ProgramRun;
    before(async () => (run = await build()));

    it("generates an Ed25519 key pair whose public key is the output, and ssh-keygen reads the private key", async function () {
        const key = one(run, "tls:index/privateKey:PrivateKey").inputs;
        assert.equal(key.algorithm, "ED25519");
        const { publicKey: shown } = (await resolveOutputs({ publicKey })) as { publicKey: string };
        assert.match(shown, /^ssh-ed25519 [A-Za-z0-9+/=]+$/);
        requireBinaries(this, "ssh-keygen");
        const secret = stringData(run, "log-import-ssh").id_key;
        const dir = mkdtempSync(join(tmpdir(), "log-key-"));
        try {
            writeFileSync(join(dir, "id"), secret, { mode: 0o600 });
            assert.equal(spawnSync("ssh-keygen", ["-y", "-f", join(dir, "id")], { encoding: "utf8" }).stdout.trim(), shown);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("keeps the logs on a retained claim both jobs mount, on the pinned node", () => {
        const claim = one(run, "kubernetes:core/v1:PersistentVolumeClaim");
        assert.equal(claim.inputs.metadata.name, "matomo-logs");
        assert.equal(claim.options.retainOnDelete, true, "the logs and the import records survive a removal");
        for (const component of ["log-sync", "log-import"]) {
            const pod = podSpecOf(job(run, component)) as Record<string, any>;
            assert.deepEqual(pod.nodeSelector, { "kubernetes.io/hostname": "node-1" });
            assert.equal(pod.securityContext.fsGroup, 33, `${component}: the same group, so neither re-owns the other's files`);
            assert.ok(pod.volumes.some((v: Record<string, any>) => v.persistentVolumeClaim?.claimName === "matomo-logs"));
        }
    });

    it("fetches as nobody with host keys verified, the key a group-readable mounted file", () => {
        const pod = podSpecOf(job(run, "log-sync")) as Record<string, any>;
        assert.equal(pod.securityContext.runAsUser, 65534);
        const container = pod.containers[0];
        const e = env(container);
        assert.equal(e.LOG_SSH_STRICT, "yes");
        assert.equal(e.LOG_SSH_KEY_FILE, "/run/secrets/ssh/id_key");
        assert.equal(e.LOG_SSH_CONFIG_FILE, "", "no ssh_config given");
        assert.deepEqual(pod.volumes.find((v: Record<string, any>) => v.name === "ssh").secret.defaultMode, 0o440);
        const sources = one(run, "kubernetes:core/v1:ConfigMap").inputs.data["sources.tsv"];
        assert.equal(sources, "2\tlogs\tlogs.example.com\t2222\t/var/log/my site\taccess_log.*\ttrue\t5\ttrue\t\n");
    });

    it("ships each script with the files it finds beside it, as they are in the repository", () => {
        const data = one(run, "kubernetes:core/v1:ConfigMap").inputs.data as Record<string, string>;
        for (const file of LOG_SCRIPT_FILES) assert.equal(data[file], logScriptSource(file), file);
    });

    it("grants the import user first, copies the importer from the Matomo image, and keeps the token out of env and URLs", () => {
        const pod = podSpecOf(job(run, "log-import")) as Record<string, any>;
        assert.deepEqual(
            pod.initContainers.map((c: { name: string }) => c.name),
            ["grant-import-user", "copy-importer", "import-records"],
        );
        const grant = env(pod.initContainers[0]);
        assert.equal(grant.MATOMO_IMPORT_SITES, "2");
        assert.equal(grant.MATOMO_TRACKER_CACHE_SECONDS, "300");
        assert.equal(pod.initContainers[1].image, "matomo:5.11.2-apache");
        assert.match(pod.initContainers[1].command.join(" "), /\/usr\/src\/matomo\/misc\/log-analytics\/import_logs\.py/);
        const main = pod.containers[0];
        assert.equal(main.image, "python:3.13-slim");
        const e = env(main);
        assert.equal(e.LOG_MATOMO_URL, "http://matomo.analytics.svc/");
        assert.equal(e.LOG_TOKEN_FILE, "/run/secrets/log-import/token");
        const tokenVolume = pod.volumes.find(
            (v: Record<string, any>) =>
                v.name === main.volumeMounts.find((m: { mountPath: string }) => m.mountPath === "/run/secrets/log-import").name,
        );
        assert.deepEqual(tokenVolume.secret.items, [{ key: "token", path: "token" }], "the importer does not see the salt");
        const { token } = stringData(run, "log-import-token");
        assert.match(token, /^[a-z0-9]{32}$/, "32 letters and digits, as the grant step accepts");
        assert.equal(one(run, "random:index/randomPassword:RandomPassword").inputs.special, false);
        for (const container of [...pod.initContainers, ...pod.containers]) {
            assert.ok(!JSON.stringify(container).includes(token), `${container.name} holds the token`);
        }
    });

    it("ships the grant script with the file it requires from its own directory", () => {
        const data = one(run, "kubernetes:core/v1:ConfigMap").inputs.data as Record<string, string>;
        const required = [...data["grant-import-user.php"].matchAll(/require __DIR__ \. '\/([^']+)'/g)].map((m) => m[1]);
        assert.deepEqual(required, ["database-connection.php"]);
        for (const file of required) assert.ok(file in data, file);
    });

    it("keeps the import records in the database: a sidecar in the Matomo image the import reaches through a shared socket", () => {
        const pod = podSpecOf(job(run, "log-import")) as Record<string, any>;
        const records = pod.initContainers.find((c: { name: string }) => c.name === "import-records");
        assert.equal(records.restartPolicy, "Always", "a native sidecar: it runs beside the import and stops after it");
        assert.equal(records.image, "matomo:5.11.2-apache");
        assert.deepEqual(records.command, ["php", "/etc/log-import/import-records.php"]);
        const [sidecar, main] = [env(records), env(pod.containers[0])];
        assert.equal(sidecar.MATOMO_TABLES_PREFIX, "matomo_");
        assert.equal(sidecar.MATOMO_DB_PASSWORD_FILE, "/run/secrets/matomo-database/password");
        assert.equal(sidecar.LOG_RECORDS_SOCKET, main.LOG_RECORDS_SOCKET);
        assert.equal(sidecar.LOG_STATE_DIR, main.LOG_STATE_DIR, "it reads the records kept on the volume before");
        assert.ok(Number(main.LOG_RECORDS_WAIT_SECONDS) > Number(sidecar.MATOMO_DB_WAIT_SECONDS), "the import outwaits its database wait");
        const mountOf = (c: Record<string, any>, path: string) =>
            c.volumeMounts.find((m: { mountPath: string }) => path.startsWith(m.mountPath));
        assert.equal(mountOf(records, sidecar.LOG_RECORDS_SOCKET).name, mountOf(pod.containers[0], main.LOG_RECORDS_SOCKET).name);
        assert.equal(mountOf(records, sidecar.LOG_STATE_DIR).readOnly, true);
    });

    it("uses a given token without creating a user, and the database's pod patch (the Cloud SQL proxy)", async () => {
        const proxy = { name: "cloud-sql-proxy", image: "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.25.3", restartPolicy: "Always" };
        const given = await build({
            database: sampleDatabase({
                podPatch: { initContainers: [proxy], volumes: [], serviceAccountName: "matomo-cloudsql", egress: [] },
            }),
            importer: { ...IMPORTER, credentials: { token: pulumi.secret("0123456789abcdef0123456789abcdef") } },
        });
        const pod = podSpecOf(job(given, "log-import")) as Record<string, any>;
        assert.deepEqual(
            pod.initContainers.map((c: { name: string }) => c.name),
            ["cloud-sql-proxy", "copy-importer", "import-records"],
        );
        assert.equal(pod.serviceAccountName, "matomo-cloudsql");
        assert.deepEqual(stringData(given, "log-import-token"), { token: "0123456789abcdef0123456789abcdef" }, "no salt without a user");
    });

    it("warns in the fetch when host keys are knowingly not verified", async () => {
        const insecure = await build({ fetch: { ...FETCH, knownHosts: undefined, verifyHostKeys: false } });
        assert.equal(env((podSpecOf(job(insecure, "log-sync")) as Record<string, any>).containers[0]).LOG_SSH_STRICT, "no");
    });

    it("lists the pull secrets of each pod's own images: rsync's in the fetch, Matomo's, the proxy's and Python's in the import", async () => {
        const pulled = (reference: string, name: string) => ({ reference, pullPolicy: "IfNotPresent" as const, pullSecrets: [name] });
        const proxy = { name: "cloud-sql-proxy", image: "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.25.3", restartPolicy: "Always" };
        const given = await build({
            image: pulled("registry.example.com/matomo:5", "matomo-registry"),
            database: sampleDatabase({ podPatch: { initContainers: [proxy], volumes: [], egress: [], pullSecrets: ["proxy-registry"] } }),
            fetch: { ...FETCH, image: pulled("eeacms/rsync:2.8", "rsync-registry") },
            importer: { ...IMPORTER, image: pulled("python:3.13-slim", "python-registry"), credentials: { token: pulumi.secret("t") } },
        });
        const secrets = (run: ProgramRun, component: string) => podSpecOf(job(run, component)).imagePullSecrets;
        assert.deepEqual(secrets(given, "log-sync"), [{ name: "rsync-registry" }]);
        assert.deepEqual(secrets(given, "log-import"), [
            { name: "matomo-registry" },
            { name: "proxy-registry" },
            { name: "python-registry" },
        ]);
        assert.equal(secrets(run, "log-sync"), undefined);
        assert.equal(secrets(run, "log-import"), undefined);
    });
});
