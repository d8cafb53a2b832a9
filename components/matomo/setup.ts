/**
 * The Jobs that make a `pulumi up` end with a working Matomo, without a person clicking through
 * the web installer (the seed's procedure ended with "This is not ideal"):
 *
 * - **install**: on an empty database it runs Matomo's own installer headless (see `installScript`)
 *   and creates the superuser and the first website; then, on a new installation or an existing
 *   one, it sets the database-stored options this program owns (see `managedOptions`).
 * - **upgrade**: `console core:update --yes` with the new image, once per image: its name carries a
 *   hash of the image reference, so Pulumi replaces it exactly when the image changes.
 *
 * Pulumi waits for each Job to complete (and fails the update when one fails); the web Deployment
 * depends on both, so no pod ever serves an uninstalled Matomo or new code on an old schema.
 * Both pods come from the shared pod builder: on Google they carry the Cloud SQL proxy sidecar.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { checksumOf, sha256 } from "../k8s/checksum";
import type { EgressFlow } from "../k8s/egress";
import { selectorLabels, standardLabels, versionLabel } from "../k8s/labels";
import { jobSpec } from "../k8s/jobs";
import type { PodPlacement } from "../k8s/placement";
import type { ContainerResources } from "../k8s/resources";
import { SCRIPTS_MOUNT, SECRETS_DIR_DATABASE, SECRETS_MOUNT } from "./paths";
import { buildMatomoPodSpec, matomoEgress, type MatomoRuntimeRef, type MatomoWorkload } from "./podBuilder";
import { installerDatabaseTlsScript, installerMessagesScript, installScript, SCRIPT_ENV } from "./scripts";
import { databaseConnectionScript, databaseScript, databaseScriptEnv } from "./scripts/database";

export interface MatomoSetupArgs extends MatomoWorkload {
    /** The shared runtime, with the superuser's Secret and the scripts the Jobs run. */
    readonly runtime: MatomoRuntimeRef & {
        readonly superuserSecretName: pulumi.Input<string>;
        readonly scriptsConfigMapName: pulumi.Input<string>;
        /** Database-stored Matomo options the install Job sets on every run (see `managedOptions`). */
        readonly options: Readonly<Record<string, string>>;
    };
    /** Resources of the Job containers (the web tier's: PHP's memory_limit must fit). */
    readonly resources: ContainerResources;
    /** Superuser e-mail, for a new installation. */
    readonly superuserEmail: string;
    /** The first website, for a new installation. */
    readonly site: { readonly name: string; readonly url: string };
    /** Where the install and upgrade pods run and their extra labels and annotations. Defaults to none. */
    readonly placement?: PodPlacement;
}

/** What the upgrade Job's name carries: a new image, or a new plugin list, needs a new run. */
function upgradeHash(image: string, plugins: readonly string[]): string {
    return sha256(plugins.length ? `${image}\n${plugins.join(" ")}` : image).slice(0, 10);
}

const SCRIPTS_VOLUME = { name: "scripts", mountPath: SCRIPTS_MOUNT, readOnly: true };

export class MatomoSetup extends pulumi.ComponentResource {
    readonly installJobName: pulumi.Output<string>;
    readonly upgradeJobName: pulumi.Output<string>;
    /** What must have finished before Matomo's pods start: the install and upgrade Jobs. */
    readonly completed: pulumi.Resource[];
    /** The connections the Jobs' pods open out of the installation. */
    readonly egress: readonly EgressFlow[];

