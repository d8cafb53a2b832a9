/**
 * Scheduled backups of the in-cluster MariaDB: a CronJob dumps Matomo's database (consistent,
 * online, compressed, published atomically) with Matomo's uploaded logos beside it onto a retained
 * claim of its own, keeping the newest `keep`; a suspended CronJob is the template of a restore
 * Job (`kubectl create job --from=cronjob/mariadb-restore`, see docs/backup-restore.md).
 *
 * It lives with the database component: the dump needs the database's credentials and image
 * (`mariadb-dump` of the server's version), and nothing outside `components/database` needs to
 * know that the topology has a database to dump. Both pods run as Matomo's user and group, so the
 * files they read from and restore into `misc/user` stay Matomo's.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { egressOf, type EgressFlow } from "../k8s/egress";
import { podImagePullSecrets, type ImageRef } from "../k8s/image";
import type { InstallationArgs } from "../k8s/installation";
import { cronJobSpec, type CronJobHistory, type PodPlacement, type ScheduledCronJob } from "../k8s/jobs";
import { RUNS_THROUGH_MAINTENANCE, type MaintenanceSwitches } from "../k8s/maintenance";
import { selectorLabels, standardLabels, versionLabel } from "../k8s/labels";
import { toResourceRequirements, type ContainerResources } from "../k8s/resources";
import { restrictedContainer, restrictedPod } from "../k8s/security";
import { clientEgress, clientTlsEnv } from "./clientTls";
import type { DatabaseEndpoint } from "./endpoint";
import { offsiteEgress, withOffsiteCopy, type OffsiteArgs } from "./offsite";
import { UPLOADS_DIR, uploadsMount, uploadsVolume, type MatomoUploads } from "./uploads";

/** Matomo's `www-data`, owner of `misc/`: the group every pod mounting that claim must use. */
const MATOMO_UID = 33;
const BACKUPS = "/backups";
const SCRIPTS = "/etc/mariadb-backup";
const PASSWORD_DIR = "/run/secrets/database";
/** The scripts, and the part both source (connection settings, option file, the backups). */
const SCRIPT_FILES = ["backup-database.sh", "restore-database.sh", "mariadb-client.sh"] as const;

export interface MariaDbBackupArgs extends InstallationArgs {
    /** The MariaDB image: its `mariadb-dump` and client match the server. */
    readonly image: ImageRef;
    /** The database to dump, with the credentials of its user. */
    readonly database: DatabaseEndpoint;
    /** Matomo's table prefix, which the restore checks. */
    readonly tablesPrefix: string;
    readonly schedule: string;
    readonly timezone: string;
    /** Complete backups kept. */
    readonly keep: number;
    /** The backup claim: size, StorageClass (defaults to the cluster's), kept when removed from the stack. */
    readonly storage: { readonly size: string; readonly storageClassName?: string; readonly retain: boolean };
    readonly resources: ContainerResources;
    readonly activeDeadlineSeconds: number;
    readonly history: CronJobHistory;
    /** The maintenance switches that are on: the scheduled backups stop while the UI is in maintenance. */
    readonly maintenance: MaintenanceSwitches;
    /**
     * Matomo's `misc/` claim, whose `user/` (uploaded logos) is archived with each dump and
     * restored with it; `colocateWith` are the labels of the pods holding it when it is
     * ReadWriteOnce. Defaults to none: the dump only.
     */
    readonly uploads?: MatomoUploads;
    /** Copies of each run's backups off the cluster, with rclone (its image). Defaults to none. */
    readonly offsite?: OffsiteArgs & { readonly image: ImageRef };
    /** Where the backup and restore pods run and their extra labels and annotations (beside `colocateWith`). Defaults to none. */
    readonly placement?: PodPlacement;
}

/** A backup script's text, as it is in the repository. */
const backupScriptSource = (file: (typeof SCRIPT_FILES)[number]) => readFileSync(join(__dirname, "scripts", file), "utf8");

export class MariaDbBackup extends pulumi.ComponentResource {
    readonly cronJobNames: pulumi.Output<string[]>;
    /** The backup CronJob with its schedule (the restore template never runs by itself). */
    readonly scheduled: pulumi.Output<ScheduledCronJob[]>;
    /** The connections to a database outside the cluster, and the upload of each run's backups off it. */
    readonly egress: readonly EgressFlow[];

