import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { resolveOutputs, revealSecrets, type ProgramRun } from "../scripts/lib/mockEngine";
import { all, assertGoldenUrns, DEV_EXTRAS, kubernetesResources, one, run, runStack, stackConfig, withChanges } from "./support/harness";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const STATEFULSET = "kubernetes:apps/v1:StatefulSet";
const SECRET = "kubernetes:core/v1:Secret";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
const SERVICE = "kubernetes:core/v1:Service";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const NAMESPACE = "kubernetes:core/v1:Namespace";

type Obj = Record<string, any>;

function configIniOf(result: ProgramRun): string {
    const secret = one(result, SECRET, "matomo-config");
    return (revealSecrets(secret.inputs.stringData) as Obj)["config.ini.php"];
}

describe("the dev stack (EEA topology)", () => {
    let dev: ProgramRun;
    before(async () => {
        dev = await runStack("dev");
    });

    it("creates the namespace with Pod Security restricted enforced", () => {
        const ns = one(dev, NAMESPACE);
        assert.equal(ns.inputs.metadata.name, "matomo-dev");
        assert.equal(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    });

    it("enforces, warns and audits restricted with mail on too (Matomo sends it itself)", async () => {
        const labels = one(await runStack(DEV_EXTRAS), NAMESPACE).inputs.metadata.labels;
        assert.equal(labels["pod-security.kubernetes.io/enforce"], "restricted");
        assert.equal(labels["pod-security.kubernetes.io/warn"], "restricted");
        assert.equal(labels["pod-security.kubernetes.io/audit"], "restricted");
    });

    it("puts every namespaced object into the stack's namespace", () => {
        for (const r of kubernetesResources(dev).filter((r) => r.type !== NAMESPACE)) {
            assert.equal(r.inputs.metadata.namespace, "matomo-dev", r.urn);
        }
    });

    it("labels every object with the recommended app.kubernetes.io labels", () => {
        for (const r of kubernetesResources(dev)) {
            const labels = r.inputs.metadata.labels as Obj;
            for (const key of ["name", "instance", "component", "part-of", "managed-by"]) {
                assert.ok(labels?.[`app.kubernetes.io/${key}`], `${r.urn} lacks app.kubernetes.io/${key}`);
            }
            assert.equal(labels["app.kubernetes.io/instance"], "matomo-dev");
        }
    });

    describe("MariaDB", () => {
        let sts: Obj;
        let container: Obj;
        before(() => {
            sts = one(dev, STATEFULSET).inputs;
            container = sts.spec.template.spec.containers[0];
        });

        it("runs the official mariadb 10.11 image in a one-replica StatefulSet behind a headless Service", () => {
            assert.match(container.image, /^mariadb:10\.11\.\d+$/);
            assert.equal(sts.spec.replicas, 1);
            const service = one(dev, SERVICE, "mariadb-service").inputs;
            assert.equal(service.spec.clusterIP, "None");
            assert.equal(sts.spec.serviceName, service.metadata.name);
            assert.deepEqual(
                service.spec.ports.map((p: Obj) => p.port),
                [3306],
            );
        });

        it("keeps its data on a claim sized by mariadb.storage", () => {
            const [claim] = sts.spec.volumeClaimTemplates;
            assert.equal(claim.spec.resources.requests.storage, "5Gi");
            assert.deepEqual(claim.spec.accessModes, ["ReadWriteOnce"]);
            assert.ok(container.volumeMounts.some((m: Obj) => m.name === claim.metadata.name && m.mountPath === "/var/lib/mysql"));
        });

        it("takes its credentials from the Secret as files, never as plain env values", () => {
            const env = Object.fromEntries(container.env.map((e: Obj) => [e.name, e.value]));
            assert.equal(env.MARIADB_PASSWORD_FILE, "/run/secrets/mariadb/password");
            assert.equal(env.MARIADB_ROOT_PASSWORD_FILE, "/run/secrets/mariadb/root-password");
            assert.equal(env.MARIADB_PASSWORD, undefined);
            assert.equal(env.MARIADB_ROOT_PASSWORD, undefined);
            assert.equal(env.MYSQL_ALLOW_EMPTY_PASSWORD, undefined, 'the image reads "no" as yes');
            assert.equal(env.MARIADB_ROOT_HOST, "localhost");
            assert.equal(env.TZ, "Europe/Copenhagen");
            const volume = sts.spec.template.spec.volumes.find((v: Obj) => v.name === "credentials");
            assert.equal(volume.secret.secretName, one(dev, SECRET, "mariadb-credentials").inputs.metadata.name);
        });

        it("applies every server option, one line each, from a config file the server reads", () => {
            const cnf = one(dev, CONFIGMAP, "mariadb-server-config").inputs.data["matomo.cnf"] as string;
            const lines = cnf.split("\n");
            assert.ok(lines.includes("[mysqld]"));
            for (const expected of [
                "max_allowed_packet = 128M",
                "max_connections = 100",
                "innodb_log_file_size = 256M",
                "innodb_buffer_pool_size = 1408M",
                "query_cache_type = 0",
                "collation_server = utf8mb4_general_ci",
            ]) {
                assert.ok(lines.includes(expected), `missing "${expected}" in\n${cnf}`);
            }
            const mount = container.volumeMounts.find((m: Obj) => m.name === "server-config");
            assert.equal(mount.mountPath, "/etc/mysql/conf.d/matomo.cnf");
            assert.ok(sts.spec.template.metadata.annotations["checksum/server-config"], "a changed config must roll the pod");
        });

        it("probes with the image's healthcheck.sh and allows a long crash recovery", () => {
            assert.deepEqual(container.startupProbe.exec.command, ["healthcheck.sh", "--connect", "--innodb_initialized"]);
            assert.ok(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold >= 1800);
            assert.deepEqual(container.readinessProbe.exec.command.slice(0, 1), ["healthcheck.sh"]);
            assert.deepEqual(container.livenessProbe.exec.command, ["healthcheck.sh", "--connect"]);
        });

        it("sizes the container from mariadb.resources", () => {
            assert.deepEqual(container.resources, { requests: { memory: "1Gi", cpu: "250m" }, limits: { memory: "2Gi" } });
        });

        it("keeps its claim when the StatefulSet is deleted", () => {
            assert.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
        });
    });

    describe("Matomo web", () => {
        let deployment: Obj;
        let pod: Obj;
        let main: Obj;
        before(() => {
            deployment = one(dev, DEPLOYMENT, "matomo-web-deployment").inputs;
            pod = deployment.spec.template.spec;
            main = pod.containers.find((c: Obj) => c.name === "matomo");
        });

        it("runs the official matomo Apache image with matomo.replicaCount replicas", () => {
            assert.match(main.image, /^matomo:5\.\d+\.\d+-apache$/);
            assert.equal(deployment.spec.replicas, 1);
            assert.deepEqual(main.resources, { requests: { memory: "512Mi", cpu: "100m" }, limits: { memory: "1Gi" } });
        });

        it("never keeps code on a volume: the webroot is an emptyDir filled from the image at start", () => {
            const webroot = pod.volumes.find((v: Obj) => v.name === "webroot");
            assert.deepEqual(webroot, { name: "webroot", emptyDir: {} });
            const init = pod.initContainers.find((c: Obj) => c.name === "prepare-webroot");
            assert.equal(init.image, main.image);
            assert.match(init.command.join(" "), /cp -R "\$src\/\." "\$dst\/"/);
            const misc = pod.volumes.find((v: Obj) => v.name === "misc");
            assert.equal(misc.persistentVolumeClaim.claimName, one(dev, PVC, "matomo-misc").inputs.metadata.name);
        });

        it("copies config.ini.php from its Secret into the writable webroot", () => {
            const config = pod.volumes.find((v: Obj) => v.name === "config");
            const secretName = one(dev, SECRET, "matomo-config").state.metadata as Obj;
            assert.deepEqual(config.projected.sources, [
                { secret: { name: secretName.name, items: [{ key: "config.ini.php", path: "config.ini.php" }] } },
            ]);
            const init = pod.initContainers.find((c: Obj) => c.name === "prepare-webroot");
            assert.ok(init.volumeMounts.some((m: Obj) => m.name === "config" && m.readOnly));
            assert.ok(!main.volumeMounts.some((m: Obj) => m.name === "config"), "only the init container reads the Secret");
        });

        it("applies matomo.environment through a php.ini the image loads", () => {
            const php = one(dev, CONFIGMAP, "matomo-php").inputs.data["php.ini"] as string;
            assert.match(php, /^memory_limit = 256M$/m);
            assert.match(php, /^max_execution_time = 300$/m);
            assert.match(php, /^date\.timezone = "Europe\/Copenhagen"$/m);
            const mount = main.volumeMounts.find((m: Obj) => m.name === "php");
            assert.equal(mount.mountPath, "/usr/local/etc/php/conf.d/zz-matomo.ini");
        });

        it("probes /matomo.php, which needs no database, with a startup allowance", () => {
            for (const probe of [main.startupProbe, main.readinessProbe, main.livenessProbe]) {
                assert.deepEqual(probe.httpGet, { path: "/matomo.php", port: "http" });
            }
            assert.ok(main.startupProbe.periodSeconds * main.startupProbe.failureThreshold >= 120);
            assert.ok(main.livenessProbe.periodSeconds * main.livenessProbe.failureThreshold >= 60, "liveness must not flap");
        });

        it("runs as www-data, binding port 80 without root", () => {
            assert.equal(pod.securityContext.runAsUser, 33);
            assert.deepEqual(pod.securityContext.sysctls, [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }]);
            assert.deepEqual(main.ports, [{ name: "http", containerPort: 80, protocol: "TCP" }]);
        });

        it("uses the Recreate strategy with a ReadWriteOnce misc/ volume", () => {
            assert.deepEqual(deployment.spec.strategy, { type: "Recreate" });
        });

        it("waits for the database before it starts", () => {
            const web = one(dev, DEPLOYMENT, "matomo-web-deployment");
            assert.ok(web.options.dependsOn.includes(one(dev, STATEFULSET).urn));
        });

        it("rolls the pods when the generated configuration changes", async () => {
            const changed = await run(withChanges(stackConfig("dev"), { "matomo:matomo": { environment: { PHP_MEMORY_LIMIT: "128M" } } }));
            const checksum = (r: ProgramRun) =>
                one(r, DEPLOYMENT, "matomo-web-deployment").inputs.spec.template.metadata.annotations["checksum/config"];
            assert.match(checksum(dev), /^[0-9a-f]{64}$/);
            assert.notEqual(checksum(changed), checksum(dev));
        });

        it("is reached through the matomo Service on port 80", () => {
            const service = one(dev, SERVICE, "matomo-web-service").inputs;
            assert.equal(service.metadata.name, "matomo");
            assert.deepEqual(service.spec.ports, [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }]);
            for (const [k, v] of Object.entries(service.spec.selector)) {
                assert.equal(deployment.spec.template.metadata.labels[k], v);
            }
        });

        it("is published by an Ingress for the hostname with TLS, cert-manager and the seed's nginx settings", () => {
            const ingress = one(dev, INGRESS).inputs;
            assert.equal(ingress.spec.ingressClassName, "nginx");
            assert.equal(ingress.spec.rules[0].host, "matomo.dev.example.com");
            assert.equal(ingress.spec.rules[0].http.paths[0].backend.service.name, "matomo");
            assert.deepEqual(ingress.spec.tls, [{ hosts: ["matomo.dev.example.com"], secretName: "matomo.dev.example.com-tls" }]);
            assert.deepEqual(ingress.metadata.annotations, {
                "cert-manager.io/cluster-issuer": "letsencrypt-staging",
                "nginx.ingress.kubernetes.io/proxy-body-size": "256m",
                "nginx.ingress.kubernetes.io/proxy-read-timeout": "1200",
                "nginx.ingress.kubernetes.io/proxy-send-timeout": "1200",
            });
        });
    });

    describe("config.ini.php", () => {
        let ini: string;
        before(() => {
            ini = configIniOf(dev);
        });

        it("points Matomo at the MariaDB Service with the generated credentials", () => {
            assert.match(ini, /^host = "mariadb\.matomo-dev\.svc"$/m);
            assert.match(ini, /^username = "matomo"$/m);
            assert.match(ini, /^dbname = "matomo"$/m);
            const password = (revealSecrets(one(dev, SECRET, "mariadb-credentials").inputs.stringData) as Obj).password;
            assert.ok(ini.includes(`password = "${password}"`));
            assert.match(ini, /^schema = "Mariadb"$/m);
        });

        it("trusts the public hostname and the ingress's forwarded headers, as arrays", () => {
            assert.match(ini, /^trusted_hosts\[\] = "matomo\.dev\.example\.com"$/m);
            assert.match(ini, /^proxy_client_headers\[\] = "HTTP_X_FORWARDED_FOR"$/m);
            assert.match(ini, /^proxy_host_headers\[\] = "HTTP_X_FORWARDED_HOST"$/m);
            assert.match(ini, /^assume_secure_protocol = 1$/m);
        });

        it("holds the generated salt and closes the installer", () => {
            const salt = /^salt = "([A-Za-z0-9]{40})"$/m.exec(ini);
            assert.ok(salt, "a 40-character generated salt");
            assert.match(ini, /^enable_installer = 0$/m);
            assert.match(ini, /^enable_browser_archiving_triggering = 0$/m);
            assert.match(ini, /^browser_archiving_disabled_enforce = 1$/m);
            assert.match(ini, /^multi_server_environment = 1$/m);
        });
    });

    describe("data safety", () => {
        it("keeps the misc/ claim and the namespace when the stack is destroyed (pvc.resourcePolicyKeep)", () => {
            for (const claim of all(dev, PVC)) assert.equal(claim.options.retainOnDelete, true, claim.name);
            assert.equal(one(dev, NAMESPACE).options.retainOnDelete, true);
        });

        it("lets them go when pvc.resourcePolicyKeep is false", async () => {
            const loose = await run(withChanges(stackConfig("dev"), { "matomo:pvc": { resourcePolicyKeep: false } }));
            for (const claim of all(loose, PVC)) assert.equal(claim.options.retainOnDelete, false, claim.name);
            assert.equal(one(loose, NAMESPACE).options.retainOnDelete, false);
            assert.equal(one(loose, STATEFULSET).inputs.spec.persistentVolumeClaimRetentionPolicy.whenDeleted, "Delete");
        });

        it("never regenerates the salt when its generation settings change", () => {
            const salt = one(dev, "random:index/randomPassword:RandomPassword", "credentials-salt");
            assert.ok(salt.options.ignoreChanges.includes("length"));
        });

        it("keeps the root password the data directory was initialised with, now that MariaDb generates it", () => {
            const root = one(dev, "random:index/randomPassword:RandomPassword", "mariadb-root-password");
            assert.equal(root.parent, one(dev, "matomo:index:MariaDb").urn);
            // Its URN until the MariaDb component owned it: an alias, so Pulumi moves it instead of replacing it.
            assert.deepEqual(root.options.aliases, [
                "urn:pulumi:dev::matomo::matomo:index:Credentials$random:index/randomPassword:RandomPassword::credentials-database-root-password",
            ]);
            const stringData = revealSecrets(one(dev, SECRET, "mariadb-credentials").inputs.stringData) as Obj;
            assert.equal(stringData["root-password"], revealSecrets(root.state.result) as string);
        });
    });

    describe("outputs", () => {
        it("exports the endpoints, the superuser and its password as a secret", async () => {
            const outputs = await resolveOutputs(dev.outputs);
            assert.deepEqual(revealSecrets({ ...outputs, superuserPassword: undefined }), {
                url: "https://matomo.dev.example.com/",
                trackerUrl: "https://matomo.dev.example.com/matomo.php",
                trackerJsUrl: "https://matomo.dev.example.com/matomo.js",
                namespace: "matomo-dev",
                services: { web: "matomo.matomo-dev.svc", database: "mariadb.matomo-dev.svc" },
                cronJobs: ["matomo-archive", "matomo-scheduled-tasks", "matomo-delete-data", "mariadb-backup", "mariadb-restore"],
                databaseHost: "mariadb.matomo-dev.svc",
                superuserLogin: "admin",
                superuserPassword: undefined,
            });
            assert.equal(await pulumi.isSecret(dev.outputs.superuserPassword as pulumi.Output<string>), true);
        });
    });

    describe("variations", () => {
        it("spreads several replicas over nodes, rolls them without downtime and protects them with a PDB", async () => {
            const ha = await run(
                withChanges(stackConfig("dev"), { "matomo:matomo": { replicaCount: 3, storageAccessMode: "ReadWriteMany" } }),
            );
            const deployment = one(ha, DEPLOYMENT, "matomo-web-deployment").inputs;
            assert.equal(deployment.spec.replicas, 3);
            assert.deepEqual(deployment.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
            assert.equal(deployment.spec.template.spec.topologySpreadConstraints[0].topologyKey, "kubernetes.io/hostname");
            const pdb = one(ha, "kubernetes:policy/v1:PodDisruptionBudget").inputs;
            assert.equal(pdb.spec.maxUnavailable, 1);
            assert.deepEqual(one(ha, PVC, "matomo-misc").inputs.spec.accessModes, ["ReadWriteMany"]);
        });

        it("creates no Ingress when ingress.enabled is false, and plain-HTTP URLs without TLS", async () => {
            const none = await run(withChanges(stackConfig("dev"), { "matomo:ingress": { enabled: false, letsencrypt: null } }));
            assert.equal(all(none, INGRESS).length, 0);
            const plain = await run(withChanges(stackConfig("dev"), { "matomo:ingress": { tls: false, letsencrypt: "" } }));
            assert.equal(one(plain, INGRESS).inputs.spec.tls, undefined);
            assert.doesNotMatch(configIniOf(plain), /assume_secure_protocol/);
            assert.equal((await resolveOutputs(plain.outputs)).url, "http://matomo.dev.example.com/");
        });

        it("deploys into an existing namespace without creating it", async () => {
            const existing = await run(withChanges(stackConfig("dev"), { "matomo:createNamespace": "false" }));
            assert.equal(all(existing, NAMESPACE).length, 0);
            assert.equal(one(existing, DEPLOYMENT, "matomo-web-deployment").inputs.metadata.namespace, "matomo-dev");
        });

        it("uses credentials set in the stack config instead of generating them", async () => {
            const provided = await run(
                withChanges(stackConfig("dev"), { "matomo:mariadb": { password: "provided-db-password-1" } }, ["matomo:mariadb"]),
            );
            const stringData = revealSecrets(one(provided, SECRET, "mariadb-credentials").inputs.stringData) as Obj;
            assert.equal(stringData.password, "provided-db-password-1");
            assert.equal(
                all(provided, "random:index/randomPassword:RandomPassword").some((r) => r.name === "credentials-database-password"),
                false,
            );
        });
    });

    it("keeps its resource names (URNs)", () => {
        assertGoldenUrns(dev, "dev");
    });
});
