/**
 * MariaDB inside the cluster (the EEA-style topology): a one-replica StatefulSet of the official
 * `mariadb` image with its data on a PersistentVolumeClaim, a headless Service, the credentials
 * in a Secret and the server options in a config file.
 *
 * Security defaults, all different from the seed chart: the passwords reach the server as files
 * from a Secret (never plain env values); root may only log in from inside the pod
 * (`MARIADB_ROOT_HOST=localhost`, the seed's root existed as `root@'%'`); the server runs as the
 * image's `mysql` user (999) with a read-only root filesystem. Not managed here: backups (see the
 * README runbook) and replication.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { checksumOf } from "../k8s/checksum";
import { selectorLabels, standardLabels } from "../k8s/labels";
import { toResourceRequirements, type ContainerResources } from "../k8s/resources";
import { restrictedContainer, restrictedPod } from "../k8s/security";
import { NO_POD_PATCH, type DatabaseEndpoint } from "./endpoint";
import { optionValue, renderServerConfig, type ServerOption } from "./serverOptions";

/** The `mysql` user and group of the official image. */
const MYSQL_UID = 999;
const PORT = 3306;
const CONFIG_FILE = "matomo.cnf";
const SECRETS_DIR = "/run/secrets/mariadb";

export interface MariaDbArgs {
    /** Namespace for every object. */
    readonly namespace: pulumi.Input<string>;
    /** Installation name for the `app.kubernetes.io/instance` label. */
    readonly instance: string;
    /** Image reference, e.g. `mariadb:10.11.18`. */
    readonly image: string;
    /** Image pull policy. Defaults to `IfNotPresent`. */
    readonly imagePullPolicy?: string;
    /** Database created on first start, which Matomo uses. */
    readonly database: string;
    /** User created on first start, with all privileges on {@link database}. */
    readonly user: string;
    /** Password of {@link user} (secret). */
    readonly password: pulumi.Output<string>;
    /** Password of root (secret); root may only log in from inside the pod. */
    readonly rootPassword: pulumi.Output<string>;
    /** Server options, rendered into `/etc/mysql/conf.d/matomo.cnf`. */
    readonly serverOptions: readonly ServerOption[];
    /** Size of the data volume, e.g. `10Gi`. */
    readonly storage: string;
    /** StorageClass of the data volume; undefined for the cluster default. */
    readonly storageClassName?: string;
    readonly resources: ContainerResources;
    /** `TZ` of the server. */
    readonly timezone: string;
    /**
     * Keep the data volume when the StatefulSet is deleted (`persistentVolumeClaimRetentionPolicy`
     * `Retain`). Defaults to true.
     */
    readonly retainStorage?: boolean;
}

export class MariaDb extends pulumi.ComponentResource {
    /** How Matomo reaches this database. */
    readonly endpoint: DatabaseEndpoint;
    /** The headless Service's in-cluster DNS name. */
    readonly serviceHost: pulumi.Output<string>;