    constructor(name: string, args: MatomoSetupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("matomo:index:MatomoSetup", name, {}, opts);
        const scriptsVolume = { name: "scripts", configMap: { name: args.runtime.scriptsConfigMapName } };
        const job = (
            component: string,
            podSpec: k8s.types.input.core.v1.PodSpec,
            deadlineSeconds: number,
            annotations: Record<string, pulumi.Input<string>>,
        ) => {
            const labels = { ...standardLabels({ name: "matomo", component, instance: args.instance }), ...versionLabel(args.image) };
            // A failing step fails the Job after two retries; Pulumi then reports the failure.
            return {
                labels,
                spec: jobSpec({ backoffLimit: 2, activeDeadlineSeconds: deadlineSeconds }, labels, podSpec, annotations, args.placement),
            };
        };

        const e = SCRIPT_ENV;
        const db = args.database;
        const install = job(
            "install",
            buildMatomoPodSpec(args, {
                // Matomo's installer writes its own config.ini.php; the generated one is for the web pods.
                copyConfig: false,
                container: {
                    name: "install",
                    command: ["sh", `${SCRIPTS_MOUNT}/install.sh`],
                    env: [
                        ...databaseScriptEnv(db, args.runtime.tablesPrefix),
                        { name: e.superuserLoginFile, value: `${SECRETS_MOUNT}/matomo-superuser/login` },
                        { name: e.superuserPasswordFile, value: `${SECRETS_MOUNT}/matomo-superuser/password` },
                        { name: e.superuserEmail, value: args.superuserEmail },
                        { name: e.siteName, value: args.site.name },
                        { name: e.siteUrl, value: args.site.url },
                        { name: e.timezone, value: args.timezone },
                        { name: e.options, value: JSON.stringify(args.runtime.options) },
                    ],
                    resources: args.resources,
                    volumeMounts: [
                        SCRIPTS_VOLUME,
                        { name: "database-password", mountPath: SECRETS_DIR_DATABASE, readOnly: true },
                        { name: "superuser", mountPath: `${SECRETS_MOUNT}/matomo-superuser`, readOnly: true },
                    ],
                },
                volumes: [
                    scriptsVolume,
                    {
                        name: "database-password",
                        secret: {
                            secretName: db.passwordSecret.name,
                            items: [{ key: db.passwordSecret.key, path: "password" }],
                            defaultMode: 0o440,
                        },
                    },
                    { name: "superuser", secret: { secretName: args.runtime.superuserSecretName, defaultMode: 0o440 } },
                ],
            }),
            1800,
            {
                "checksum/scripts": checksumOf(
                    installScript(),
                    databaseScript(),
                    databaseConnectionScript(),
                    installerMessagesScript(),
                    installerDatabaseTlsScript(),
                ),
            },
        );
        const installJob = new k8s.batch.v1.Job(
            `${name}-install`,
            { metadata: { namespace: args.namespace, labels: install.labels }, spec: install.spec },
            { parent: this, dependsOn: [...db.dependencies], customTimeouts: { create: "30m", update: "30m" } },
        );

        const upgrade = job(
            "upgrade",
            buildMatomoPodSpec(args, {
                container: {
                    name: "upgrade",
                    command: ["sh", `${SCRIPTS_MOUNT}/upgrade.sh`],
                    resources: args.resources,
                    volumeMounts: [SCRIPTS_VOLUME],
                },
                volumes: [scriptsVolume],
            }),
            // Migrations of a large database can take hours.
            3 * 3600,
            // The image and the plugins: a changed upgrade script matters when it runs, with the next image.
            { "matomo/image": args.image.reference, "matomo/plugins": args.runtime.plugins.join(" ") },
        );
        const upgradeJob = new k8s.batch.v1.Job(
            `${name}-upgrade`,
            {
                metadata: {
                    // One Job per image and plugin list: a new image gets a new Job, which runs
                    // core:update once, and so does a plugin added to the list, whose install step runs.
                    name: `${name}-upgrade-${upgradeHash(args.image.reference, args.runtime.plugins)}`,
                    namespace: args.namespace,
                    labels: upgrade.labels,
                },
                spec: upgrade.spec,
            },
            {
                parent: this,
                dependsOn: [installJob],
                // Any other change replaces the Job under the same name: delete the old one first.
                deleteBeforeReplace: true,
                customTimeouts: { create: "3h", update: "3h" },
            },
        );

        this.installJobName = installJob.metadata.name;
        this.upgradeJobName = upgradeJob.metadata.name;
        this.completed = [installJob, upgradeJob];
        this.egress = ["install", "upgrade"].flatMap((component) =>
            matomoEgress(args, selectorLabels({ name: "matomo", component, instance: args.instance }), []),
        );
        this.registerOutputs({ installJobName: this.installJobName, upgradeJobName: this.upgradeJobName });
    }
}
