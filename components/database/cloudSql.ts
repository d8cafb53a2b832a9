/**
 * Google Cloud SQL for MySQL for Matomo (the Google-style topology): the instance (unless one
 * managed elsewhere is used), Matomo's database and user, the Google service account the Cloud SQL
 * Auth Proxy runs as, and what a pod needs to use it: the proxy as a native sidecar and a
 * Kubernetes service account bound to the Google one through Workload Identity.
 *
 * Differences from the seed's setup: no JSON key in the repository (Workload Identity by default;
 * a generated key in a Secret only when asked for), the database user created here with a
 * generated password instead of by hand in the console, proxy v2 instead of v1, MySQL 8 instead of
 * 5.7, backups with binary logging, connections only through the proxy, deletion protection.
 * Not managed here: enabling APIs and the VPC's private services access (docs/topologies.md, prerequisites).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as projects from "@pulumi/gcp/projects";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as sql from "@pulumi/gcp/sql";
import type { ImageRef } from "../k8s/image";
import type { InstallationArgs } from "../k8s/installation";
import { standardLabels } from "../k8s/labels";
import type { ContainerResources } from "../k8s/resources";
import { instanceArgs, type CloudSqlInstanceSettings } from "./cloudSqlInstance";
import { cloudSqlProxySidecar, PROXY_HOST, PROXY_PORT, proxyEgress, workloadIdentityMember } from "./cloudSqlProxy";
import type { DatabaseEndpoint } from "./endpoint";

export interface CloudSqlDatabaseArgs extends InstallationArgs {
    /** Project of the instance and of the Google service account. */
    readonly project: string;
    /** Region of the instance. */
    readonly region: string;
    /** The instance to create, or the name of one managed elsewhere (in {@link project} and {@link region}). */
    readonly sqlInstance: { readonly create: CloudSqlInstanceSettings } | { readonly existing: string };
    /**
     * Protect the created instance from deletion (in Pulumi and in GCP), and leave the database and
     * the user in place when they are removed from the stack.
     */
    readonly deletionProtection: boolean;
    /** Matomo's database, created with utf8mb4. */
    readonly database: string;
    /** Collation of the database (and Matomo's `[database] collation`), e.g. `utf8mb4_0900_ai_ci`. */
    readonly collation: string;
    /** The database user Matomo connects as. */
    readonly user: string;
    /** Password of {@link user} (secret). */
    readonly password: pulumi.Input<string>;
    /**
     * How the proxy authenticates: GKE Workload Identity (no key anywhere), or a service-account
     * key generated here and kept in a Secret, for clusters without Workload Identity.
     */
    readonly identity: "workloadIdentity" | "serviceAccountKey";
    /** ID of the Google service account the proxy runs as (6-30 characters). */
    readonly serviceAccountId: string;
    /** Kubernetes service account every database pod runs as (bound to the Google one). */
    readonly kubernetesServiceAccount: string;
    /** Workload Identity pool of the cluster, `<cluster project>.svc.id.goog`. */
    readonly workloadIdentityPool: string;
    /** The proxy dials the instance's private IP (the pods must be in its VPC). */
    readonly privateIp: boolean;
    /** The proxy sidecar's image and resources. */
    readonly proxy: { readonly image: ImageRef; readonly resources: ContainerResources };
}

/** Mounted name of the key Secret, when authenticating with a key instead of Workload Identity. */
const KEY_VOLUME = "cloudsql-key";

export class CloudSqlDatabase extends pulumi.ComponentResource {
    readonly endpoint: DatabaseEndpoint;
    readonly connectionName: pulumi.Output<string>;
    readonly instanceName: pulumi.Output<string>;
    readonly serviceAccountEmail: pulumi.Output<string>;

