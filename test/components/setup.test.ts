/** The MatomoSetup component on its own: the install and upgrade Jobs from its args alone. */
import assert from "node:assert/strict";
import { sha256 } from "../../components/k8s/checksum";
import { MatomoSetup, type MatomoSetupArgs } from "../../components/matomo/setup";
import { buildAlone, sampleWorkload } from "../support/component";
import { all, one, podSpecOf } from "../support/harness";
import { assertPlaced, SAMPLE_PLACEMENT } from "../support/placement";

function build(args: Partial<MatomoSetupArgs> = {}) {
    return buildAlone(
        () =>
            new MatomoSetup("setup", {
                ...sampleWorkload(),
                resources: { requests: { memory: "256Mi", cpu: "100m" }, limits: { memory: "1Gi" } },
                superuserEmail: "root@example.org",
                site: { name: "Example", url: "https://example.org" },
                ...args,
            }),
    );
}

const JOB = "kubernetes:batch/v1:Job";

describe("MatomoSetup", () => {
    it("puts the install and upgrade pods where the placement says", async () => {
        const run = await build({ placement: SAMPLE_PLACEMENT });
        const jobs = run.resources.filter((r) => r.type === "kubernetes:batch/v1:Job");
        assert.equal(jobs.length, 2);
        jobs.forEach(assertPlaced);
    });

    it("names the upgrade Job after the image, so a new image runs core:update once", async () => {
        const name = async (reference: string) =>
            one(await build({ image: { reference, pullPolicy: "IfNotPresent" } }), JOB, "setup-upgrade").inputs.metadata.name as string;
        const first = await name("matomo:5.11.2-apache");
        assert.match(first, /^setup-upgrade-[0-9a-f]{10}$/);
        assert.equal(await name("matomo:5.11.2-apache"), first);
        assert.notEqual(await name("matomo:5.12.0-apache"), first);
    });

    it("runs a new upgrade Job when a plugin is added, and keeps the name of a stack without plugins", async () => {
        const name = async (plugins: string[]) => {
            const workload = sampleWorkload();
            const run = await build({ runtime: { ...workload.runtime, plugins } });
            return one(run, JOB, "setup-upgrade").inputs.metadata.name as string;
        };
        const none = await name([]);
        assert.equal(none, `setup-upgrade-${sha256("matomo:5.11.2-apache").slice(0, 10)}`, "the name every existing stack has");
        const withPlugin = await name(["QueuedTracking"]);
        assert.notEqual(withPlugin, none);
        assert.equal(await name(["QueuedTracking"]), withPlugin);
    });

    it("runs the upgrade after the install, and the install after the database", async () => {
        const run = await build();
        const install = one(run, JOB, "setup-install");
        assert.ok(one(run, JOB, "setup-upgrade").options.dependsOn.includes(install.urn));
    });

    it("hands the install script its site, superuser e-mail and options, and the secrets as files", async () => {
        const install = podSpecOf(one(await build(), JOB, "setup-install")).containers[0];
        const env = Object.fromEntries(install.env!.map((e) => [e.name, e.value]));
        assert.deepEqual(
            [env.MATOMO_SITE_NAME, env.MATOMO_SITE_URL, env.MATOMO_SUPERUSER_EMAIL, env.MATOMO_OPTIONS, env.MATOMO_DB_HOST],
            ["Example", "https://example.org", "root@example.org", '{"enableBrowserTriggerArchiving":"0"}', "mariadb.analytics.svc"],
        );
        assert.equal(env.MATOMO_DB_PASSWORD_FILE, "/run/secrets/matomo-database/password");
    });

    it("lists the Matomo image's pull secrets in both Jobs' pods", async () => {
        const run = await build({ image: { ...sampleWorkload().image, pullSecrets: ["matomo-registry", "mirror"] } });
        const jobs = all(run, JOB);
        assert.equal(jobs.length, 2);
        for (const job of jobs) assert.deepEqual(podSpecOf(job).imagePullSecrets, [{ name: "matomo-registry" }, { name: "mirror" }]);
        assert.equal(podSpecOf(all(await build(), JOB)[0]).imagePullSecrets, undefined);
    });
});
