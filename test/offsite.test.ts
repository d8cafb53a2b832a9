/**
 * Copies of the backups off the cluster: the rendered rclone command run for real (Debian's rclone,
 * a local directory standing in for the bucket), the pod that runs it after the dump, and the
 * settings that cannot work.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { offsiteCopyCommand, offsiteEnv } from "../components/database/offsite";
import { assertRejected } from "./support/configCases";
import { all, podSpecOf, run, stackConfig, withChanges } from "./support/harness";
import { requireBinaries } from "./support/system";

describe("off-site copies of the backups", () => {
    describe("the rendered rclone command, run by rclone", function () {
        let dir: string;
        before(function () {
            requireBinaries(this, "rclone");
        });
        beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "offsite-"))));
        afterEach(() => rmSync(dir, { recursive: true, force: true }));

        /** The command as the pod runs it, against a local "bucket" (the remote's type is the only change). */
        const copy = (backups: string) => {
            const [command, ...args] = offsiteCopyCommand(backups, "s3://bucket/matomo/prod");
            const env = { ...process.env, HOME: dir, RCLONE_CONFIG_OFFSITE_TYPE: "local" };
            return spawnSync(
                command,
                args.map((a) => a.replace("offsite:bucket/", `offsite:${dir}/bucket/`)),
                { env, encoding: "utf8" },
            );
        };

        it("copies the published backups, never a run's temporary file, and never overwrites a copy that differs", () => {
            const backups = join(dir, "backups");
            mkdirSync(backups);
            writeFileSync(join(backups, "matomo-20261201T013000Z.sql.gz"), "dump 1");
            writeFileSync(join(backups, "matomo-20261201T013000Z-misc-user.tar.gz"), "logos 1");
            writeFileSync(join(backups, ".incomplete-matomo-20261202T013000Z.sql.gz.x1"), "half");
            writeFileSync(join(backups, "lost+found"), "");
            const first = copy(backups);
            assert.equal(first.status, 0, first.stderr);
            const remote = join(dir, "bucket", "matomo", "prod");
            assert.deepEqual(readdirSync(remote).sort(), ["matomo-20261201T013000Z-misc-user.tar.gz", "matomo-20261201T013000Z.sql.gz"]);
            writeFileSync(join(backups, "matomo-20261201T013000Z.sql.gz"), "changed");
            const second = copy(backups);
            assert.notEqual(second.status, 0, "a differing copy is refused");
            assert.match(second.stderr, /immutable/i);
        });
    });

    it("configures S3 with keys from a Secret, and GCS through the pod's identity or a key file", () => {
        const s3 = offsiteEnv({ url: "s3://b/p", endpoint: "https://minio.example.com", existingSecret: "offsite-keys" });
        const byName = Object.fromEntries(s3.map((e) => [e.name, e]));
        assert.equal(byName.RCLONE_CONFIG_OFFSITE_PROVIDER.value, "Other");
        assert.deepEqual(byName.RCLONE_CONFIG_OFFSITE_SECRET_ACCESS_KEY.valueFrom, {
            secretKeyRef: { name: "offsite-keys", key: "secret-access-key" },
        });
        assert.ok(
            s3.every((e) => !("value" in e) || !/secret/i.test(String(e.value))),
            "no credential as a value",
        );
        const gcs = Object.fromEntries(offsiteEnv({ url: "gs://b/p", existingSecret: "gcs-key" }).map((e) => [e.name, e.value]));
        assert.equal(gcs.RCLONE_CONFIG_OFFSITE_SERVICE_ACCOUNT_FILE, "/run/secrets/offsite/service-account.json");
        assert.equal(gcs.RCLONE_CONFIG_OFFSITE_ENV_AUTH, undefined, "never the pod's identity, which topology eea does not set up");
    });

    it("copies after the dump, in the same pod, when a destination is configured", async () => {
        const stack = withChanges(stackConfig("dev"), {
            "matomo:mariadb": { backup: { offsite: { url: "gs://acme-backups/matomo/dev", existingSecret: "gcs-key" } } },
        });
        const cronJob = all(await run(stack), "kubernetes:batch/v1:CronJob").find((c) => c.inputs.metadata.name === "mariadb-backup")!;
        const pod = podSpecOf(cronJob) as Record<string, any>;
        assert.deepEqual(
            pod.initContainers.map((c: { name: string }) => c.name),
            ["backup"],
        );
        assert.equal(pod.containers[0].name, "copy-offsite");
        assert.equal(pod.containers[0].command.at(-1), "offsite:acme-backups/matomo/dev");
        assert.ok(pod.volumes.some((v: Record<string, any>) => v.secret?.secretName === "gcs-key"));
    });

    it("refuses settings that cannot work or would do nothing", () => {
        assertRejected(
            { "matomo:mariadb": { backup: { offsite: { url: "s3://acme/matomo" } } } },
            "matomo:mariadb.backup.offsite.existingSecret",
            "access-key-id",
        );
        assertRejected(
            { "matomo:mariadb": { backup: { offsite: { url: "gs://acme/matomo" } } } },
            "matomo:mariadb.backup.offsite.existingSecret",
            "service-account.json",
        );
        assertRejected(
            { "matomo:mariadb": { backup: { offsite: { url: "ftp://acme/matomo" } } } },
            "matomo:mariadb.backup.offsite.url",
            "s3://",
        );
        assertRejected(
            { "matomo:mariadb": { backup: { offsite: { region: "eu-west-1" } } } },
            "matomo:mariadb.backup.offsite.region",
            "no effect",
        );
        assertRejected(
            { "matomo:mariadb": { backup: { offsite: { url: "gs://acme/m", region: "eu-west-1", existingSecret: "gcs-key" } } } },
            "matomo:mariadb.backup.offsite.region",
            "S3 setting",
        );
    });
});
