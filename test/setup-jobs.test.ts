/**
 * No manual steps: the install and upgrade Jobs in both topologies, the web tier waiting for them,
 * and the maintenance switches applied through config with a rollout.
 */
import assert from "node:assert/strict";
import { sha256 } from "../components/k8s/checksum";
import { revealSecrets, type CapturedResource, type ProgramRun } from "../scripts/lib/mockEngine";
import { all, one, podSpecOf, run, runStack, stackConfig, withChanges } from "./support/harness";

type Obj = Record<string, any>;
const JOB = "kubernetes:batch/v1:Job";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

const job = (r: ProgramRun, kind: "install" | "upgrade") => one(r, JOB, `matomo-setup-${kind}`);
const mainContainer = (r: CapturedResource) => podSpecOf(r).containers[0];
const configIni = (r: ProgramRun) =>
    (revealSecrets(one(r, "kubernetes:core/v1:Secret", "matomo-config").inputs.stringData) as Obj)["config.ini.php"] as string;
const checksum = (r: ProgramRun) =>
    one(r, DEPLOYMENT, "matomo-web-deployment").inputs.spec.template.metadata.annotations["checksum/config"] as string;
const scripts = (r: ProgramRun) => one(r, "kubernetes:core/v1:ConfigMap", "matomo-scripts").inputs.data as Record<string, string>;

