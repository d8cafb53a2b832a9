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
 * Not managed here: enabling APIs and the VPC's private services access (README prerequisites).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as projects from "@pulumi/gcp/projects";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as sql from "@pulumi/gcp/sql";
import type { CloudSqlConfig } from "../config";
import { standardLabels } from "../k8s/labels";
import type { ContainerResources } from "../k8s/resources";
import { cloudSqlProxySidecar, PROXY_HOST, PROXY_PORT, workloadIdentityMember } from "./cloudSqlProxy";
import type { DatabaseEndpoint } from "./endpoint";

/** A GCP label value: lower-case letters, digits, '-' and '_', at most 63 characters. */
export function gcpLabelValue(text: string): string {
    return text.toLowerCase().replace(/[^a-z0-9_-]/g, "-").slice(0, 63);
}

export interface CloudSqlDatabaseArgs {
    /** Namespace of the Kubernetes objects (service account, Secrets). */
    readonly namespace: pulumi.Input<string>;
    /** Installation name for labels. */
    readonly instance: string;
    readonly settings: CloudSqlConfig;
    /** Password of Matomo's database user (secret). */
    readonly password: pulumi.Output<string>;
    /** The proxy sidecar's image reference, pull policy and resources. */
    readonly proxy: { readonly image: string; readonly imagePullPolicy: string; readonly resources: ContainerResources };
}

export class CloudSqlDatabase extends pulumi.ComponentResource {
    readonly endpoint: DatabaseEndpoint;
    readonly connectionName: pulumi.Output<string>;
    readonly instanceName: pulumi.Output<string>;
    readonly serviceAccountEmail: pulumi.Output<string>;

