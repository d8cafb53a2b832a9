/**
 * The example stack of topology external, run whole: it deploys no database (no StatefulSet, no
 * claim for one, no Cloud SQL, no proxy), every pod that talks to the database dials `host:port`
 * with the CA mounted, config.ini.php carries Matomo's TLS keys as PHP reads them, and a password
 * kept in a Secret managed elsewhere reaches config.ini.php when a pod starts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prepareWebrootScript } from "../components/matomo/scripts";
import { revealSecrets, type ProgramRun } from "../scripts/lib/mockEngine";
import { all, assertGoldenUrns, one, podSpecOf, run, stackConfig, withChanges, workloads, type Container } from "./support/harness";
import { writeMinimalMatomoCode } from "./support/matomoCodeTree";
import { parseIniWithPhp } from "./support/php";
import { requireBinaries } from "./support/system";
import { EXTERNAL_EXAMPLE } from "./support/variants";

const CA_FILE = "/etc/matomo-database-tls/ca.pem";
type Mount = { name: string; mountPath: string };
const mountsOf = (container: Container) => (container.volumeMounts ?? []) as Mount[];
const configIniOf = (result: ProgramRun) =>
    (revealSecrets(one(result, "kubernetes:core/v1:Secret", "matomo-config").inputs.stringData) as Record<string, string>)[
        "config.ini.php"
    ];
/** Every container of the stack's workloads that is handed the database's address. */
const databaseClients = (result: ProgramRun) =>
    workloads(result).flatMap((w) => {
        const spec = podSpecOf(w);
        return [...(spec.initContainers ?? []), ...spec.containers]
            .filter((c: Container) => (c.env ?? []).some((e) => ["MATOMO_DB_HOST", "BACKUP_DB_HOST"].includes(e.name)))
            .map((c) => ({ workload: w.name, container: c, volumes: spec.volumes ?? [] }));
    });