    constructor(name: string, args: MariaDbBackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("matomo:index:MariaDbBackup", name, {}, opts);
        const labels = (component: string) => standardLabels({ name: "mariadb", component, instance: args.instance });
        const db = args.database;
        const claim = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-claim`,
            {
                metadata: { name: "mariadb-backups", namespace: args.namespace, labels: labels("backup") },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: args.storage.storageClassName,
                    resources: { requests: { storage: args.storage.size } },
                },
            },
            { parent: this, retainOnDelete: args.storage.retain },
        );
        const scripts = new k8s.core.v1.ConfigMap(
            `${name}-scripts`,
            {
                metadata: { namespace: args.namespace, labels: labels("backup") },
                data: Object.fromEntries(SCRIPT_FILES.map((f) => [f, backupScriptSource(f)])),
            },
            { parent: this },
        );

        const term = args.uploads?.colocateWith && {
            labelSelector: { matchLabels: { ...args.uploads.colocateWith } },
            topologyKey: "kubernetes.io/hostname",
        };
        const pod = (script: string, env: k8s.types.input.core.v1.EnvVar[], uploadsReadOnly: boolean): k8s.types.input.core.v1.PodSpec => ({
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            imagePullSecrets: podImagePullSecrets([args.image]),
            securityContext: restrictedPod(MATOMO_UID, MATOMO_UID),
            // A ReadWriteOnce misc/ claim is on the web pod's node.
            affinity: term ? { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } : undefined,
            containers: [
                {
                    name: script.replace(/-database\.sh$/, ""),
                    image: args.image.reference,
                    imagePullPolicy: args.image.pullPolicy,
                    command: ["sh", `${SCRIPTS}/${script}`],
                    env: [
                        { name: "TZ", value: args.timezone },
                        { name: "BACKUP_DIR", value: BACKUPS },
                        { name: "BACKUP_DB_HOST", value: db.host },
                        { name: "BACKUP_DB_PORT", value: String(db.port) },
                        { name: "BACKUP_DB_NAME", value: db.database },
                        { name: "BACKUP_DB_USER", value: db.user },
                        { name: "BACKUP_DB_PASSWORD_FILE", value: `${PASSWORD_DIR}/password` },
                        ...clientTlsEnv(db),
                        ...env,
                    ],
                    resources: toResourceRequirements(args.resources),
                    securityContext: restrictedContainer(),
                    volumeMounts: [
                        { name: "backups", mountPath: BACKUPS },
                        { name: "scripts", mountPath: SCRIPTS, readOnly: true },
                        { name: "password", mountPath: PASSWORD_DIR, readOnly: true },
                        { name: "tmp", mountPath: "/tmp" },
                        ...(args.uploads ? [uploadsMount(args.uploads, uploadsReadOnly)] : []),
                        ...(db.podPatch.volumeMounts ?? []),
                    ],
                },
            ],
            volumes: [
                { name: "backups", persistentVolumeClaim: { claimName: claim.metadata.name } },
                { name: "scripts", configMap: { name: scripts.metadata.name } },
                {
                    name: "password",
                    secret: {
                        secretName: db.passwordSecret.name,
                        items: [{ key: db.passwordSecret.key, path: "password" }],
                        defaultMode: 0o440,
                    },
                },
                { name: "tmp", emptyDir: {} },
                ...(args.uploads ? [uploadsVolume(args.uploads)] : []),
                ...db.podPatch.volumes,
            ],
        });
        // Fixed names: operators start runs with `kubectl create job --from=cronjob/<name>`.
        const cronJobName = (component: string) => `mariadb-${component}`;
        const cronJob = (component: string, spec: k8s.types.input.batch.v1.CronJobSpec) =>
            new k8s.batch.v1.CronJob(
                `${name}-${component}`,
                {
                    metadata: {
                        name: cronJobName(component),
                        namespace: args.namespace,
                        labels: { ...labels(component), ...versionLabel(args.image) },
                    },
                    spec,
                },
                { parent: this, dependsOn: [...db.dependencies] },
            );
        /** The backup pod: the dump, then (with off-site copies) the upload of what it published. */
        const backupPod = (): k8s.types.input.core.v1.PodSpec => {
            const env = [
                { name: "BACKUP_KEEP", value: String(args.keep) },
                ...(args.uploads ? [{ name: "BACKUP_MISC_DIR", value: UPLOADS_DIR }] : []),
            ];
            const spec = pod("backup-database.sh", env, true);
            return args.offsite ? withOffsiteCopy(spec, { ...args.offsite, dir: BACKUPS, volume: "backups" }, args.image) : spec;
        };
        const policy = { timeZone: args.timezone, activeDeadlineSeconds: args.activeDeadlineSeconds, history: args.history };
        const backup = cronJob(
            "backup",
            cronJobSpec(
                {
                    ...policy,
                    schedule: args.schedule,
                    // One retry: a failed run leaves nothing behind and deletes nothing.
                    backoffLimit: 1,
                    // A scheduled dump would race a restore, which runs in maintenance, and fail or
                    // catch it halfway. A dump started by hand then is the quietest backup there is,
                    // e.g. before an upgrade.
                    whileMaintenance: { stopsFor: ["ui"], startedByHand: "works" },
                },
                { ...labels("backup"), ...versionLabel(args.image) },
                backupPod(),
                { cronJobName: cronJobName("backup"), switches: args.maintenance },
                args.placement,
            ),
        );
        const restore = cronJob("restore", {
            ...cronJobSpec(
                // Started by hand, in maintenance above all: nothing stops it.
                { ...policy, schedule: "0 0 1 1 *", backoffLimit: 0, whileMaintenance: RUNS_THROUGH_MAINTENANCE },
                { ...labels("restore"), ...versionLabel(args.image) },
                pod(
                    "restore-database.sh",
                    [
                        { name: "RESTORE_BACKUP", value: "latest" },
                        { name: "RESTORE_TABLES_PREFIX", value: args.tablesPrefix },
                        ...(args.uploads ? [{ name: "RESTORE_MISC_DIR", value: UPLOADS_DIR }] : []),
                    ],
                    false,
                ),
                { cronJobName: cronJobName("restore"), switches: args.maintenance },
                args.placement,
            ),
            // Never runs by itself, maintenance or not: the template of a restore Job, started by hand.
            suspend: true,
        });

        this.cronJobNames = pulumi.all([backup.metadata.name, restore.metadata.name]);
        this.scheduled = backup.metadata.name.apply((n) => [{ name: n, schedule: args.schedule }]);
        const pods = (component: string) => selectorLabels({ name: "mariadb", component, instance: args.instance });
        const backupEgress = egressOf(pods("backup"), [args.offsite && offsiteEgress(args.offsite)]);
        this.egress = [...backupEgress, ...clientEgress(db, pods("backup")), ...clientEgress(db, pods("restore"))];
        this.registerOutputs({ cronJobNames: this.cronJobNames });
    }
}
