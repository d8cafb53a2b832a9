/**
 * MaxMind's `geoipupdate` writing the GeoIP databases into Matomo's `misc/` volume, where Matomo's
 * GeoIp2 plugin looks for them: once when the stack is created (so a new installation geolocates
 * its first visits; the web Deployment waits for it) and then on its schedule.
 *
 * The seed chart's job failed every run (`GEOIPUPDATE_VERBOSE` quoted into `"1"`) and wrote to a
 * volume Matomo did not read. Here the credentials come from a Secret, read through the image's
 * `*_FILE` variables (never in the pod spec), and the pod runs as Matomo's user so that the files
 * it writes are Matomo's.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { egressOf, type EgressFlow } from "../k8s/egress";
import { podImagePullSecrets, type ImageRef } from "../k8s/image";
import type { InstallationArgs } from "../k8s/installation";
import { selectorLabels, standardLabels, versionLabel } from "../k8s/labels";
import { secretNameFor } from "../k8s/secrets";
import { toResourceRequirements, type ContainerResources } from "../k8s/resources";
import { restrictedContainer, restrictedPod } from "../k8s/security";
import { SECRETS_MOUNT, WWW_DATA_UID } from "../matomo/paths";
import { cronJobSpec, jobSpec, type CronJobHistory, type ScheduledCronJob } from "../k8s/jobs";
import { RUNS_THROUGH_MAINTENANCE, type MaintenanceSwitches } from "../k8s/maintenance";
import type { PodPlacement } from "../k8s/placement";
import { BACKOFF_LIMITS } from "./backoffLimits";

/** Keys of the credentials Secret (also of a Secret given as `geoipupdate.existingSecret`). */
export const GEOIP_SECRET_KEYS = { accountId: "account-id", licenseKey: "license-key" } as const;

/** Where the image writes the databases (`GEOIPUPDATE_DB_DIR`). */
const DATABASE_DIR = "/usr/share/GeoIP";
const CREDENTIALS_DIR = `${SECRETS_MOUNT}/maxmind`;

export interface GeoIpUpdateArgs extends InstallationArgs {
    /** MaxMind's `geoipupdate` image. */
    readonly image: ImageRef;
    /** Time zone of the schedule and the container. */
    readonly timezone: string;
    /** MaxMind credentials (secret outputs), or the name of a Secret with {@link GEOIP_SECRET_KEYS}. */
    readonly credentials:
        { readonly accountId: pulumi.Output<string>; readonly licenseKey: pulumi.Output<string> } | { readonly existingSecret: string };
    /** `GEOIPUPDATE_EDITION_IDS`: space-separated database editions. */
    readonly editionIds: string;
    /** `GEOIPUPDATE_VERBOSE`: exactly `0` or `1` (anything else fails geoipupdate). */
    readonly verbose: "0" | "1";
    /** Cron schedule of the refresh. */
    readonly schedule: string;
    /** Requests and limits of the updater's container. */
    readonly resources: ContainerResources;
    /** History and starting deadline of the CronJob. */
    readonly history: CronJobHistory;
    /** The maintenance switches that are on (the updater runs through maintenance, see below). */
    readonly maintenance: MaintenanceSwitches;
    /** Matomo's misc/ claim. */
    readonly miscClaimName: pulumi.Input<string>;
    /** The directory inside that claim that is misc/. Defaults to the claim's root. */
    readonly miscSubPath?: string;
    /**
     * Labels of the pods that mount the claim when it is ReadWriteOnce: the updater must then run
     * on their node. Defaults to none, for a ReadWriteMany claim.
     */
    readonly colocateWith?: Readonly<Record<string, string>>;
    /** Where the first run's and the CronJob's pods run and their extra labels and annotations (beside `colocateWith`). Defaults to none. */
    readonly placement?: PodPlacement;
}

/**
 * The updater's pod. `required` pins it to the node of the `colocateWith` pods (the CronJob,
 * which runs while the web pods hold the volume); otherwise it only prefers that node (the first
 * run, which happens before any web pod exists).
 */