describe("the external stack (docs example)", () => {
    let example: ProgramRun;
    before(async () => {
        example = await run(stackConfig(EXTERNAL_EXAMPLE));
    });

    it("deploys no database: no StatefulSet, no claim but misc/ and the backups', nothing of Google Cloud, no proxy", () => {
        assert.deepEqual(all(example, "kubernetes:apps/v1:StatefulSet"), []);
        const claims = all(example, "kubernetes:core/v1:PersistentVolumeClaim").map((c) => c.inputs.metadata.name);
        assert.deepEqual(claims.sort(), ["mariadb-backups", "matomo-misc"]);
        assert.deepEqual(
            example.resources.filter((r) => r.type.startsWith("gcp:")),
            [],
        );
        const containers = workloads(example).flatMap((w) => [...(podSpecOf(w).initContainers ?? []), ...podSpecOf(w).containers]);
        assert.ok(!containers.some((c) => c.name === "cloud-sql-proxy" || /mariadbd|mysqld/.test(c.command?.join(" ") ?? "")));
    });

    it("keeps its resource URNs", () => {
        assertGoldenUrns(example, "external");
    });

    it("writes Matomo's TLS keys into [database], as PHP reads them", function () {
        requireBinaries(this, "php");
        const db = parseIniWithPhp(configIniOf(example)).database;
        assert.equal(db.host, "matomo.c9akciq32xyz.eu-west-1.rds.amazonaws.com");
        assert.equal(db.port, "3306");
        assert.equal(db.enable_ssl, "1");
        assert.equal(db.ssl_ca, CA_FILE);
        assert.equal(db.ssl_no_verify, "0");
        assert.equal(db.schema, "Mysql");
    });

    it("mounts the CA into every container that talks to the database, and gives the scripts the TLS settings", () => {
        const clients = databaseClients(example);
        // The install Job's scripts, the backup and the restore; Matomo's own connections follow config.ini.php.
        assert.deepEqual(clients.map((c) => c.workload).sort(), [
            "mariadb-backup-backup",
            "mariadb-backup-restore",
            "matomo-setup-install",
        ]);
        for (const { workload, container, volumes } of clients) {
            const mount = mountsOf(container).find((m) => m.name === "database-ca");
            assert.ok(mount, `${workload}/${container.name} has no CA`);
            assert.ok(volumes.some((v) => v.name === "database-ca"));
            const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
            const [ca, verify] =
                env.MATOMO_DB_HOST !== undefined
                    ? ["MATOMO_DB_SSL_CA", "MATOMO_DB_SSL_VERIFY"]
                    : ["BACKUP_DB_SSL_CA", "BACKUP_DB_SSL_VERIFY"];
            assert.equal(env[ca], CA_FILE, `${workload}/${container.name}`);
            assert.equal(env[verify], "1", `${workload}/${container.name}`);
        }
        for (const w of workloads(example).filter((w) => w.inputs.metadata?.labels?.["app.kubernetes.io/name"] === "matomo")) {
            const main = podSpecOf(w).containers[0];
            assert.ok(
                mountsOf(main).some((m) => m.name === "database-ca" && m.mountPath === "/etc/matomo-database-tls"),
                w.name,
            );
        }
    });

    it("names the system CA bundle when no CA is given, and no TLS at all when it is off", async function () {
        requireBinaries(this, "php");
        const system = await run(withChanges(stackConfig(EXTERNAL_EXAMPLE), { "matomo:external": { tls: { caCertificate: null } } }));
        const db = parseIniWithPhp(configIniOf(system)).database;
        assert.equal(db.ssl_ca, "/etc/ssl/certs/ca-certificates.crt");
        assert.ok(!databaseClients(system).some((c) => mountsOf(c.container).some((m) => m.name === "database-ca")));
        const plain = await run(
            withChanges(stackConfig(EXTERNAL_EXAMPLE), { "matomo:external": { tls: { enabled: false, caCertificate: null } } }),
        );
        assert.equal(parseIniWithPhp(configIniOf(plain)).database.enable_ssl, undefined);
    });

    describe("a password in a Secret managed elsewhere", () => {
        let withSecret: ProgramRun;
        let dir: string;
        before(async function () {
            requireBinaries(this, "php", "sh");
            withSecret = await run(
                withChanges(stackConfig(EXTERNAL_EXAMPLE), {
                    "matomo:external": { password: null, existingSecret: "rds-matomo", existingSecretKey: "db-password" },
                }),
            );
            dir = mkdtempSync(join(tmpdir(), "matomo-external-"));
        });
        after(() => {
            if (dir) rmSync(dir, { recursive: true, force: true });
        });

        it("is neither in config.ini.php nor in a Secret of the stack, and is projected beside the config", () => {
            assert.equal(parseIniWithPhp(configIniOf(withSecret)).database.password, undefined);
            assert.ok(!all(withSecret, "kubernetes:core/v1:Secret").some((s) => s.name === "external-database-credentials"));
            const config = podSpecOf(one(withSecret, "kubernetes:apps/v1:Deployment")).volumes?.find((v) => v.name === "config");
            const sources = (config as { projected: { sources: { secret: { name: string; items: { key: string; path: string }[] } }[] } })
                .projected.sources;
            assert.ok(sources.some((s) => s.secret.name === "rds-matomo" && s.secret.items[0].key === "db-password"));
        });

        it("reaches the copied config.ini.php when a pod starts, where PHP reads it in [database]", () => {
            const [code, webroot, mount] = ["code", "webroot", "mount"].map((d) => join(dir, d));
            writeMinimalMatomoCode(code);
            for (const d of [webroot, mount]) mkdirSync(d, { recursive: true });
            writeFileSync(join(mount, "config.ini.php"), configIniOf(withSecret));
            writeFileSync(join(mount, "database-password"), "s3cret pass/with;symbols'");
            const script = prepareWebrootScript({ databasePassword: true, paths: { code, webroot, configMount: mount } });
            const result = spawnSync("sh", ["-c", script], { encoding: "utf8" });
            assert.equal(result.status, 0, result.stderr);
            const ini = parseIniWithPhp(readFileSync(join(webroot, "config", "config.ini.php"), "utf8"));
            assert.equal(ini.database.password, "s3cret pass/with;symbols'");
            assert.equal(ini.database.host, "matomo.c9akciq32xyz.eu-west-1.rds.amazonaws.com", "merged into the one [database]");
            assert.equal(ini.database.ssl_ca, CA_FILE);
            assert.deepEqual(ini.Plugins.Plugins, ["CoreHome"]);
            assert.ok(!result.stdout.includes("s3cret") && !result.stderr.includes("s3cret"), "never printed");
        });
    });
});
