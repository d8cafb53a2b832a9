/**
 * Matomo's web tier: a Deployment serving the UI, the API and the tracker (the official image's
 * Apache, or its php-fpm behind nginx; see `webPod.ts`), the web server's sizing in a ConfigMap, a
 * Service other pods dial, an Ingress for the public hostname, and a PodDisruptionBudget when
 * there is more than one replica.
 *
 * The pods run as `www-data` with a read-only root filesystem; the code is copied from the image
 * into an emptyDir at every start (see `prepareWebrootScript`).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { selectorLabels, standardLabels, versionLabel } from "../k8s/labels";
import { sha256 } from "../k8s/checksum";
import type { EgressFlow } from "../k8s/egress";
import { placedTemplate, type PodPlacement } from "../k8s/placement";
import type { ContainerResources } from "../k8s/resources";
import { matomoEgress, type MatomoRuntimeRef, type MatomoWorkload } from "./podBuilder";
import type { WebMetricsArgs } from "./webMetrics";
import { createWebMonitor, type WebMonitorArgs } from "./webMonitor";
import { webServerFiles } from "./webServer";
import { webPodSpec, type WebServerArgs } from "./webPod";

/** The Service's port: what the Ingress and in-cluster clients dial. */
const HTTP_PORT = 80;

/** The public entry point. */
export interface MatomoIngressArgs {
    /** Public hostname. */
    readonly hostname: string;
    /** IngressClass. Defaults to the cluster's default class. */
    readonly className?: string;
    /** TLS Secret for the hostname. Defaults to none: plain HTTP. */
    readonly tlsSecretName?: string;
    /** cert-manager ClusterIssuer that fills the TLS Secret. Defaults to none: the Secret is managed elsewhere. */
    readonly clusterIssuer?: string;
    /** ingress-nginx settings, written as `nginx.ingress.kubernetes.io/<key>` annotations. */
    readonly nginx: Readonly<Record<string, string>>;
    /** Further annotations, applied last. */
    readonly annotations: Readonly<Record<string, string>>;
}

export interface MatomoWebArgs extends MatomoWorkload {
    /** The shared config, php.ini and misc/ volume, and the checksum that rolls the pods on change. */
    readonly runtime: MatomoRuntimeRef & { readonly checksum: pulumi.Input<string> };
    /** Number of web pods; above 1 they are spread over nodes and guarded by a PodDisruptionBudget. */
    readonly replicas: number;
    /** Requests and limits of the Matomo (PHP) container. */
    readonly resources: ContainerResources;
    /** The web server and its sizing: workers, recycling, keep-alive (the stack fits them to `resources`). */
    readonly server: WebServerArgs;
    /**
     * Whether the misc/ volume can be mounted on several nodes at once (ReadWriteMany). When it
     * cannot, rollouts use the Recreate strategy: a surge pod on another node would wait forever
     * for the volume.
     */
    readonly sharedStorage: boolean;
    /** Name of the Service (an interface: the Ingress and in-cluster jobs dial it). */
    readonly serviceName: string;
    /** The Ingress. Defaults to none (reached through the Service only). */
    readonly ingress?: MatomoIngressArgs;
    /** Resources the Deployment must wait for besides the database (e.g. the install Job). Defaults to none. */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
    /**
     * Tracking is switched off (`record_statistics = 0`): `/matomo.php` then answers 503 on
     * purpose, so the probes check the server with the static `/matomo.js` instead. Defaults to false.
     */
    readonly trackingDisabled?: boolean;
    /**
     * Where the pods run and their extra labels and annotations. Its `topologySpreadConstraints`
     * replace the spread over nodes the pods get when there is more than one. Defaults to none.
     */
    readonly placement?: PodPlacement;
    /**
     * Metrics: an exporter sidecar reads the server's status page inside each pod, and a monitor
     * object tells the cluster's Prometheus to scrape it. Defaults to none.
     */
    readonly metrics?: WebMetricsArgs & { readonly monitor: WebMonitorArgs };
}

/** The Ingress annotations for the given settings (pure; order: cert-manager, nginx, user). */
export function ingressAnnotations(ingress: MatomoIngressArgs): Record<string, string> {
    return {
        ...(ingress.clusterIssuer ? { "cert-manager.io/cluster-issuer": ingress.clusterIssuer } : {}),
        ...Object.fromEntries(Object.entries(ingress.nginx).map(([k, v]) => [`nginx.ingress.kubernetes.io/${k}`, v])),
        ...ingress.annotations,
    };
}

