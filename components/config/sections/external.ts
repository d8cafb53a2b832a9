/**
 * `matomo:external`: a MySQL 8 or MariaDB server the user already runs (Amazon RDS, Azure Database
 * for MySQL, an on-premises server), for topology `external`. The program creates no database
 * workload and checks nothing it cannot know (the server, its grants, its `max_connections`): it
 * connects to `host:port` with the given user, over TLS unless told otherwise, and sums the
 * installation's connections against the `maxConnections` declared here.
 */
import { X509Certificate } from "node:crypto";
import { boolean, integer, string, type ValueOf } from "../schema/fields";
import { parseIp } from "../schema/cidr";
import { image, type Image } from "../schema/parts";
import { secret } from "../schema/secretField";
import type { SecretValue } from "../schema/secretValue";
import { object } from "../schema/structures";
import { checkDatabaseName, checkDatabaseUser, checkDnsSubdomain, checkIniSafeSecret } from "../schema/validators";
import { backupKeyWith, resolveBackup, type BackupConfig } from "./backup";
import { report, type ResolveContext } from "./context";

/** A host name or an IP address, as PDO's DSN and the MariaDB client take it (no scheme, no port). */
export function checkDatabaseHost(value: string): string | undefined {
    if (parseIp(value) !== undefined) return undefined;
    if (/^[a-z]+:\/\//i.test(value) || /[/:@]/.test(value)) {
        return "expected a bare host name or IP address, without a scheme, a user or a port (external.port sets it)";
    }
    return checkDnsSubdomain(value) === undefined
        ? undefined
        : "expected a host name of dot-separated lower-case labels (e.g. matomo.abc123.eu-west-1.rds.amazonaws.com) or an IP address";
}

/** PEM text of one or more X.509 certificates (a CA bundle), each one that OpenSSL can read. */
export function checkPemCertificates(value: string): string | undefined {
    const blocks = value.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) return "expected PEM text: one or more blocks from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----";
    for (const [i, block] of blocks.entries()) {
        try {
            new X509Certificate(block);
        } catch (e) {
            return `certificate ${i + 1} of ${blocks.length} cannot be read (${(e as Error).message}); paste the CA's PEM file as it is`;
        }
    }
    return undefined;
}

/** A key of a Secret or ConfigMap, as the API server accepts it. */
function checkDataKey(value: string): string | undefined {
    return /^[-._a-zA-Z0-9]{1,253}$/.test(value) ? undefined : "expected a key of letters, digits, '-', '_' or '.' (at most 253)";
}

/** A Secret or ConfigMap name, as the API server accepts it. */
const objectName = (doc: string) => string({ doc, optional: true, emptyIsUnset: true, check: checkDnsSubdomain });

export const externalKey = object(
    {
        host: string({
            doc: "Host name or IP address of the database server (e.g. the RDS endpoint), reachable from the cluster's pods. Required for topology `external`.",
            optional: true,
            check: checkDatabaseHost,
        }),
        port: integer({ doc: "Port of the database server.", default: 3306, min: 1, max: 65535 }),
        database: string({
            doc: "Matomo's database on that server (created beforehand, utf8mb4).",
            default: "matomo",
            check: checkDatabaseName,
        }),
        user: string({
            doc: "Database user Matomo connects as (created beforehand, with the grants docs/topologies.md lists).",
            default: "matomo",
            check: checkDatabaseUser,
        }),
        password: secret({
            doc: "Password of `user` (set with `--secret`). Required unless `existingSecret` names a Secret that holds it.",
            alternative: "or name a Secret holding it in external.existingSecret",
            check: checkIniSafeSecret,
        }),
        existingSecret: objectName(
            "Instead of password: a Secret in the namespace that holds the password under `existingSecretKey` (read when a pod starts).",
        ),
        existingSecretKey: string({ doc: "The key of the password in `existingSecret`.", default: "password", check: checkDataKey }),
        collation: string({
            doc: "Collation of Matomo's connection (`[database] collation`): one of utf8mb4 that the server has; the default exists on MySQL 8 and MariaDB.",
            default: "utf8mb4_general_ci",
            check: (v) => (/^utf8mb4_[a-z0-9_]{1,58}$/.test(v) ? undefined : "expected a utf8mb4 collation such as utf8mb4_general_ci"),
        }),
        maxConnections: integer({
            doc: "The server's `max_connections` (`SELECT @@max_connections`), as you declare it: the program cannot read it, but refuses a stack that could open more connections than that (see `--format capacity`). 151 is MySQL's and MariaDB's default.",
            default: 151,
            min: 1,
            max: 100000,
        }),
        tls: object(
            {
                enabled: boolean({ doc: "Connect over TLS (Matomo's `[database] enable_ssl`, the clients' `--ssl`).", default: true }),
                verifyServerCertificate: boolean({
                    doc: "Check the server's certificate against the CA and its name against `host` (off: encrypted, but anyone in the path can pose as the server).",
                    default: true,
                }),
                caCertificate: string({
                    doc: "The CA certificate(s) that signed the server's certificate, as PEM text (a ConfigMap is made of it). Unset (and no existing Secret or ConfigMap): the images' system CA bundle (/etc/ssl/certs/ca-certificates.crt), which holds the public CAs Azure uses, but not Amazon RDS's.",
                    optional: true,
                    emptyIsUnset: true,
                    multiline: true,
                    check: checkPemCertificates,
                }),
                caExistingSecret: objectName("Instead of caCertificate: a Secret in the namespace holding the CA's PEM under `caKey`."),
                caExistingConfigMap: objectName(
                    "Instead of caCertificate: a ConfigMap in the namespace holding the CA's PEM under `caKey`.",
                ),
                caKey: string({
                    doc: "The key of the PEM in `caExistingSecret` or `caExistingConfigMap`.",
                    default: "ca.pem",
                    check: checkDataKey,
                }),
            },
            { doc: "TLS towards the database server.", switches: { enabled: { off: "Matomo and its scripts connect in clear text" } } },
        ),
        backup: backupKeyWith(
            false,
            "Scheduled logical dumps of the database into the cluster (off by default: the server's own backups come first).",
            {
                image: image("the database client of the backups (mariadb-dump)", "mariadb", "10.11.18"),
            },
        ),
    },
    { doc: "A MySQL 8 or MariaDB server run elsewhere (topology `external`)." },
);

