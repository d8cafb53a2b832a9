/**
 * Matomo's web tier: a Deployment of the official Apache image serving the UI, the API and the
 * tracker, a Service other pods dial, an Ingress for the public hostname, and a
 * PodDisruptionBudget when there is more than one replica.
 *
 * The pods run as `www-data` with a read-only root filesystem; the code is copied from the image
 * into an emptyDir at every start (see `prepareWebrootScript`). Probes use `/matomo.php`, which
 * answers without touching the database and is not affected by a pending database upgrade or the
 * trusted-host check, so they neither flap during upgrades nor restart pods when the database is
 * briefly away.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { selectorLabels, standardLabels } from "../k8s/labels";
import type { ContainerResources } from "../k8s/resources";
import { buildMatomoPodSpec, type MatomoRuntimeRef, type MatomoWorkload } from "./podBuilder";

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
    /** Requests and limits of the web container. */
    readonly resources: ContainerResources;
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
     * purpose, so the probes check Apache with the static `/matomo.js` instead. Defaults to false.
     */
    readonly trackingDisabled?: boolean;
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

    constructor(name: string, args: MatomoWebArgs, opts?: pulumi.ComponentResourceOptions) {
        super("matomo:index:MatomoWeb", name, {}, opts);
        const id = webIdentity(args.instance);
        const labels = standardLabels(id);
        const selector = selectorLabels(id);
        const probePath = args.trackingDisabled ? "/matomo.js" : "/matomo.php";
        const probe = (periodSeconds: number, timeoutSeconds: number, failureThreshold: number) => ({
            httpGet: { path: probePath, port: "http" },
            periodSeconds,
            timeoutSeconds,
            failureThreshold,
        });

        const podSpec = buildMatomoPodSpec(args, {
            bindsPort80: true,
            mountMiscVolume: true,
            regenerateTracker: true,
            terminationGracePeriodSeconds: 30,
            container: {
                name: "matomo",
                ports: [{ name: "http", containerPort: HTTP_PORT, protocol: "TCP" }],
                // Up to five minutes to start; afterwards three missed checks take a pod out of the
                // Service, and two minutes of failures restart it.
                startupProbe: probe(5, 5, 60),
                readinessProbe: probe(10, 5, 3),
                livenessProbe: probe(20, 10, 6),
                // Let the Service and Ingress stop sending requests before Apache stops.
                lifecycle: { preStop: { exec: { command: ["sleep", "5"] } } },
                resources: args.resources,
                volumeMounts: [
                    { name: "apache-run", mountPath: "/var/run/apache2" },
                    { name: "apache-lock", mountPath: "/var/lock/apache2" },
                ],
            },
            volumes: [
                { name: "apache-run", emptyDir: {} },
                { name: "apache-lock", emptyDir: {} },
            ],
        });

        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: { namespace: args.namespace, labels },
                spec: {
                    replicas: args.replicas,
                    revisionHistoryLimit: 5,
                    selector: { matchLabels: selector },
                    strategy: args.sharedStorage
                        ? { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
                        : { type: "Recreate" },
                    template: {
                        metadata: { labels, annotations: { "checksum/config": args.runtime.checksum } },
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
                    },
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
        this.registerOutputs({ serviceHost: this.serviceHost, deploymentName: this.deploymentName });
    }
}
