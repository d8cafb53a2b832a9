/**
 * The contract between the database components and everything that talks to the database.
 *
 * Both topologies produce a {@link DatabaseEndpoint}: the in-cluster MariaDB and Cloud SQL behind
 * the Cloud SQL Auth Proxy. Matomo's pods are built from it without knowing which one they got:
 * the host, credentials and engine details go into `config.ini.php`, and the {@link PodPatch} adds
 * whatever a pod needs to reach the database (for Cloud SQL, the proxy sidecar and the service
 * account that may use it).
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Egress } from "../k8s/egress";

/** What a pod that talks to the database must carry. */
export interface PodPatch {
    /** Init containers placed before the pod's own (native sidecars such as the Cloud SQL proxy). */
    readonly initContainers: readonly k8s.types.input.core.v1.Container[];
    /** Volumes those containers, and the containers that talk to the database, mount. */
    readonly volumes: readonly k8s.types.input.core.v1.Volume[];
    /** Mounts every container that talks to the database needs (the TLS CA certificate). Defaults to none. */
    readonly volumeMounts?: readonly k8s.types.input.core.v1.VolumeMount[];
    /** Service account the pod runs as (for Workload Identity); undefined for the namespace default. */
    readonly serviceAccountName?: pulumi.Input<string>;
    /** Pull secrets of those containers' images, for the pod's `imagePullSecrets`. Defaults to none. */
    readonly pullSecrets?: readonly string[];
    /**
     * Connections those containers open out of the installation (the proxy's, to Cloud SQL and
     * Google's APIs); none for a database in the cluster, which {@link DatabaseEndpoint.server} names.
     */
    readonly egress: readonly Egress[];
}

/** How Matomo reaches and uses its database. */
export interface DatabaseEndpoint {
    /** Host Matomo dials: a Service DNS name, or 127.0.0.1 behind a local proxy. */
    readonly host: pulumi.Output<string>;
    readonly port: number;
    readonly database: string;
    readonly user: string;
    /**
     * The user's password (a secret output), written into config.ini.php; undefined when it lives
     * only in a Secret managed elsewhere ({@link passwordSecret}), read when a pod starts.
     */
    readonly password?: pulumi.Output<string>;
    /** The Secret and key holding the password, for pods that need it outside config.ini.php. */
    readonly passwordSecret: { readonly name: pulumi.Output<string>; readonly key: string };
    /** Matomo's `[database] schema`: `Mariadb` or `Mysql`. */
    readonly schema: "Mariadb" | "Mysql";
    /** Character set and collation the database was created with. */
    readonly charset: string;
    readonly collation: string;
    /** Whether Matomo may try `LOAD DATA INFILE` (Cloud SQL never grants the FILE privilege). */
    readonly loadDataInfile: boolean;
    /**
     * The pods that serve the database in the cluster and their port, for NetworkPolicies;
     * undefined when the database is outside the cluster (reached through a sidecar).
     */
    readonly server?: { readonly podLabels: Readonly<Record<string, string>>; readonly port: number };
    /** TLS towards the server; undefined for clear text (a server in the cluster, or behind a local proxy). */
    readonly tls?: DatabaseTls;
    /** What every database-using pod needs. */
    readonly podPatch: PodPatch;
    /** Resources that must exist before a pod can reach the database (Pulumi `dependsOn`). */
    readonly dependencies: readonly pulumi.Resource[];
}

/** A patch that adds nothing: the database is reachable over the pod network as it is. */
export const NO_POD_PATCH: PodPatch = { initContainers: [], volumes: [], egress: [] };

/** How the clients check the server over TLS (Matomo's `[database]` ssl settings, the clients' `--ssl-*`). */
export interface DatabaseTls {
    /** The CA certificate file in the pods: one mounted by {@link PodPatch.volumeMounts}, or the image's system bundle. */
    readonly caFile: string;
    /** Check the certificate and its name against the host; false: encrypted only. */
    readonly verifyServerCertificate: boolean;
}