    constructor(name: string, args: MariaDbArgs, opts?: pulumi.ComponentResourceOptions) {
        super("matomo:index:MariaDb", name, {}, opts);
        const id = { name: "mariadb", component: "database", instance: args.instance };
        const labels = standardLabels(id);
        const selector = selectorLabels(id);

        const credentials = new k8s.core.v1.Secret(
            `${name}-credentials`,
            {
                metadata: { name: `${name}-credentials`, namespace: args.namespace, labels },
                type: "Opaque",
                stringData: { password: args.password, "root-password": args.rootPassword },
            },
            { parent: this },
        );

        const serverConfigText = renderServerConfig(args.serverOptions);
        const serverConfig = new k8s.core.v1.ConfigMap(
            `${name}-server-config`,
            {
                metadata: { namespace: args.namespace, labels },
                data: { [CONFIG_FILE]: serverConfigText },
            },
            { parent: this },
        );

        const service = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: { name, namespace: args.namespace, labels },
                spec: {
                    clusterIP: "None",
                    selector,
                    ports: [{ name: "mysql", port: PORT, targetPort: "mysql", protocol: "TCP" }],
                },
            },
            { parent: this },
        );

        const healthcheck = (...tests: string[]) => ({ exec: { command: ["healthcheck.sh", ...tests] } });
        const statefulSet = new k8s.apps.v1.StatefulSet(
            `${name}-statefulset`,
            {
                metadata: { name, namespace: args.namespace, labels },
                spec: {
                    serviceName: service.metadata.name,
                    replicas: 1,
                    selector: { matchLabels: selector },
                    persistentVolumeClaimRetentionPolicy: {
                        whenDeleted: (args.retainStorage ?? true) ? "Retain" : "Delete",
                        whenScaled: "Retain",
                    },
                    template: {
                        metadata: {
                            labels,
                            annotations: { "checksum/server-config": checksumOf(serverConfigText) },
                        },
                        spec: {
                            automountServiceAccountToken: false,
                            enableServiceLinks: false,
                            securityContext: restrictedPod(MYSQL_UID, MYSQL_UID),
                            // A clean InnoDB shutdown flushes the buffer pool; give it time.
                            terminationGracePeriodSeconds: 300,
                            containers: [
                                {
                                    name: "mariadb",
                                    image: args.image,
                                    imagePullPolicy: args.imagePullPolicy ?? "IfNotPresent",
                                    ports: [{ name: "mysql", containerPort: PORT, protocol: "TCP" }],
                                    env: [
                                        { name: "MARIADB_DATABASE", value: args.database },
                                        { name: "MARIADB_USER", value: args.user },
                                        { name: "MARIADB_PASSWORD_FILE", value: `${SECRETS_DIR}/password` },
                                        { name: "MARIADB_ROOT_PASSWORD_FILE", value: `${SECRETS_DIR}/root-password` },
                                        { name: "MARIADB_ROOT_HOST", value: "localhost" },
                                        // Runs mariadb-upgrade after a version bump of the image.
                                        { name: "MARIADB_AUTO_UPGRADE", value: "1" },
                                        { name: "MARIADB_INITDB_SKIP_TZINFO", value: "1" },
                                        { name: "TZ", value: args.timezone },
                                    ],
                                    resources: toResourceRequirements(args.resources),
                                    securityContext: restrictedContainer(),
                                    // Crash recovery of a large database can take long: allow an hour
                                    // before the kubelet gives up, without slowing down later checks.
                                    startupProbe: {
                                        ...healthcheck("--connect", "--innodb_initialized"),
                                        periodSeconds: 10,
                                        timeoutSeconds: 5,
                                        failureThreshold: 360,
                                    },
                                    readinessProbe: {
                                        ...healthcheck("--connect", "--innodb_initialized"),
                                        periodSeconds: 10,
                                        timeoutSeconds: 5,
                                        failureThreshold: 3,
                                    },
                                    // Only "is the port open": a busy server that refuses a login must
                                    // not be restarted.
                                    livenessProbe: {
                                        ...healthcheck("--connect"),
                                        periodSeconds: 30,
                                        timeoutSeconds: 10,
                                        failureThreshold: 6,
                                    },
                                    volumeMounts: [
                                        { name: "data", mountPath: "/var/lib/mysql" },
                                        {
                                            name: "server-config",
                                            mountPath: `/etc/mysql/conf.d/${CONFIG_FILE}`,
                                            subPath: CONFIG_FILE,
                                            readOnly: true,
                                        },
                                        { name: "credentials", mountPath: SECRETS_DIR, readOnly: true },
                                        { name: "run", mountPath: "/run/mysqld" },
                                        { name: "tmp", mountPath: "/tmp" },
                                    ],
                                },
                            ],
                            volumes: [
                                { name: "server-config", configMap: { name: serverConfig.metadata.name } },
                                {
                                    name: "credentials",
                                    secret: { secretName: credentials.metadata.name, defaultMode: 0o440 },
                                },
                                { name: "run", emptyDir: {} },
                                { name: "tmp", emptyDir: {} },
                            ],
                        },
                    },
                    volumeClaimTemplates: [
                        {
                            metadata: { name: "data", labels },
                            spec: {
                                accessModes: ["ReadWriteOnce"],
                                storageClassName: args.storageClassName,
                                resources: { requests: { storage: args.storage } },
                            },
                        },
                    ],
                },
            },
            {
                parent: this,
                // First start initialises the data directory; a restart may run crash recovery.
                customTimeouts: { create: "30m", update: "60m" },
            },
        );

        this.serviceHost = pulumi.interpolate`${service.metadata.name}.${service.metadata.namespace}.svc`;
        this.endpoint = {
            host: this.serviceHost,
            port: PORT,
            database: args.database,
            user: args.user,
            password: pulumi.secret(args.password),
            passwordSecret: { name: credentials.metadata.name, key: "password" },
            schema: "Mariadb",
            charset: optionValue(args.serverOptions, "character_set_server") ?? "utf8mb4",
            collation: optionValue(args.serverOptions, "collation_server") ?? "utf8mb4_general_ci",
            loadDataInfile: true,
            podPatch: NO_POD_PATCH,
            dependencies: [statefulSet],
        };
        this.registerOutputs({ serviceHost: this.serviceHost });
    }
}
