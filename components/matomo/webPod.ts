/**
 * The web pod of each variant: Apache with mod_php in the Matomo container, or php-fpm in the
 * Matomo container with nginx beside it. Both read their sizing from a ConfigMap the web
 * component renders, and both answer the probes through the same path.
 *
 * Probes: `/matomo.php` answers without the database and is not affected by a pending database
 * upgrade or the trusted-host check, so they neither flap during upgrades nor restart pods when the
 * database is briefly away. It runs in a PHP worker, so a probe waits behind the requests queued
 * before it: with keep-alive off (no idle connection holds a worker) and workers sized to the
 * memory, that wait stays far below the timeout when the pod is busy but healthy, and exceeds it
 * when every worker is stuck, which is when the pod should leave the Service.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ContainerResources } from "../k8s/resources";
import { toResourceRequirements } from "../k8s/resources";
import { restrictedContainer } from "../k8s/security";
import { podImagePullSecrets, type ImageRef } from "../k8s/image";
import { WEBROOT } from "./paths";
import { buildMatomoPodSpec, type MatomoWorkload } from "./podBuilder";
import { webExporterContainer, type WebMetricsArgs } from "./webMetrics";
import { APACHE_CONFIG_PATH, FPM_ADDRESS, FPM_POOL_PATH, NGINX_CONFIG_PATH, NGINX_PORT, type WebServerSettings } from "./webServer";

/** The Matomo container's port with Apache. */
const APACHE_PORT = 80;

/** The file names in the web server's ConfigMap (see `webServerFiles`). */
const SERVER_FILES = { apache: "apache.conf", fpmPool: "fpm-pool.conf", nginx: "nginx.conf" } as const;

/** nginx in front of php-fpm. */
export interface NginxArgs {
    readonly image: ImageRef;
    readonly resources: ContainerResources;
}

/** The web server: its sizing, and for the fpm variant the nginx container. */
export type WebServerArgs =
    (WebServerSettings & { readonly variant: "apache" }) | (WebServerSettings & { readonly variant: "fpm"; readonly nginx: NginxArgs });

/** What the web pod is built from besides the workload. */
export interface WebPodArgs {
    readonly workload: MatomoWorkload;
    readonly server: WebServerArgs;
    /** ConfigMap holding {@link SERVER_FILES}. */
    readonly serverConfigMapName: pulumi.Input<string>;
    /** Requests and limits of the Matomo (PHP) container. */
    readonly resources: ContainerResources;
    /** Probe the static `/matomo.js` instead (tracking off: `/matomo.php` answers 503 on purpose). */
    readonly trackingDisabled: boolean;
    /** The metrics exporter sidecar, which reads the server's status page inside the pod. Defaults to none. */
    readonly metrics?: WebMetricsArgs;
}

/**
 * The probes of the container that serves HTTP. Up to five minutes to start; afterwards three
 * missed checks of 5 s take a pod out of the Service, and two minutes of failures restart it.
 */
export function webProbes(path: string) {
    const probe = (periodSeconds: number, timeoutSeconds: number, failureThreshold: number) => ({
        httpGet: { path, port: "http" },
        periodSeconds,
        timeoutSeconds,
        failureThreshold,
    });
    return { startupProbe: probe(5, 5, 60), readinessProbe: probe(10, 5, 3), livenessProbe: probe(20, 10, 6) };
}

/**
 * php-fpm's own probes: its master accepts connections on {@link FPM_ADDRESS} (the kernel queues
 * them, so a busy pool still passes; nginx's probes check that the workers answer). php-fpm
 * listens inside the pod only, so the check runs there, with the image's PHP.
 */
export function fpmProbes() {
    const [host, port] = FPM_ADDRESS.split(":");
    const listening = { exec: { command: ["php", "-r", `exit(@fsockopen("${host}", ${port}, $e, $s, 5) ? 0 : 1);`] } };
    return {
        startupProbe: { ...listening, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 60 },
        livenessProbe: { ...listening, periodSeconds: 20, timeoutSeconds: 10, failureThreshold: 6 },
    };
}

/** Let the Service and Ingress stop sending requests before the server stops. */
const PRE_STOP = { preStop: { exec: { command: ["sleep", "5"] } } };

