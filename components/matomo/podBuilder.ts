/**
 * The one place a Matomo pod spec is assembled. Web pods, the install and upgrade Jobs and every
 * console CronJob get their pod from here, so each of them runs the same image with the same
 * generated config, the same security context and whatever the database needs (the Cloud SQL
 * proxy sidecar on Google); a new console job is a few lines.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseEndpoint, PodPatch } from "../database/endpoint";
import { egressOf, type Egress, type EgressFlow } from "../k8s/egress";
import { podImagePullSecrets, type ImageRef } from "../k8s/image";
import type { InstallationArgs } from "../k8s/installation";
import { HELPER_RESOURCES, toResourceRequirements, type ContainerResources } from "../k8s/resources";
import { restrictedContainer, restrictedPod } from "../k8s/security";
import { configVolume } from "./configVolume";
import { CONFIG_MOUNT, PHP_INI_PATH, WEBROOT, WWW_DATA_UID } from "./paths";
import { prepareWebrootScript } from "./scripts";

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

/** Names of the shared objects every Matomo pod mounts (see `MatomoRuntime`). */
export interface MatomoRuntimeRef {
    /** Secret holding `config.ini.php`. */
    readonly configSecretName: pulumi.Input<string>;
    /** Secret holding the SMTP password (key `password`); undefined when Matomo sends without a login. */
    readonly smtpPasswordSecretName?: pulumi.Input<string>;
    /** The Secret and key of the database password when config.ini.php lacks it (a Secret managed elsewhere). */
    readonly databasePasswordSecret?: { readonly name: pulumi.Input<string>; readonly key: string };
    /** ConfigMap holding the php.ini overrides (`php.ini`). */
    readonly phpConfigMapName: pulumi.Input<string>;
    /** PersistentVolumeClaim mounted as `misc/`. */
    readonly miscClaimName: pulumi.Input<string>;
    /** The directory inside that claim that is `misc/`; undefined for the claim's root. */
    readonly miscSubPath?: string;
    /** Plugins activated besides the image's defaults (e.g. LoginLdap). */
    readonly plugins: readonly string[];
    /** Matomo's table prefix (`[database] tables_prefix`), for scripts that read the tables. */
    readonly tablesPrefix: string;
    /** The outside servers config.ini.php points Matomo at, as the connections a pod that uses them opens. */
    readonly egress: MatomoEgress;
}

/** The outside servers Matomo talks to, each when configured. */
export interface MatomoEgress {
    /** The SMTP server. */
    readonly mail?: Egress;
    /** The LDAP servers (LoginLdap). */
    readonly ldap?: Egress;
}

/**
 * The pod's main container: what differs between web, jobs and cron jobs. Each optional field
 * defaults to leaving the container field unset (the image's command, no probes, ...).
 */
export interface MatomoContainer {
    readonly name: string;
    readonly command?: pulumi.Input<string>[];
    readonly args?: pulumi.Input<string>[];
    /** Environment besides `TZ`, which every container gets. */
    readonly env?: k8s.types.input.core.v1.EnvVar[];
    readonly ports?: k8s.types.input.core.v1.ContainerPort[];
    readonly startupProbe?: k8s.types.input.core.v1.Probe;
    readonly readinessProbe?: k8s.types.input.core.v1.Probe;
    readonly livenessProbe?: k8s.types.input.core.v1.Probe;
    readonly lifecycle?: k8s.types.input.core.v1.Lifecycle;
    readonly resources: ContainerResources;
    /** Mounts besides the webroot, misc/, php.ini and /tmp. Defaults to none. */
    readonly volumeMounts?: VolumeMount[];
}

/**
 * What every Matomo workload (web, setup Jobs, console CronJobs) has in common, and what its pods
 * are built from: the image, the shared runtime objects, the database and the time zone. The
 * components' `...Args` extend it.
 */
export interface MatomoWorkload extends InstallationArgs {
    /** The Matomo image (the official `matomo` image or one built from it). */
    readonly image: ImageRef;
    /** The shared config.ini.php, php.ini and misc/ volume (see `MatomoRuntime`). */
    readonly runtime: MatomoRuntimeRef;
    /** The database; its pod patch (sidecars, volumes, service account) goes into every pod. */
    readonly database: DatabaseEndpoint;
    /** `TZ` of the containers (IANA name). */
    readonly timezone: string;
}

/** What differs between the pods of the workloads. */
export interface MatomoPodOptions {
    readonly container: MatomoContainer;
    /** Volumes the main container's extra mounts refer to. Defaults to none. */
    readonly volumes?: Volume[];
    /**
     * Let the non-root web server bind port 80 (the `net.ipv4.ip_unprivileged_port_start` sysctl).
     * Defaults to false.
     */
    readonly bindsPort80?: boolean;
    /** Defaults to Kubernetes' 30 seconds. */
    readonly terminationGracePeriodSeconds?: number;
    /**
     * Copy the generated config.ini.php into the webroot. Defaults to true; false only for the
     * install Job, where Matomo's installer writes its own.
     */
    readonly copyConfig?: boolean;
    /**
     * Regenerate matomo.js from the database's settings when the pod starts (the web pods, which
     * serve it). Defaults to false.
     */
    readonly regenerateTracker?: boolean;
    /**
     * Mount the persistent `misc/` volume (GeoIP databases, logos). Defaults to false: `misc/` is
     * then a scratch directory. Only the web pods need it: a ReadWriteOnce claim would otherwise tie
     * every Job to the web pod's node.
     */
    readonly mountMiscVolume?: boolean;
}