/** Where the CA certificate comes from: PEM text in the stack, or an object in the namespace. */
export type CaSource = { readonly pem: string } | { readonly kind: "Secret" | "ConfigMap"; readonly name: string; readonly key: string };

/** The external database, every default resolved. */
export interface ExternalDatabaseConfig {
    readonly host: string;
    readonly port: number;
    readonly database: string;
    readonly user: string;
    /** The password: set in the stack (secret), or in a Secret managed elsewhere. */
    readonly password: { readonly value: SecretValue } | { readonly existingSecret: string; readonly key: string };
    readonly collation: string;
    readonly maxConnections: number;
    /** TLS; undefined for clear text. `ca` undefined: the system CA bundle. */
    readonly tls?: { readonly verifyServerCertificate: boolean; readonly ca?: CaSource };
    /** Scheduled dumps, with the client image; undefined when off. */
    readonly backup?: BackupConfig & { readonly image: Image };
}

/** The settings, or undefined with the problems reported. */
export function resolveExternal(value: ValueOf<typeof externalKey>, ctx: ResolveContext): ExternalDatabaseConfig | undefined {
    const before = ctx.issues.length;
    if (value.host === undefined) {
        report(
            ctx,
            "external.host",
            'is required for topology "external": `pulumi config set --path external.host <host name or IP address>`',
        );
    }
    const { password, existingSecret } = value;
    if (password === undefined && existingSecret === undefined) {
        report(
            ctx,
            "external.password",
            "is required: `pulumi config set --secret --path external.password <password>`, or name a Secret holding it in external.existingSecret",
        );
    }
    if (password !== undefined && existingSecret !== undefined)
        report(ctx, "external.existingSecret", "is set together with password; use one or the other");
    if (existingSecret === undefined && value.existingSecretKey !== "password") {
        report(ctx, "external.existingSecretKey", "has no effect without external.existingSecret; set it or remove the key");
    }
    const tls = value.tls.enabled ? resolveTls(value.tls, ctx) : undefined;
    const backup = resolveBackup(value.backup);
    if (ctx.issues.length > before) return undefined;
    return {
        host: value.host!,
        port: value.port,
        database: value.database,
        user: value.user,
        password: password !== undefined ? { value: password } : { existingSecret: existingSecret!, key: value.existingSecretKey },
        collation: value.collation,
        maxConnections: value.maxConnections,
        tls,
        backup: backup && { ...backup, image: value.backup.image },
    };
}

/** The TLS settings: at most one source of the CA, and a CA only where it is used. */
function resolveTls(tls: ValueOf<typeof externalKey>["tls"], ctx: ResolveContext): ExternalDatabaseConfig["tls"] {
    const sources = (["caCertificate", "caExistingSecret", "caExistingConfigMap"] as const).filter((k) => tls[k] !== undefined);
    if (sources.length > 1) {
        report(ctx, `external.tls.${sources[1]}`, `is set together with external.tls.${sources[0]}; name the CA one way only`);
    }
    if (!tls.verifyServerCertificate && sources.length > 0) {
        report(
            ctx,
            `external.tls.${sources[0]}`,
            "has no effect with verifyServerCertificate false: nothing checks the server's certificate against it; remove it, or set verifyServerCertificate to true",
        );
    }
    if (tls.caKey !== "ca.pem" && tls.caExistingSecret === undefined && tls.caExistingConfigMap === undefined) {
        report(ctx, "external.tls.caKey", "has no effect without caExistingSecret or caExistingConfigMap; set one or remove the key");
    }
    const ca: CaSource | undefined =
        tls.caCertificate !== undefined
            ? { pem: tls.caCertificate }
            : tls.caExistingSecret !== undefined
              ? { kind: "Secret", name: tls.caExistingSecret, key: tls.caKey }
              : tls.caExistingConfigMap !== undefined
                ? { kind: "ConfigMap", name: tls.caExistingConfigMap, key: tls.caKey }
                : undefined;
    return { verifyServerCertificate: tls.verifyServerCertificate, ca };
}