const serverVolume = (args: WebPodArgs) => ({ name: "web-server", configMap: { name: args.serverConfigMapName } });
const serverFile = (path: string, key: string) => ({ name: "web-server", mountPath: path, subPath: key, readOnly: true });

/** The web pod's spec for the configured variant, with the metrics exporter beside the server when asked for. */
export function webPodSpec(args: WebPodArgs): k8s.types.input.core.v1.PodSpec {
    const pod = serverPodSpec(args);
    if (!args.metrics) return pod;
    const exporter = webExporterContainer(args.server.variant, args.metrics);
    // The exporter's pull secrets join those of the images the pod runs already.
    const imagePullSecrets = podImagePullSecrets([
        { pullSecrets: (pod.imagePullSecrets as { name: string }[] | undefined)?.map((s) => s.name) },
        args.metrics.image,
    ]);
    return { ...pod, imagePullSecrets, containers: [...(pod.containers as k8s.types.input.core.v1.Container[]), exporter] };
}

/** The pod of the server alone. */
function serverPodSpec(args: WebPodArgs): k8s.types.input.core.v1.PodSpec {
    const probes = webProbes(args.trackingDisabled ? "/matomo.js" : "/matomo.php");
    if (args.server.variant === "apache") {
        return buildMatomoPodSpec(args.workload, {
            bindsPort80: true,
            mountMiscVolume: true,
            regenerateTracker: true,
            terminationGracePeriodSeconds: 30,
            container: {
                name: "matomo",
                ports: [{ name: "http", containerPort: APACHE_PORT, protocol: "TCP" }],
                ...probes,
                lifecycle: PRE_STOP,
                resources: args.resources,
                volumeMounts: [
                    { name: "apache-run", mountPath: "/var/run/apache2" },
                    { name: "apache-lock", mountPath: "/var/lock/apache2" },
                    serverFile(APACHE_CONFIG_PATH, SERVER_FILES.apache),
                ],
            },
            volumes: [{ name: "apache-run", emptyDir: {} }, { name: "apache-lock", emptyDir: {} }, serverVolume(args)],
        });
    }
    const nginxArgs = args.server.nginx;
    const pod = buildMatomoPodSpec(args.workload, {
        mountMiscVolume: true,
        regenerateTracker: true,
        terminationGracePeriodSeconds: 30,
        container: {
            name: "matomo",
            resources: args.resources,
            ...fpmProbes(),
            // php-fpm finishes the requests it has when nginx has stopped sending more.
            lifecycle: PRE_STOP,
            volumeMounts: [serverFile(FPM_POOL_PATH, SERVER_FILES.fpmPool)],
        },
        volumes: [serverVolume(args), { name: "nginx-tmp", emptyDir: {} }],
    });
    const nginx: k8s.types.input.core.v1.Container = {
        name: "nginx",
        // Without the image's entrypoint scripts, which would try to rewrite files of the read-only root.
        command: ["nginx", "-g", "daemon off;"],
        image: nginxArgs.image.reference,
        imagePullPolicy: nginxArgs.image.pullPolicy,
        ports: [{ name: "http", containerPort: NGINX_PORT, protocol: "TCP" }],
        ...probes,
        lifecycle: PRE_STOP,
        resources: toResourceRequirements(nginxArgs.resources),
        securityContext: restrictedContainer(),
        volumeMounts: [
            // Static files from the same webroot php-fpm runs; nginx only reads it.
            { name: "webroot", mountPath: WEBROOT, readOnly: true },
            { name: "misc", mountPath: `${WEBROOT}/misc`, subPath: args.workload.runtime.miscSubPath, readOnly: true },
            serverFile(NGINX_CONFIG_PATH, SERVER_FILES.nginx),
            { name: "nginx-tmp", mountPath: "/tmp" },
        ],
    };
    // The nginx image's pull secrets join those of the Matomo image and the database's sidecar.
    const imagePullSecrets = podImagePullSecrets([args.workload.image, args.workload.database.podPatch, nginxArgs.image]);
    return { ...pod, imagePullSecrets, containers: [...(pod.containers as k8s.types.input.core.v1.Container[]), nginx] };
}