/** The identity of the web pods; their selector labels are what pods that must share a node with them match. */
export function webIdentity(instance: string) {
    return { name: "matomo", component: "web", instance };
}

export class MatomoWeb extends pulumi.ComponentResource {
    /** In-cluster DNS name of the Service. */
    readonly serviceHost: pulumi.Output<string>;
    readonly deploymentName: pulumi.Output<string>;
    /** The connections the web pods open out of the installation. */
    readonly egress: readonly EgressFlow[];

    constructor(name: string, args: MatomoWebArgs, opts?: pulumi.ComponentResourceOptions) {
        super("matomo:index:MatomoWeb", name, {}, opts);
        const id = webIdentity(args.instance);
        const labels = standardLabels(id);
        const selector = selectorLabels(id);
        const workloadLabels = { ...labels, ...versionLabel(args.image) };
        const files = webServerFiles(args.server, args.metrics !== undefined);
        const serverConfig = new k8s.core.v1.ConfigMap(
            `${name}-server`,
            { metadata: { namespace: args.namespace, labels }, data: files },
            { parent: this },
        );
        const podSpec = webPodSpec({
            workload: args,
            server: args.server,
            serverConfigMapName: serverConfig.metadata.name,
            resources: args.resources,
            trackingDisabled: args.trackingDisabled ?? false,
            metrics: args.metrics,
        });

        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: { namespace: args.namespace, labels: workloadLabels },
                spec: {
                    replicas: args.replicas,
                    revisionHistoryLimit: 5,
                    selector: { matchLabels: selector },
                    strategy: args.sharedStorage
                        ? { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
                        : { type: "Recreate" },
                    template: placedTemplate(args.placement, {
                        metadata: {
                            labels: workloadLabels,
                            annotations: {
                                "checksum/config": args.runtime.checksum,
                                "checksum/server": sha256(Object.values(files).join("\u0000")),
                            },
                        },
                        spec: {
                            ...podSpec,
                            topologySpreadConstraints:
                                args.replicas > 1
                                    ? [
                                          {
                                              maxSkew: 1,
                                              topologyKey: "kubernetes.io/hostname",
                                              whenUnsatisfiable: "ScheduleAnyway",
                                              labelSelector: { matchLabels: selector },
                                          },
                                      ]
                                    : undefined,
                        },
                    }),
                },
            },
            { parent: this, dependsOn: [...args.database.dependencies, ...(args.dependsOn ?? [])] },
        );

        const service = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: { name: args.serviceName, namespace: args.namespace, labels },
                spec: {
                    type: "ClusterIP",
                    selector,
                    ports: [{ name: "http", port: HTTP_PORT, targetPort: "http", protocol: "TCP" }],
                },
            },
            { parent: this },
        );

        if (args.ingress) {
            const ingress = args.ingress;
            new k8s.networking.v1.Ingress(
                `${name}-ingress`,
                {
                    metadata: { namespace: args.namespace, labels, annotations: ingressAnnotations(ingress) },
                    spec: {
                        ingressClassName: ingress.className,
                        tls: ingress.tlsSecretName ? [{ hosts: [ingress.hostname], secretName: ingress.tlsSecretName }] : undefined,
                        rules: [
                            {
                                host: ingress.hostname,
                                http: {
                                    paths: [
                                        {
                                            path: "/",
                                            pathType: "Prefix",
                                            backend: { service: { name: service.metadata.name, port: { name: "http" } } },
                                        },
                                    ],
                                },
                            },
                        ],
                    },
                },
                { parent: this },
            );
        }

        if (args.metrics) {
            const monitor = args.metrics.monitor;
            createWebMonitor(
                `${name}-monitor`,
                { ...monitor, namespace: args.namespace, labels: { ...monitor.labels, ...labels }, selector },
                this,
            );
        }

        if (args.replicas > 1) {
            new k8s.policy.v1.PodDisruptionBudget(
                `${name}-pdb`,
                {
                    metadata: { namespace: args.namespace, labels },
                    spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
                },
                { parent: this },
            );
        }

        this.serviceHost = pulumi.interpolate`${service.metadata.name}.${service.metadata.namespace}.svc`;
        this.deploymentName = deployment.metadata.name;
        // Password resets and invitations go out by mail; LDAP checks passwords at login.
        this.egress = matomoEgress(args, selector, ["mail", "ldap"]);
        this.registerOutputs({ serviceHost: this.serviceHost, deploymentName: this.deploymentName });
    }
}
