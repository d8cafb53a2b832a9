/**
 * GeoIP: MaxMind's geoipupdate on its schedule and once at creation, its credentials only ever in
 * a Secret, writing into the misc/ volume Matomo reads, and Matomo set to use the database.
 */
import assert from "node:assert/strict";
import { isSecretWrapper, resolveOutputs, revealSecrets, type CapturedResource, type ProgramRun } from "../scripts/lib/mockEngine";
import { all, DEV_EXTRAS, one, podSpecOf, runStack, type Container } from "./support/harness";
import { LDAP_VARIANT } from "./support/variants";

type Obj = Record<string, any>;
const CRONJOB = "kubernetes:batch/v1:CronJob";
const JOB = "kubernetes:batch/v1:Job";

const geoipCron = (r: ProgramRun) => one(r, CRONJOB, "geoipupdate-cronjob");
const geoipJob = (r: ProgramRun) => one(r, JOB, "geoipupdate-initial");
const container = (w: CapturedResource): Container => podSpecOf(w).containers[0];
const env = (w: CapturedResource) => Object.fromEntries(container(w).env!.map((e) => [e.name, e]));
const installOptions = (r: ProgramRun) =>
    JSON.parse(container(one(r, JOB, "matomo-setup-install")).env!.find((e) => e.name === "MATOMO_OPTIONS")!.value as string) as Record<
        string,
        string
    >;

for (const stack of [DEV_EXTRAS, "prod"] as const) {
    describe(`GeoIP (${stack} stack)`, () => {
        let result: ProgramRun;
        before(async () => {
            result = await runStack(stack);
        });

        it("runs MaxMind's geoipupdate monthly in matomo:timezone, once, with bounded retries", () => {
            const cron = geoipCron(result);
            assert.equal(cron.inputs.metadata.name, "geoipupdate");
            const spec = cron.inputs.spec as Obj;
            assert.deepEqual([spec.schedule, spec.timeZone, spec.concurrencyPolicy], ["0 4 5 * *", "Europe/Copenhagen", "Forbid"]);
            assert.equal(spec.jobTemplate.spec.backoffLimit, 2);
            assert.ok(spec.jobTemplate.spec.activeDeadlineSeconds > 0);
            assert.match(container(cron).image, /^maxmindinc\/geoipupdate:v7\.\d+\.\d+$/);
            assert.equal(env(cron).GEOIPUPDATE_FREQUENCY.value, "0", "runs once and exits");
        });

        it("passes verbose as 1 and the editions as configured", () => {
            for (const w of [geoipCron(result), geoipJob(result)]) {
                assert.equal(env(w).GEOIPUPDATE_VERBOSE.value, "1", 'the seed\'s quoted "1" failed every run');
                assert.equal(env(w).GEOIPUPDATE_EDITION_IDS.value, "GeoLite2-City");
            }
        });

        it("reads the credentials from the Secret's files, never from the pod spec", () => {
            for (const w of [geoipCron(result), geoipJob(result)]) {
                const e = env(w);
                assert.equal(e.GEOIPUPDATE_ACCOUNT_ID, undefined);
                assert.equal(e.GEOIPUPDATE_LICENSE_KEY, undefined);
                assert.equal(e.GEOIPUPDATE_ACCOUNT_ID_FILE.value, "/run/secrets/maxmind/account-id");
                assert.equal(e.GEOIPUPDATE_LICENSE_KEY_FILE.value, "/run/secrets/maxmind/license-key");
                const volume = podSpecOf(w).volumes!.find((v) => v.name === "credentials") as Obj;
                assert.equal(volume.secret.secretName, "maxmind-credentials", "the existing Secret of the stack file");
                assert.ok(
                    (container(w).volumeMounts as Obj[]).some(
                        (m) => m.name === "credentials" && m.mountPath === "/run/secrets/maxmind" && m.readOnly,
                    ),
                );
            }
        });

        it("writes into Matomo's misc/ claim as Matomo's user", () => {
            const claim = one(result, "kubernetes:core/v1:PersistentVolumeClaim", "matomo-misc").inputs.metadata.name;
            for (const w of [geoipCron(result), geoipJob(result)]) {
                const pod = podSpecOf(w);
                assert.equal((pod.volumes!.find((v) => v.name === "misc") as Obj).persistentVolumeClaim.claimName, claim);
                assert.ok((container(w).volumeMounts as Obj[]).some((m) => m.name === "misc" && m.mountPath === "/usr/share/GeoIP"));
                assert.equal((pod.securityContext as Obj).runAsUser, 33);
                assert.equal(env(w).GEOIPUPDATE_DB_DIR.value, "/usr/share/GeoIP");
            }
        });

        it("runs once at creation, awaited by pulumi up but never holding the web tier", () => {
            const web = one(result, "kubernetes:apps/v1:Deployment", "matomo-web-deployment");
            const job = geoipJob(result);
            assert.ok(!web.options.dependsOn.includes(job.urn), "wrong MaxMind credentials must not stall the web pods");
            assert.equal(job.inputs.spec.ttlSecondsAfterFinished, undefined, "a Job Pulumi manages stays");
            // geoipupdate exits at once on a rejected login: three tries fail within a minute.
            assert.equal(job.inputs.spec.backoffLimit, 2);
            assert.ok(job.inputs.spec.activeDeadlineSeconds <= 600);
        });

        it("makes Matomo use the database and stops Matomo's own updater", () => {
            const options = installOptions(result);
            assert.equal(options["usercountry.location_provider"], "geoip2php");
            assert.deepEqual([options["geoip2.loc_db_url"], options["geoip2.isp_db_url"]], ["", ""]);
        });

        it("never talks to the database, so it carries no proxy", () => {
            for (const w of [geoipCron(result), geoipJob(result)]) assert.equal(podSpecOf(w).initContainers, undefined);
        });
    });
}

