/**
 * Compliant resources for the policy tests, one per kind a rule checks. Every fixture passes every
 * rule; a test takes a fresh copy and changes one field, so the violation it expects can only come
 * from that field.
 */
import type { FakeResource } from "../support/policyArgs";

/** A sha256 digest (64 hex digits). */
export const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

/** A container that passes every rule. */
export function container(name = "web"): Record<string, any> {
    return {
        name,
        image: "matomo:5.11.2-apache",
        args: ["--credentials-file=/run/secrets/key.json", "--port=8080"],
        env: [
            { name: "MATOMO_DB_PASSWORD_FILE", value: "/run/secrets/matomo-database/password" },
            { name: "MATOMO_DB_USER", value: "matomo" },
            { name: "MAIL_PASSWORD", valueFrom: { secretKeyRef: { name: "mail", key: "password" } } },
        ],
        ports: [{ containerPort: 8080 }],
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
        securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            seccompProfile: { type: "RuntimeDefault" },
        },
    };
}

/** A pod spec that passes every rule: one init container, one container, the allowed volume types. */
export function podSpec(): Record<string, any> {
    return {
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, runAsUser: 33, fsGroup: 33, seccompProfile: { type: "RuntimeDefault" } },
        initContainers: [container("setup")],
        containers: [container("web")],
        volumes: [
            { name: "config", secret: { secretName: "config" } },
            { name: "scripts", configMap: { name: "scripts" } },
            { name: "data", persistentVolumeClaim: { claimName: "data" } },
            { name: "tmp", emptyDir: {} },
        ],
    };
}

/** The labels of the fixtures' pods. */
export const POD_LABELS = { "app.kubernetes.io/name": "matomo", "app.kubernetes.io/component": "web" };

const template = () => ({ metadata: { labels: { ...POD_LABELS } }, spec: podSpec() });
const meta = (name: string) => ({ name, namespace: "matomo" });

/** A compliant workload of each kind that makes pods, keyed by kind. */
export const WORKLOADS: Record<string, () => FakeResource> = {
    Pod: () => ({ type: "kubernetes:core/v1:Pod", props: { metadata: { ...meta("pod"), labels: { ...POD_LABELS } }, spec: podSpec() } }),
    Deployment: () => ({
        type: "kubernetes:apps/v1:Deployment",
        props: { metadata: meta("web"), spec: { replicas: 2, template: template() } },
    }),
    StatefulSet: () => ({ type: "kubernetes:apps/v1:StatefulSet", props: { metadata: meta("db"), spec: { template: template() } } }),
    DaemonSet: () => ({ type: "kubernetes:apps/v1:DaemonSet", props: { metadata: meta("agent"), spec: { template: template() } } }),
    ReplicaSet: () => ({ type: "kubernetes:apps/v1:ReplicaSet", props: { metadata: meta("rs"), spec: { template: template() } } }),
    Job: () => ({ type: "kubernetes:batch/v1:Job", props: { metadata: meta("install"), spec: { template: template() } } }),
    CronJob: () => ({
        type: "kubernetes:batch/v1:CronJob",
        props: { metadata: meta("archive"), spec: { schedule: "5 * * * *", jobTemplate: { spec: { template: template() } } } },
    }),
};

/** The pod spec inside a workload fixture, to change a field of it. */
export function podOf(resource: FakeResource): Record<string, any> {
    const props = resource.props;
    if (resource.type.endsWith(":Pod")) return props.spec;
    if (resource.type.endsWith(":CronJob")) return props.spec.jobTemplate.spec.template.spec;
    return props.spec.template.spec;
}

export function deployment(): FakeResource {
    return WORKLOADS.Deployment();
}

export function namespace(): FakeResource {
    const labels = Object.fromEntries(["enforce", "warn", "audit"].map((m) => [`pod-security.kubernetes.io/${m}`, "restricted"]));
    return { type: "kubernetes:core/v1:Namespace", props: { metadata: { name: "matomo", labels } } };
}

export function configMap(): FakeResource {
    return {
        type: "kubernetes:core/v1:ConfigMap",
        props: {
            metadata: meta("scripts"),
            data: {
                "php.ini": "memory_limit = 512M\nsession.save_handler = files\n",
                "install.sh": 'set -eu\npassword=$(cat -- "$MATOMO_DB_PASSWORD_FILE")\nexport TOKEN_FILE=/run/secrets/token\n',
                "database.php": "<?php\n$password = file_get_contents(getenv('MATOMO_DB_PASSWORD_FILE'));\n",
                "config.ini.php": '[database]\nhost = "mariadb"\nusername = "matomo"\npassword = ""\n',
                MARIADB_RANDOM_ROOT_PASSWORD: "yes",
            },
        },
    };
}

export function service(): FakeResource {
    return {
        type: "kubernetes:core/v1:Service",
        props: { metadata: meta("web"), spec: { type: "ClusterIP", selector: { ...POD_LABELS }, ports: [{ port: 80, targetPort: 8080 }] } },
    };
}

export function claim(): FakeResource {
    return {
        type: "kubernetes:core/v1:PersistentVolumeClaim",
        props: { metadata: meta("data"), spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "8Gi" } } } },
        opts: { retainOnDelete: true },
    };
}

export function statefulSet(): FakeResource {
    const set = WORKLOADS.StatefulSet();
    set.props.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: "Retain", whenScaled: "Retain" };
    return set;
}

/** The Cloud SQL instance as the prod stack configures it (components/database/cloudSqlInstance.ts). */
export function cloudSqlInstance(): FakeResource {
    return {
        type: "gcp:sql/databaseInstance:DatabaseInstance",
        props: {
            databaseVersion: "MYSQL_8_0",
            deletionProtection: true,
            region: "europe-west1",
            settings: {
                tier: "db-custom-2-8192",
                deletionProtectionEnabled: true,
                backupConfiguration: { enabled: true, binaryLogEnabled: true, startTime: "01:00", transactionLogRetentionDays: 7 },
                ipConfiguration: { ipv4Enabled: false, privateNetwork: "projects/p/global/networks/n", sslMode: "ENCRYPTED_ONLY" },
                connectorEnforcement: "REQUIRED",
            },
        },
    };
}

/** A NetworkPolicy that denies all ingress and egress to every pod of the namespace. */
export function denyAll(): FakeResource {
    return {
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        name: "deny-all",
        props: { metadata: meta("deny-all"), spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
    };
}

/**
 * A NetworkPolicy that allows what the program allows: DNS to the cluster's resolvers, and an
 * outside destination named by host (SMTP) at every address of both families on its one port.
 */
export function allowEgress(): FakeResource {
    const dns = [
        {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
        },
        { ipBlock: { cidr: "169.254.20.10/32" } },
    ];
    return {
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        name: "allow-egress",
        props: {
            metadata: meta("allow-egress"),
            spec: {
                podSelector: { matchLabels: { ...POD_LABELS } },
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: dns,
                        ports: [
                            { port: 53, protocol: "UDP" },
                            { port: 53, protocol: "TCP" },
                        ],
                    },
                    { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }], ports: [{ port: 587, protocol: "TCP" }] },
                ],
            },
        },
    };
}
