/**
 * The Cloud SQL Auth Proxy v2 as a native sidecar: an init container with `restartPolicy: Always`
 * (Kubernetes 1.29+). It starts before the pod's own containers (they wait for its startup probe,
 * so Matomo never races the proxy for its first connection) and is stopped after they exit, which
 * lets a Job's pod complete when its main container is done. The seed ran proxy v1 (2018) as a
 * plain second container, with a JSON key checked into the repository.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Egress } from "../k8s/egress";
import type { ImageRef } from "../k8s/image";
import { toResourceRequirements, type ContainerResources } from "../k8s/resources";
import { restrictedContainer } from "../k8s/security";

/** Where the proxy listens for MySQL clients inside the pod (Matomo dials 127.0.0.1, not "localhost", which PHP would read as a Unix socket). */
export const PROXY_HOST = "127.0.0.1";
export const PROXY_PORT = 3306;
/** The proxy's HTTP port for `/startup`, `/liveness` and `/readiness`. */
export const PROXY_HEALTH_PORT = 9801;
/** Where a service-account key (fallback identity) is mounted. */
export const PROXY_KEY_DIR = "/secrets/cloudsql";

export interface ProxySidecarArgs {
    /** The Cloud SQL Auth Proxy v2 image. */
    readonly image: ImageRef;
    /** Instance connection name `project:region:instance`. */
    readonly connectionName: pulumi.Input<string>;
    /** Dial the instance's private IP (the pod must be in the instance's VPC). */
    readonly privateIp: boolean;
    /**
     * Volume holding `credentials.json`, when authenticating with a key instead of Workload
     * Identity. Defaults to none (Workload Identity).
     */
    readonly keyVolume?: string;
    /** Requests and limits of the proxy's container. */
    readonly resources: ContainerResources;
}

/** The proxy's command-line flags (see `cloud-sql-proxy --help`). */
export function proxyArgs(args: Pick<ProxySidecarArgs, "connectionName" | "privateIp" | "keyVolume">): pulumi.Input<string>[] {
    return [
        `--port=${PROXY_PORT}`,
        "--structured-logs",
        "--health-check",
        "--http-address=0.0.0.0",
        `--http-port=${PROXY_HEALTH_PORT}`,
        // A Job's pod ends with SIGTERM to its sidecars; exit 0 so that is not a failure.
        "--exit-zero-on-sigterm",
        ...(args.privateIp ? ["--private-ip"] : []),
        ...(args.keyVolume ? [`--credentials-file=${PROXY_KEY_DIR}/credentials.json`] : []),
        args.connectionName,
    ];
}

/** The sidecar container. */
export function cloudSqlProxySidecar(args: ProxySidecarArgs): k8s.types.input.core.v1.Container {
    const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
        httpGet: { path, port: "proxy-health" },
        periodSeconds,
        timeoutSeconds: 5,
        failureThreshold,
    });
    return {
        name: "cloud-sql-proxy",
        image: args.image.reference,
        imagePullPolicy: args.image.pullPolicy,
        restartPolicy: "Always",
        args: proxyArgs(args),
        ports: [{ name: "proxy-health", containerPort: PROXY_HEALTH_PORT, protocol: "TCP" }],
        // Up to a minute to reach the instance; the pod's own containers start after this passes.
        startupProbe: probe("/startup", 1, 60),
        // No readiness probe: a database blip must not take every web pod out of the Service.
        livenessProbe: probe("/liveness", 10, 6),
        resources: toResourceRequirements(args.resources),
        securityContext: restrictedContainer(),
        volumeMounts: args.keyVolume ? [{ name: args.keyVolume, mountPath: PROXY_KEY_DIR, readOnly: true }] : undefined,
    };
}

/** GKE's metadata server, where Workload Identity gets the proxy its token: port 80, and 988 on Dataplane V2 (and node-local). */
const METADATA_SERVER = { cidrs: ["169.254.169.254/32"], port: 80 } as const;
const GKE_METADATA_SERVER = { cidrs: ["169.254.169.252/32", "127.0.0.1/32"], port: 988 } as const;

/**
 * The connections the proxy opens: the instance's server port (3307) at `instanceAddress` when the
 * program knows it (an instance it creates), else through the configured blocks; Google's APIs
 * (443: the Cloud SQL Admin API for the instance's certificate, and OAuth); and with Workload
 * Identity the GKE metadata server for its token.
 */
export function proxyEgress(identity: "workloadIdentity" | "serviceAccountKey", instanceAddress?: pulumi.Input<string>): Egress[] {
    return [
        {
            name: "cloud-sql",
            to: instanceAddress ? { cidrs: [pulumi.interpolate`${instanceAddress}/32`] } : { destination: "cloudSql" },
            ports: [3307],
        },
        { name: "google-apis", to: { destination: "googleApis" }, ports: [443] },
        ...(identity === "workloadIdentity"
            ? [
                  { name: "metadata-server", to: { cidrs: METADATA_SERVER.cidrs }, ports: [METADATA_SERVER.port] },
                  { name: "gke-metadata-server", to: { cidrs: GKE_METADATA_SERVER.cidrs }, ports: [GKE_METADATA_SERVER.port] },
              ]
            : []),
    ];
}

/** The Workload Identity principal of a Kubernetes service account. */
export function workloadIdentityMember(pool: string, namespace: string, serviceAccount: string): string {
    return `serviceAccount:${pool}[${namespace}/${serviceAccount}]`;
}