export function geoipPodSpec(
    args: Pick<
        GeoIpUpdateArgs,
        "image" | "timezone" | "editionIds" | "verbose" | "resources" | "miscClaimName" | "miscSubPath" | "colocateWith"
    >,
    secretName: pulumi.Input<string>,
    required: boolean,
): k8s.types.input.core.v1.PodSpec {
    const term = args.colocateWith && { labelSelector: { matchLabels: args.colocateWith }, topologyKey: "kubernetes.io/hostname" };
    return {
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        imagePullSecrets: podImagePullSecrets([args.image]),
        securityContext: restrictedPod(WWW_DATA_UID, WWW_DATA_UID),
        affinity: term
            ? {
                  podAffinity: required
                      ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
                      : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
              }
            : undefined,
        containers: [
            {
                name: "geoipupdate",
                image: args.image.reference,
                imagePullPolicy: args.image.pullPolicy,
                env: [
                    { name: "TZ", value: args.timezone },
                    { name: "GEOIPUPDATE_ACCOUNT_ID_FILE", value: `${CREDENTIALS_DIR}/${GEOIP_SECRET_KEYS.accountId}` },
                    { name: "GEOIPUPDATE_LICENSE_KEY_FILE", value: `${CREDENTIALS_DIR}/${GEOIP_SECRET_KEYS.licenseKey}` },
                    { name: "GEOIPUPDATE_EDITION_IDS", value: args.editionIds },
                    { name: "GEOIPUPDATE_DB_DIR", value: DATABASE_DIR },
                    { name: "GEOIPUPDATE_VERBOSE", value: args.verbose },
                    // Run once and exit (the image would otherwise loop forever).
                    { name: "GEOIPUPDATE_FREQUENCY", value: "0" },
                ],
                resources: toResourceRequirements(args.resources),
                securityContext: restrictedContainer(),
                volumeMounts: [
                    { name: "misc", mountPath: DATABASE_DIR, subPath: args.miscSubPath },
                    { name: "credentials", mountPath: CREDENTIALS_DIR, readOnly: true },
                    // The image's entry script keeps its state under /tmp.
                    { name: "tmp", mountPath: "/tmp" },
                ],
            },
        ],
        volumes: [
            { name: "misc", persistentVolumeClaim: { claimName: args.miscClaimName } },
            {
                name: "credentials",
                secret: {
                    secretName,
                    items: [
                        { key: GEOIP_SECRET_KEYS.accountId, path: GEOIP_SECRET_KEYS.accountId },
                        { key: GEOIP_SECRET_KEYS.licenseKey, path: GEOIP_SECRET_KEYS.licenseKey },
                    ],
                    defaultMode: 0o440,
                },
            },
            { name: "tmp", emptyDir: {} },
        ],
    };
}

export class GeoIpUpdate extends pulumi.ComponentResource {
    readonly cronJobName: pulumi.Output<string>;
    /** The CronJob with its schedule. */
    readonly scheduled: pulumi.Output<ScheduledCronJob[]>;
    /** The downloads from MaxMind (HTTPS). */
    readonly egress: readonly EgressFlow[];

    constructor(name: string, args: GeoIpUpdateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("matomo:index:GeoIpUpdate", name, {}, opts);
        const id = { name: "geoipupdate", component: "geoip", instance: args.instance };
        const labels = standardLabels(id);
        const workloadLabels = { ...labels, ...versionLabel(args.image) };

        const credentials = args.credentials;
        const secretName = secretNameFor(
            `${name}-credentials`,
            "existingSecret" in credentials
                ? credentials
                : {
                      stringData: {
                          [GEOIP_SECRET_KEYS.accountId]: credentials.accountId,
                          [GEOIP_SECRET_KEYS.licenseKey]: credentials.licenseKey,
                      },
                  },
            { namespace: args.namespace, labels },
            { parent: this },
        );

        const policy = {
            schedule: args.schedule,
            timeZone: args.timezone,
            // A download takes seconds; a stuck one is stopped after ten minutes.
            activeDeadlineSeconds: 600,
            backoffLimit: BACKOFF_LIMITS.geoip,
            history: args.history,
            // It writes only the GeoIP databases in misc/ (which backups leave out and restores
            // leave alone) and talks to MaxMind only: nothing that maintenance protects.
            whileMaintenance: RUNS_THROUGH_MAINTENANCE,
        };
        // The first run, awaited by `pulumi up` (which fails with it, on wrong credentials within a
        // minute); nothing else waits for it, the web pods least of all.
        new k8s.batch.v1.Job(
            `${name}-initial`,
            {
                metadata: { namespace: args.namespace, labels: workloadLabels },
                spec: jobSpec(policy, workloadLabels, geoipPodSpec(args, secretName, false), undefined, args.placement),
            },
            { parent: this, customTimeouts: { create: "15m", update: "15m" } },
        );
        const cronJobName = "geoipupdate";
        const cronJob = new k8s.batch.v1.CronJob(
            `${name}-cronjob`,
            {
                metadata: { name: cronJobName, namespace: args.namespace, labels: workloadLabels },
                spec: cronJobSpec(
                    policy,
                    workloadLabels,
                    geoipPodSpec(args, secretName, true),
                    { cronJobName, switches: args.maintenance },
                    args.placement,
                ),
            },
            { parent: this },
        );
        this.cronJobName = cronJob.metadata.name;
        this.scheduled = cronJob.metadata.name.apply((n) => [{ name: n, schedule: args.schedule }]);
        this.egress = egressOf(selectorLabels(id), [{ name: "maxmind", to: { destination: "maxmind" }, ports: [443] }]);
        this.registerOutputs({ cronJobName: this.cronJobName });
    }
}