    constructor(name: string, args: CloudSqlDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("matomo:index:CloudSqlDatabase", name, {}, opts);
        const s = args.settings;
        const labels = standardLabels({ name: "cloud-sql", component: "database", instance: args.instance });
        const parent = { parent: this };

        const instance = s.existingInstance ? undefined : this.createInstance(name, s, args.instance);
        this.instanceName = instance ? instance.name : pulumi.output(s.existingInstance!.instance);
        this.connectionName = instance ? instance.connectionName : pulumi.output(`${s.project}:${s.region}:${s.existingInstance!.instance}`);

        const database = new sql.Database(
            `${name}-database`,
            {
                project: s.project,
                instance: this.instanceName,
                name: s.database,
                charset: "utf8mb4",
                collation: s.collation,
                // With deletion protection, removing the database from the stack leaves it (and its data) in place.
                deletionPolicy: s.deletionProtection ? "ABANDON" : "DELETE",
            },
            parent,
        );
        const user = new sql.User(
            `${name}-user`,
            {
                project: s.project,
                instance: this.instanceName,
                name: s.user,
                host: "%",
                password: args.password,
                deletionPolicy: s.deletionProtection ? "ABANDON" : undefined,
            },
            parent,
        );

        const account = new serviceaccount.Account(
            `${name}-proxy-identity`,
            {
                project: s.project,
                accountId: s.serviceAccountId,
                displayName: "Matomo Cloud SQL client",
                description: `Identity of the Cloud SQL Auth Proxy in Matomo's pods (${args.instance}).`,
            },
            parent,
        );
        // roles/cloudsql.client, limited by an IAM condition to this one instance.
        const client = new projects.IAMMember(
            `${name}-cloudsql-client`,
            {
                project: s.project,
                role: "roles/cloudsql.client",
                member: account.member,
                condition: {
                    title: "Matomo instance only",
                    description: "Connect to the Matomo Cloud SQL instance and no other.",
                    expression: pulumi.interpolate`resource.name == "projects/${s.project}/instances/${this.instanceName}"`,
                },
            },
            parent,
        );

        const serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-kubernetes-service-account`,
            {
                metadata: {
                    name: s.kubernetesServiceAccount,
                    namespace: args.namespace,
                    labels,
                    annotations:
                        s.identity === "workloadIdentity" ? { "iam.gke.io/gcp-service-account": account.email } : undefined,
                },
                // GKE's metadata server identifies the pod itself; no token needs to be mounted.
                automountServiceAccountToken: false,
            },
            parent,
        );

        const identityResources: pulumi.Resource[] = [];
        const KEY_VOLUME = "cloudsql-key";
        let keyVolume: k8s.types.input.core.v1.Volume | undefined;
        if (s.identity === "workloadIdentity") {
            identityResources.push(
                new serviceaccount.IAMMember(
                    `${name}-workload-identity`,
                    {
                        serviceAccountId: account.name,
                        role: "roles/iam.workloadIdentityUser",
                        member: pulumi
                            .all([args.namespace, serviceAccount.metadata.name])
                            .apply(([namespace, ksa]) => workloadIdentityMember(s.workloadIdentityPool, namespace, ksa)),
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
            keyVolume = {
                name: KEY_VOLUME,
                secret: { secretName: keySecret.metadata.name, defaultMode: 0o440 },
            };
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
            database: s.database,
            user: s.user,
            password: pulumi.secret(args.password),
            passwordSecret: { name: credentials.metadata.name, key: "password" },
            schema: "Mysql",
            charset: "utf8mb4",
            collation: s.collation,
            // Cloud SQL never grants the FILE privilege.
            loadDataInfile: false,
            podPatch: {
                initContainers: [
                    cloudSqlProxySidecar({
                        image: args.proxy.image,
                        imagePullPolicy: args.proxy.imagePullPolicy,
                        connectionName: this.connectionName,
                        privateIp: s.privateNetwork !== undefined,
                        keyVolume: keyVolume ? KEY_VOLUME : undefined,
                        resources: args.proxy.resources,
                    }),
                ],
                volumes: keyVolume ? [keyVolume] : [],
                serviceAccountName: serviceAccount.metadata.name,
            },
            dependencies: [database, user, client, serviceAccount, ...identityResources, ...(instance ? [instance] : [])],
        };
        this.registerOutputs({
            connectionName: this.connectionName,
            instanceName: this.instanceName,
            serviceAccountEmail: this.serviceAccountEmail,
        });
    }

    private createInstance(name: string, s: CloudSqlConfig, installation: string): sql.DatabaseInstance {
        return new sql.DatabaseInstance(
            `${name}-instance`,
            {
                project: s.project,
                region: s.region,
                name: s.instanceName,
                databaseVersion: s.databaseVersion,
                // Pulumi refuses to delete the instance while this is true.
                deletionProtection: s.deletionProtection,
                settings: {
                    edition: s.edition,
                    tier: s.tier,
                    availabilityType: s.availabilityType,
                    diskType: s.diskType,
                    diskSize: s.diskSize,
                    diskAutoresize: s.diskAutoresize,
                    diskAutoresizeLimit: s.diskAutoresizeLimit,
                    // GCP refuses deletion from every surface (console, gcloud, API) while this is true.
                    deletionProtectionEnabled: s.deletionProtection,
                    backupConfiguration: {
                        enabled: s.backups.enabled,
                        binaryLogEnabled: s.backups.binaryLog,
                        startTime: s.backups.startTime,
                        location: s.backups.location,
                        transactionLogRetentionDays: s.backups.transactionLogRetentionDays,
                        backupRetentionSettings: { retainedBackups: s.backups.retainedBackups, retentionUnit: "COUNT" },
                    },
                    ipConfiguration: {
                        ipv4Enabled: s.publicIp,
                        privateNetwork: s.privateNetwork,
                        sslMode: s.sslMode,
                    },
                    connectorEnforcement: s.connectorEnforcement,
                    databaseFlags: Object.entries(s.flags).map(([flag, value]) => ({ name: flag, value })),
                    insightsConfig: { queryInsightsEnabled: s.queryInsights },
                    maintenanceWindow: {
                        day: s.maintenanceWindow.day,
                        hour: s.maintenanceWindow.hour,
                        updateTrack: s.maintenanceWindow.updateTrack,
                    },
                    userLabels: { app: "matomo", installation: gcpLabelValue(installation), "managed-by": "pulumi" },
                },
            },
            { parent: this },
        );
    }
}
