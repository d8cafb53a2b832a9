/**
 * A MySQL 8 or MariaDB server run elsewhere (Amazon RDS, Azure Database for MySQL, an on-premises
 * server), for topology `external`: no workload, only what Matomo's pods need to reach it. The
 * password goes into a Secret of the stack (or stays in one managed elsewhere), the CA certificate
 * into a ConfigMap (or stays in a Secret or ConfigMap managed elsewhere), mounted into every pod
 * that talks to the database; every connection goes straight to `host:port`, which the pods' egress
 * declares for the NetworkPolicies (`networkPolicy.egressTo.database`: a host name cannot go there).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { InstallationArgs } from "../k8s/installation";
import { standardLabels } from "../k8s/labels";
import type { DatabaseEndpoint, DatabaseTls, PodPatch } from "./endpoint";

/** Where the CA certificate is mounted in every pod that talks to the database. */
export const CA_DIR = "/etc/matomo-database-tls";
const CA_FILE = "ca.pem";
/**
 * The system CA bundle of the Debian-based images (Matomo's, MariaDB's Ubuntu-based one), as one
 * file, the one form every client takes: Matomo's `ssl_ca`, PDO's MYSQL_ATTR_SSL_CA, the MariaDB
 * clients' `ssl-ca`. (PHP's mysqlnd checks the certificate whenever given a CA, file or directory.)
 */
export const SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
const CA_VOLUME = "database-ca";

export interface ExternalDatabaseArgs extends InstallationArgs {
    /** Host name or IP address of the server. */
    readonly host: string;
    readonly port: number;
    /** Matomo's database, created beforehand. */
    readonly database: string;
    /** The user Matomo connects as, created beforehand with Matomo's grants. */
    readonly user: string;
    /** The password: its value (secret), or the Secret (in the namespace) and key that hold it. */
    readonly password: { readonly value: pulumi.Input<string> } | { readonly existingSecret: string; readonly key: string };
    /** Collation of Matomo's connection (`[database] collation`). */
    readonly collation: string;
    /**
     * TLS towards the server: the CA as PEM text (a ConfigMap is made of it), in an object managed
     * elsewhere, or undefined for the images' system bundle. Undefined: Matomo and the PDO scripts
     * connect in clear text (the backup clients still encrypt, unchecked, when the server offers TLS).
     */
    readonly tls?: {
        readonly verifyServerCertificate: boolean;
        readonly ca?: { readonly pem: string } | { readonly kind: "Secret" | "ConfigMap"; readonly name: string; readonly key: string };
    };
}

export class ExternalDatabase extends pulumi.ComponentResource {
    readonly endpoint: DatabaseEndpoint;

    constructor(name: string, args: ExternalDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("matomo:index:ExternalDatabase", name, {}, opts);
        const labels = standardLabels({ name: "external-database", component: "database", instance: args.instance });
        const parent = { parent: this };

        const given = "value" in args.password ? args.password.value : undefined;
        const credentials =
            given === undefined
                ? undefined
                : new k8s.core.v1.Secret(
                      `${name}-credentials`,
                      {
                          metadata: { name: `${name}-credentials`, namespace: args.namespace, labels },
                          type: "Opaque",
                          stringData: { password: pulumi.secret(given) },
                      },
                      parent,
                  );
        const passwordSecret =
            "existingSecret" in args.password
                ? { name: pulumi.output(args.password.existingSecret), key: args.password.key }
                : { name: credentials!.metadata.name, key: "password" };

        const ca = args.tls?.ca;
        const caConfigMap =
            ca && "pem" in ca
                ? new k8s.core.v1.ConfigMap(
                      `${name}-ca`,
                      { metadata: { namespace: args.namespace, labels }, data: { [CA_FILE]: ca.pem } },
                      parent,
                  )
                : undefined;
        const caVolume: k8s.types.input.core.v1.Volume | undefined =
            ca === undefined
                ? undefined
                : "pem" in ca
                  ? { name: CA_VOLUME, configMap: { name: caConfigMap!.metadata.name } }
                  : ca.kind === "Secret"
                    ? { name: CA_VOLUME, secret: { secretName: ca.name, items: [{ key: ca.key, path: CA_FILE }] } }
                    : { name: CA_VOLUME, configMap: { name: ca.name, items: [{ key: ca.key, path: CA_FILE }] } };
        const tls: DatabaseTls | undefined = args.tls && {
            caFile: caVolume ? `${CA_DIR}/${CA_FILE}` : SYSTEM_CA_BUNDLE,
            verifyServerCertificate: args.tls.verifyServerCertificate,
        };
        const podPatch: PodPatch = {
            initContainers: [],
            volumes: caVolume ? [caVolume] : [],
            volumeMounts: caVolume ? [{ name: CA_VOLUME, mountPath: CA_DIR, readOnly: true }] : [],
            egress: [{ name: "database", to: { destination: "database" }, ports: [args.port] }],
        };

        this.endpoint = {
            host: pulumi.output(args.host),
            port: args.port,
            database: args.database,
            user: args.user,
            password: given === undefined ? undefined : pulumi.secret(given),
            passwordSecret,
            // Matomo's MySQL schema works on MySQL and MariaDB alike (its Mariadb one needs Matomo 5.1 or later).
            schema: "Mysql",
            charset: "utf8mb4",
            collation: args.collation,
            // Managed servers (RDS, Azure) grant no FILE privilege, and the file would be on another host.
            loadDataInfile: false,
            tls,
            podPatch,
            dependencies: [...(credentials ? [credentials] : []), ...(caConfigMap ? [caConfigMap] : [])],
        };
        this.registerOutputs({});
    }
}