describe("GeoIP in detail", () => {
    it("runs on the web pod's node when misc/ is ReadWriteOnce (required for the CronJob, preferred for the first run)", async () => {
        const dev = await runStack(DEV_EXTRAS);
        const web = one(dev, "kubernetes:apps/v1:Deployment", "matomo-web-deployment").inputs.spec.selector.matchLabels;
        const cronAffinity = podSpecOf(geoipCron(dev)).affinity as Obj;
        assert.deepEqual(cronAffinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution, [
            { labelSelector: { matchLabels: web }, topologyKey: "kubernetes.io/hostname" },
        ]);
        const jobAffinity = podSpecOf(geoipJob(dev)).affinity as Obj;
        assert.deepEqual(
            jobAffinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchLabels,
            web,
        );
        const prod = await runStack("prod");
        assert.equal(podSpecOf(geoipCron(prod)).affinity, undefined, "a ReadWriteMany claim mounts anywhere");
    });

    it("keeps credentials set in the stack in a Secret, as secrets", async () => {
        const ldap = await LDAP_VARIANT();
        const secret = one(ldap, "kubernetes:core/v1:Secret", "geoipupdate-credentials");
        const data = secret.inputs.stringData as Obj;
        assert.ok(isSecretWrapper(data), "the Secret's data is secret");
        assert.deepEqual(revealSecrets(data), { "account-id": "123456", "license-key": "maxmind_license_key_1" });
        for (const w of [geoipCron(ldap), geoipJob(ldap)]) {
            const pod = podSpecOf(w);
            assert.equal((pod.volumes!.find((v) => v.name === "credentials") as Obj).secret.secretName, secret.state.metadata.name);
            const text = JSON.stringify(revealSecrets(pod));
            assert.ok(!text.includes("maxmind_license_key_1") && !text.includes("123456"), "no credential in the pod spec");
        }
    });

    it("is off without credentials: no updater, Matomo's location provider untouched", async () => {
        const off = await runStack("dev");
        assert.ok(!all(off, CRONJOB).some((c) => c.name.startsWith("geoipupdate")));
        assert.ok(!all(off, JOB).some((c) => c.name.startsWith("geoipupdate")));
        const options = installOptions(off);
        assert.equal(options["usercountry.location_provider"], undefined);
        assert.equal(options["geoip2.loc_db_url"], undefined);
    });

    it("exports the CronJob names", async () => {
        const outputs = await resolveOutputs((await runStack("prod")).outputs);
        assert.deepEqual(outputs.cronJobs, [
            "matomo-archive-main-site",
            "matomo-archive-other-sites",
            "matomo-scheduled-tasks",
            "matomo-delete-data",
            "geoipupdate",
            "matomo-log-sync",
            "matomo-log-import",
        ]);
    });
});
