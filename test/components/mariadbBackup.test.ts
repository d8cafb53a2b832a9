/** The MariaDbBackup component on its own: the backup CronJob, its claim, and the restore template. */
import assert from "node:assert/strict";
import { MariaDbBackup, type MariaDbBackupArgs } from "../../components/database/backup";
import type { ProgramRun } from "../../scripts/lib/mockEngine";
import { NO_MAINTENANCE } from "../../components/k8s/maintenance";
import { buildAlone, INSTALLATION, sampleDatabase } from "../support/component";
import { one, podSpecOf } from "../support/harness";
import { assertPlaced, SAMPLE_PLACEMENT } from "../support/placement";

const CRONJOB = "kubernetes:batch/v1:CronJob";

/** The component the last `build` made. */
let built: MariaDbBackup;

function build(overrides: Partial<MariaDbBackupArgs> = {}): Promise<ProgramRun> {
    return buildAlone(
        () =>
            (built = new MariaDbBackup("mariadb-backup", {
                ...INSTALLATION,
                image: { reference: "mariadb:10.11.18", pullPolicy: "IfNotPresent" },
                database: sampleDatabase(),
                tablesPrefix: "piwik_",
                schedule: "30 1 * * *",
                timezone: "Europe/Copenhagen",
                keep: 7,
                storage: { size: "10Gi", retain: true },
                resources: { requests: { memory: "64Mi", cpu: "100m" }, limits: { memory: "512Mi" } },
                activeDeadlineSeconds: 21600,
                history: {
                    ttlSecondsAfterFinished: 86400,
                    successfulJobsHistoryLimit: 1,
                    failedJobsHistoryLimit: 3,
                    startingDeadlineSeconds: 600,
                },
                maintenance: NO_MAINTENANCE,
                uploads: { claimName: "matomo-misc", colocateWith: { "app.kubernetes.io/component": "web" } },
                ...overrides,
            })),
    );
}

const env = (pod: Record<string, any>) =>
    Object.fromEntries((pod.containers[0].env as { name: string; value: string }[]).map((e) => [e.name, e.value]));

describe("MariaDbBackup", () => {
    it("puts the backup and restore pods where the placement says", async () => {
        const run = await build({ placement: SAMPLE_PLACEMENT });
        run.resources.filter((r) => r.type === "kubernetes:batch/v1:CronJob").forEach(assertPlaced);
    });

    let run: ProgramRun;
    before(async () => (run = await build()));

    it("dumps on its schedule onto a retained claim of its own, keeping the newest backups", () => {
        const claim = one(run, "kubernetes:core/v1:PersistentVolumeClaim");
        assert.equal(claim.inputs.metadata.name, "mariadb-backups");
        assert.equal(claim.options.retainOnDelete, true);
        const cronJob = one(run, CRONJOB, "mariadb-backup-backup");
        assert.equal(cronJob.inputs.metadata.name, "mariadb-backup");
        assert.equal(cronJob.inputs.spec.schedule, "30 1 * * *");
        assert.equal(cronJob.inputs.spec.concurrencyPolicy, "Forbid", "two dumps never overlap");
        const pod = podSpecOf(cronJob) as Record<string, any>;
        const e = env(pod);
        assert.equal(e.BACKUP_KEEP, "7");
        assert.equal(e.BACKUP_DB_PASSWORD_FILE, "/run/secrets/database/password");
        assert.ok(!JSON.stringify(pod).includes("database-password-1"), "the password is a mounted file, never a value");
        assert.equal(pod.containers[0].image, "mariadb:10.11.18", "mariadb-dump of the server's version");
    });

    it("archives misc/user read-only, on the web pod's node, as Matomo's group (which owns misc/)", () => {
        const pod = podSpecOf(one(run, CRONJOB, "mariadb-backup-backup")) as Record<string, any>;
        assert.equal(env(pod).BACKUP_MISC_DIR, "/matomo-misc/user");
        const mount = pod.containers[0].volumeMounts.find((m: { name: string }) => m.name === "misc");
        assert.deepEqual(mount, { name: "misc", mountPath: "/matomo-misc/user", subPath: "user", readOnly: true });
        assert.equal(pod.securityContext.fsGroup, 33);
        assert.deepEqual(pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels, {
            "app.kubernetes.io/component": "web",
        });
    });

    it("keeps a suspended restore template that restores the latest backup, checking the configured prefix", () => {
        const restore = one(run, CRONJOB, "mariadb-backup-restore");
        assert.equal(restore.inputs.metadata.name, "mariadb-restore");
        assert.equal(restore.inputs.spec.suspend, true, "never runs by itself");
        const pod = podSpecOf(restore) as Record<string, any>;
        const e = env(pod);
        assert.equal(e.RESTORE_BACKUP, "latest");
        assert.equal(e.RESTORE_TABLES_PREFIX, "piwik_");
        assert.equal(e.RESTORE_MISC_DIR, "/matomo-misc/user");
        assert.equal(pod.containers[0].volumeMounts.find((m: { name: string }) => m.name === "misc").readOnly, false);
        assert.equal(restore.inputs.spec.jobTemplate.spec.backoffLimit, 0, "a restore is never repeated by itself");
    });

    it("lists the backup CronJob with its schedule for the alert rules, not the restore template, which never runs by itself", async () => {
        await build();
        assert.deepEqual(await new Promise((resolve) => built.scheduled.apply(resolve)), [
            { name: "mariadb-backup", schedule: "30 1 * * *" },
        ]);
    });

    it("backs up the dump alone without an uploads claim", async () => {
        const alone = await build({ uploads: undefined });
        const pod = podSpecOf(one(alone, CRONJOB, "mariadb-backup-backup")) as Record<string, any>;
        assert.equal(env(pod).BACKUP_MISC_DIR, undefined);
        assert.equal(pod.affinity, undefined);
    });

    it("lists the database image's pull secrets, and rclone's only in the backup pod that runs it", async () => {
        const image = { reference: "mariadb:10.11.18", pullPolicy: "IfNotPresent" as const, pullSecrets: ["db-registry"] };
        const rclone = { reference: "rclone/rclone:1.68.2", pullPolicy: "IfNotPresent" as const, pullSecrets: ["rclone-registry"] };
        const offsite = { url: "s3://backups/matomo", existingSecret: "offsite", image: rclone };
        const run = await build({ image, offsite });
        const secrets = (name: string) => podSpecOf(one(run, CRONJOB, name)).imagePullSecrets;
        assert.deepEqual(secrets("mariadb-backup-backup"), [{ name: "db-registry" }, { name: "rclone-registry" }]);
        assert.deepEqual(secrets("mariadb-backup-restore"), [{ name: "db-registry" }]);
    });
});