const MOUNTS = {
    webroot: { name: "webroot", mountPath: WEBROOT },
    misc: { name: "misc", mountPath: `${WEBROOT}/misc` },
    config: { name: "config", mountPath: CONFIG_MOUNT, readOnly: true },
    php: { name: "php", mountPath: PHP_INI_PATH, subPath: "php.ini", readOnly: true },
    tmp: { name: "tmp", mountPath: "/tmp" },
} satisfies Record<string, VolumeMount>;

/** What the pod is built from: the image, runtime and database patch, and the pod options. */
interface PodArgs extends MatomoPodOptions {
    readonly image: ImageRef;
    readonly runtime: MatomoRuntimeRef;
    readonly database: PodPatch;
    readonly timezone: string;
}

/** `misc/`: the claim's directory when the pod mounts the claim, a scratch directory otherwise. */
function miscMount(args: PodArgs): VolumeMount {
    return args.mountMiscVolume && args.runtime.miscSubPath ? { ...MOUNTS.misc, subPath: args.runtime.miscSubPath } : MOUNTS.misc;
}

/** The init container that copies code (and config) into the webroot. */
function prepareWebroot(args: PodArgs): Container {
    const copyConfig = args.copyConfig ?? true;
    return {
        name: "prepare-webroot",
        image: args.image.reference,
        imagePullPolicy: args.image.pullPolicy,
        command: [
            "sh",
            "-c",
            prepareWebrootScript({
                copyConfig,
                plugins: args.runtime.plugins,
                regenerateTracker: args.regenerateTracker,
                smtpPassword: args.runtime.smtpPasswordSecretName !== undefined,
                databasePassword: args.runtime.databasePasswordSecret !== undefined,
            }),
        ],
        resources: toResourceRequirements(HELPER_RESOURCES),
        securityContext: restrictedContainer(),
        // With the config come console commands (the web pods regenerate matomo.js): they connect
        // to the database, with its CA.
        volumeMounts: [
            MOUNTS.webroot,
            miscMount(args),
            ...(copyConfig ? [MOUNTS.config, ...(args.database.volumeMounts ?? [])] : []),
            MOUNTS.tmp,
        ],
    };
}

/**
 * The connections out of the installation that a Matomo workload's pods (selected by `clients`)
 * open: their database's (the Cloud SQL proxy's), and those of the outside servers in `uses`.
 */
export function matomoEgress(
    workload: MatomoWorkload,
    clients: Readonly<Record<string, string>>,
    uses: readonly (keyof MatomoEgress)[],
): EgressFlow[] {
    return egressOf(clients, [...workload.database.podPatch.egress, ...uses.map((server) => workload.runtime.egress[server])]);
}

/**
 * A complete pod spec for a Matomo workload. The restart policy is the workload's: a Deployment's
 * default (`Always`), or `Never` from `jobSpec` for Jobs.
 */
export function buildMatomoPodSpec(workload: MatomoWorkload, pod: MatomoPodOptions): k8s.types.input.core.v1.PodSpec {
    const args: PodArgs = {
        ...pod,
        image: workload.image,
        runtime: workload.runtime,
        database: workload.database.podPatch,
        timezone: workload.timezone,
    };
    const c = args.container;
    const main: Container = {
        name: c.name,
        image: args.image.reference,
        imagePullPolicy: args.image.pullPolicy,
        command: c.command,
        args: c.args,
        env: [{ name: "TZ", value: args.timezone }, ...(c.env ?? [])],
        ports: c.ports,
        startupProbe: c.startupProbe,
        readinessProbe: c.readinessProbe,
        livenessProbe: c.livenessProbe,
        lifecycle: c.lifecycle,
        resources: toResourceRequirements(c.resources),
        securityContext: restrictedContainer(),
        volumeMounts: [
            MOUNTS.webroot,
            miscMount(args),
            MOUNTS.php,
            MOUNTS.tmp,
            ...(args.database.volumeMounts ?? []),
            ...(c.volumeMounts ?? []),
        ],
    };
    return {
        serviceAccountName: args.database.serviceAccountName,
        imagePullSecrets: podImagePullSecrets([args.image, args.database]),
        // Matomo never talks to the Kubernetes API.
        automountServiceAccountToken: false,
        // Service links would inject MARIADB_PORT-style variables that images may misread.
        enableServiceLinks: false,
        securityContext: restrictedPod(WWW_DATA_UID, WWW_DATA_UID, {
            sysctls: args.bindsPort80 ? [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }] : undefined,
        }),
        terminationGracePeriodSeconds: args.terminationGracePeriodSeconds,
        initContainers: [...args.database.initContainers, prepareWebroot(args)],
        containers: [main],
        volumes: [
            { name: "webroot", emptyDir: {} },
            args.mountMiscVolume
                ? { name: "misc", persistentVolumeClaim: { claimName: args.runtime.miscClaimName } }
                : { name: "misc", emptyDir: {} },
            ...((args.copyConfig ?? true) ? [configVolume(args.runtime)] : []),
            { name: "php", configMap: { name: args.runtime.phpConfigMapName } },
            { name: "tmp", emptyDir: {} },
            ...args.database.volumes,
            ...(args.volumes ?? []),
        ],
    };
}