for (const stack of ["dev", "prod"] as const) {
    describe(`install and upgrade Jobs (${stack} stack)`, () => {
        let result: ProgramRun;
        before(async () => {
            result = await runStack(stack);
        });

        it("installs with Matomo's own installer, from the shared pod builder, without the generated config", () => {
            const install = job(result, "install");
            const pod = podSpecOf(install);
            assert.deepEqual(mainContainer(install).command, ["sh", "/etc/matomo-scripts/install.sh"]);
            assert.match(scripts(result)["install.sh"], /action=tablesCreation/);
            assert.ok(pod.initContainers!.some((c) => c.name === "prepare-webroot"));
            assert.ok(!pod.volumes!.some((v) => v.name === "config"), "the installer writes its own config.ini.php");
            assert.equal(pod.restartPolicy, "Never");
            assert.equal(pod.automountServiceAccountToken, false);
        });

        it("hands credentials to the installer as Secret files, never as environment values", () => {
            const install = job(result, "install");
            const env = Object.fromEntries(mainContainer(install).env!.map((e) => [e.name, e.value]));
            assert.equal(env.MATOMO_DB_PASSWORD_FILE, "/run/secrets/matomo-database/password");
            assert.equal(env.MATOMO_SUPERUSER_PASSWORD_FILE, "/run/secrets/matomo-superuser/password");
            for (const [name, value] of Object.entries(env)) {
                assert.ok(!/PASSWORD$/.test(name), `${name} holds a password value`);
                assert.equal(typeof value, "string", name);
            }
            const volumes = podSpecOf(install).volumes as Obj[];
            const superuser = volumes.find((v) => v.name === "superuser")!;
            assert.equal(superuser.secret.secretName, one(result, "kubernetes:core/v1:Secret", "matomo-superuser").inputs.metadata.name);
        });

        it("applies the privacy settings and Matomo's base URL on every run", () => {
            const env = Object.fromEntries(mainContainer(job(result, "install")).env!.map((e) => [e.name, e.value]));
            const options = JSON.parse(env.MATOMO_OPTIONS as string) as Record<string, string>;
            const host = stack === "dev" ? "matomo.dev.example.com" : "analytics.example.com";
            assert.equal(options.piwikUrl, `https://${host}/`);
            assert.equal(options["PrivacyManager.ipAnonymizerEnabled"], "1");
            assert.equal(options["PrivacyManager.ipAddressMaskLength"], "2");
        });

        it("creates the superuser and the first website from config", () => {
            const env = Object.fromEntries(mainContainer(job(result, "install")).env!.map((e) => [e.name, e.value]));
            const host = stack === "dev" ? "matomo.dev.example.com" : "analytics.example.com";
            assert.equal(env.MATOMO_SUPERUSER_EMAIL, `admin@${host}`);
            assert.equal(env.MATOMO_SITE_NAME, host);
            assert.equal(env.MATOMO_SITE_URL, `https://${host}`);
            assert.equal(env.MATOMO_TIMEZONE, "Europe/Copenhagen");
        });

        it("fails loudly and boundedly: few retries, a deadline, and Pulumi waits for the result", () => {
            for (const kind of ["install", "upgrade"] as const) {
                const j = job(result, kind);
                assert.ok(j.inputs.spec.backoffLimit >= 1 && j.inputs.spec.backoffLimit <= 3, kind);
                assert.ok(j.inputs.spec.activeDeadlineSeconds > 0, kind);
                assert.ok(j.options.customTimeouts?.create, `${kind}: Pulumi's wait is sized for the Job`);
                assert.equal(j.inputs.spec.ttlSecondsAfterFinished, undefined, `${kind}: a TTL would make Pulumi recreate it`);
            }
        });

        it("upgrades with core:update --yes, using the generated config", () => {
            const upgrade = job(result, "upgrade");
            assert.deepEqual(mainContainer(upgrade).command, ["sh", "/etc/matomo-scripts/upgrade.sh"]);
            assert.match(scripts(result)["upgrade.sh"], /php console core:update --yes --no-interaction/);
            assert.ok(podSpecOf(upgrade).volumes!.some((v) => v.name === "config"));
        });

        it("ties the upgrade Job to the image: its name carries the image's hash", () => {
            const upgrade = job(result, "upgrade");
            const image = mainContainer(upgrade).image;
            assert.equal(upgrade.inputs.metadata.name, `matomo-setup-upgrade-${sha256(image).slice(0, 10)}`);
            assert.equal(upgrade.inputs.spec.template.metadata.annotations["matomo/image"], image);
            assert.equal(upgrade.options.deleteBeforeReplace, true);
        });

        it("orders the rollout: database, install, upgrade, then the web pods", () => {
            const install = job(result, "install");
            const upgrade = job(result, "upgrade");
            const web = one(result, DEPLOYMENT, "matomo-web-deployment");
            assert.ok(upgrade.options.dependsOn.includes(install.urn));
            assert.ok(web.options.dependsOn.includes(install.urn), "the web tier waits for the install");
            assert.ok(web.options.dependsOn.includes(upgrade.urn), "and for the upgrade");
            const database = stack === "dev" ? "kubernetes:apps/v1:StatefulSet" : "gcp:sql/user:User";
            assert.ok(install.options.dependsOn.includes(one(result, database).urn), "the install waits for the database");
        });

        it("never mounts the web tier's misc/ volume in a Job (a ReadWriteOnce claim would pin the Job to its node)", () => {
            for (const kind of ["install", "upgrade"] as const) {
                const misc = podSpecOf(job(result, kind)).volumes!.find((v) => v.name === "misc") as Obj;
                assert.deepEqual(misc, { name: "misc", emptyDir: {} }, kind);
            }
        });

        if (stack === "prod") {
            it("gives both Job pods the Cloud SQL proxy as a native sidecar, so they complete", () => {
                for (const kind of ["install", "upgrade"] as const) {
                    const proxy = podSpecOf(job(result, kind)).initContainers!.find((c) => c.name === "cloud-sql-proxy");
                    assert.equal(proxy?.restartPolicy, "Always", kind);
                    assert.ok((proxy!.args as string[]).includes("--exit-zero-on-sigterm"), kind);
                }
            });
        }
    });

    describe(`a new image (${stack} stack)`, () => {
        it("gets a new upgrade Job; a config change does not", async () => {
            const base = await runStack(stack);
            const newImage = await run(withChanges(stackConfig(stack), { "matomo:matomo": { image: { tag: "5.12.0-apache" } } }), {
                stack,
            });
            const newConfig = await run(withChanges(stackConfig(stack), { "matomo:maintenance": { disableUi: true } }), { stack });
            const name = (r: ProgramRun) => job(r, "upgrade").inputs.metadata.name;
            assert.notEqual(name(newImage), name(base));
            assert.deepEqual(job(newConfig, "upgrade").inputs, job(base, "upgrade").inputs);
            assert.equal(mainContainer(one(newImage, DEPLOYMENT, "matomo-web-deployment")).image, "matomo:5.12.0-apache");
        });
    });

    describe(`maintenance switches (${stack} stack)`, () => {
        let base: ProgramRun;
        before(async () => {
            base = await runStack(stack);
        });
        const withMaintenance = (maintenance: Obj) =>
            run(withChanges(stackConfig(stack), { "matomo:maintenance": maintenance }), { stack });

        it("are off by default, with the lines present for operators", () => {
            assert.match(configIni(base), /^maintenance_mode = 0$/m);
            assert.match(configIni(base), /^record_statistics = 1$/m);
        });

        it("disableUi puts the UI and API into maintenance and rolls the pods", async () => {
            const ui = await withMaintenance({ disableUi: true });
            assert.match(configIni(ui), /^maintenance_mode = 1$/m);
            assert.match(configIni(ui), /^multi_server_environment = 0$/m, "so that the UI and API answer 503");
            assert.match(configIni(ui), /^record_statistics = 1$/m);
            assert.notEqual(checksum(ui), checksum(base));
        });

        it("disableTracking stops recording, rolls the pods and keeps them ready", async () => {
            const tracking = await withMaintenance({ disableTracking: true });
            assert.match(configIni(tracking), /^record_statistics = 0$/m);
            assert.match(configIni(tracking), /^maintenance_mode = 0$/m);
            assert.notEqual(checksum(tracking), checksum(base));
            const web = mainContainer(one(tracking, DEPLOYMENT, "matomo-web-deployment")) as Obj;
            for (const probe of [web.startupProbe, web.readinessProbe, web.livenessProbe]) {
                assert.equal(probe.httpGet.path, "/matomo.js", "matomo.php answers 503 on purpose now");
            }
        });

        it("both together quiet the database completely", async () => {
            const both = await withMaintenance({ disableUi: true, disableTracking: true });
            assert.match(configIni(both), /^maintenance_mode = 1$/m);
            assert.match(configIni(both), /^record_statistics = 0$/m);
        });
    });
}

describe("setup Jobs and config keys", () => {
    it("use the configured superuser e-mail and first website", async () => {
        const custom = await run(
            withChanges(stackConfig("dev"), {
                "matomo:matomo": { email: "ops@example.org", siteName: "Example", siteUrl: "https://www.example.org" },
            }),
        );
        const env = Object.fromEntries(mainContainer(job(custom, "install")).env!.map((e) => [e.name, e.value]));
        assert.deepEqual(
            [env.MATOMO_SUPERUSER_EMAIL, env.MATOMO_SITE_NAME, env.MATOMO_SITE_URL],
            ["ops@example.org", "Example", "https://www.example.org"],
        );
        assert.deepEqual(
            all(custom, JOB)
                .map((j) => j.name)
                .sort(),
            ["matomo-setup-install", "matomo-setup-upgrade"],
        );
    });
});