    constructor(name: string, args: CloudSqlDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("matomo:index:CloudSqlDatabase", name, {}, opts);
        const labels = standardLabels({ name: "cloud-sql", component: "database", instance: args.instance });
        const parent = { parent: this };
        const { project, region } = args;

        const created =
            "create" in args.sqlInstance
                ? new sql.DatabaseInstance(
                      `${name}-instance`,
                      instanceArgs(args.sqlInstance.create, {
                          project,
                          region,
                          installation: args.instance,
                          deletionProtection: args.deletionProtection,
                      }),
                      parent,
                  )
                : undefined;
        const existing = "existing" in args.sqlInstance ? args.sqlInstance.existing : undefined;
        this.instanceName = created ? created.name : pulumi.output(existing!);
        this.connectionName = created ? created.connectionName : pulumi.output(`${project}:${region}:${existing}`);

        const database = new sql.Database(
            `${name}-database`,
            {
                project,
                instance: this.instanceName,
                name: args.database,
                charset: "utf8mb4",
                collation: args.collation,
                // With deletion protection, removing the database from the stack leaves it (and its data) in place.
                deletionPolicy: args.deletionProtection ? "ABANDON" : "DELETE",
            },
            parent,
        );
        const user = new sql.User(
            `${name}-user`,
            {
                project,
                instance: this.instanceName,
                name: args.user,
                host: "%",
                password: args.password,
                deletionPolicy: args.deletionProtection ? "ABANDON" : undefined,
            },
            parent,
        );

        const account = new serviceaccount.Account(
            `${name}-proxy-identity`,
            {
                project,
                accountId: args.serviceAccountId,
                displayName: "Matomo Cloud SQL client",
                description: `Identity of the Cloud SQL Auth Proxy in Matomo's pods (${args.instance}).`,
            },
            parent,
        );
        // roles/cloudsql.client, limited by an IAM condition to this one instance.
        const client = new projects.IAMMember(
            `${name}-cloudsql-client`,
            {
                project,
                role: "roles/cloudsql.client",
                member: account.member,
                condition: {
                    title: "Matomo instance only",
                    description: "Connect to the Matomo Cloud SQL instance and no other.",
                    expression: pulumi.interpolate`resource.name == "projects/${project}/instances/${this.instanceName}"`,
                },
            },
            parent,
        );

        const serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-kubernetes-service-account`,
            {
                metadata: {
                    name: args.kubernetesServiceAccount,
                    namespace: args.namespace,
                    labels,
                    annotations: args.identity === "workloadIdentity" ? { "iam.gke.io/gcp-service-account": account.email } : undefined,
                },
                // GKE's metadata server identifies the pod itself; no token needs to be mounted.
                automountServiceAccountToken: false,
            },
            parent,
        );

        const identityResources: pulumi.Resource[] = [];
        let keyVolume: k8s.types.input.core.v1.Volume | undefined;
        if (args.identity === "workloadIdentity") {
            identityResources.push(
                new serviceaccount.IAMMember(
                    `${name}-workload-identity`,
                    {
                        serviceAccountId: account.name,
                        role: "roles/iam.workloadIdentityUser",
                        member: pulumi
                            .all([args.namespace, serviceAccount.metadata.name])
                            .apply(([namespace, ksa]) => workloadIdentityMember(args.workloadIdentityPool, namespace, ksa)),
                    },
                    parent,
                ),
            );
        } else {
            // Fallback for clusters without Workload Identity: a key generated here, kept in a Secret.
            const key = new serviceaccount.Key(`${name}-proxy-key`, { serviceAccountId: account.name }, parent);
            const keySecret = new k8s.core.v1.Secret(
                `${name}-proxy-key`,
                {
                    metadata: { namespace: args.namespace, labels },
                    type: "Opaque",
                    // privateKey is the key file, base64-encoded: exactly what `data` takes.
                    data: { "credentials.json": key.privateKey },
                },
                parent,
            );
            identityResources.push(keySecret);
            keyVolume = { name: KEY_VOLUME, secret: { secretName: keySecret.metadata.name, defaultMode: 0o440 } };
        }

        const credentials = new k8s.core.v1.Secret(
            `${name}-credentials`,
            {
                metadata: { name: `${name}-credentials`, namespace: args.namespace, labels },
                type: "Opaque",
                stringData: { password: args.password },
            },
            parent,
        );

        this.serviceAccountEmail = account.email;
        this.endpoint = {
            host: pulumi.output(PROXY_HOST),
            port: PROXY_PORT,
            database: args.database,
            user: args.user,
            password: pulumi.secret(args.password),
            passwordSecret: { name: credentials.metadata.name, key: "password" },
            schema: "Mysql",
            charset: "utf8mb4",
            collation: args.collation,
            // Cloud SQL never grants the FILE privilege.
            loadDataInfile: false,
            podPatch: {
                initContainers: [
                    cloudSqlProxySidecar({
                        image: args.proxy.image,
                        connectionName: this.connectionName,
                        privateIp: args.privateIp,
                        keyVolume: keyVolume ? KEY_VOLUME : undefined,
                        resources: args.proxy.resources,
                    }),
                ],
                volumes: keyVolume ? [keyVolume] : [],
                serviceAccountName: serviceAccount.metadata.name,
                pullSecrets: args.proxy.image.pullSecrets,
                // Cloud SQL's addresses are IPv4; the proxy dials the private one with --private-ip.
                egress: proxyEgress(args.identity, created && (args.privateIp ? created.privateIpAddress : created.publicIpAddress)),
            },
            dependencies: [database, user, client, serviceAccount, ...identityResources, ...(created ? [created] : [])],
        };
        this.registerOutputs({
            connectionName: this.connectionName,
            instanceName: this.instanceName,
            serviceAccountEmail: this.serviceAccountEmail,
        });
    }
}
