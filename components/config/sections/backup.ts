/**
 * `matomo:mariadb.backup`: scheduled dumps of the in-cluster MariaDB (topology `eea`), on by
 * default there. Cloud SQL keeps its own backups (`matomo:cloudsql.backups`).
 */
import type { ContainerResources } from "../../k8s/resources";
import { checkByteQuantity } from "../../k8s/units";
import { boolean, integer, string, type Field, type Issue, type ValueOf } from "../schema/fields";
import { cronSchedule, deadline, image, resources, type Image } from "../schema/parts";
import { object } from "../schema/structures";
import { checkOptionalDnsSubdomain } from "../schema/validators";

/** An http(s) URL with a host (and a port in range, which URL parsing checks). */
function checkEndpoint(value: string): string | undefined {
    try {
        const url = new URL(value);
        if (/^https?:$/.test(url.protocol) && url.hostname && !/\s/.test(value)) return undefined;
    } catch {
        // reported below
    }
    return "expected an http(s) URL such as https://minio.example.com:9000";
}

/** The fields of a database's scheduled dumps, on by default or not. */
const backupFields = (enabledByDefault: boolean) =>
    ({
        enabled: boolean({ doc: "Dump the Matomo database on a schedule onto a volume of its own.", default: enabledByDefault }),
        cronSchedule: cronSchedule("When the database is dumped (in matomo:timezone).", "30 1 * * *"),
        keep: integer({
            doc: "Complete backups kept; older ones are deleted only after a new one succeeded.",
            default: 7,
            min: 1,
            max: 366,
        }),
        uploads: boolean({
            doc: "Also archive Matomo's uploaded logos (`misc/user`, the one part of `misc/` that cannot be downloaded again).",
            default: true,
        }),
        storage: string({ doc: "Size of the backup volume (about `keep` compressed dumps).", default: "10Gi", check: checkByteQuantity }),
        storageClassName: string({
            doc: "StorageClass of the backup volume; empty for the cluster default. A backup on the database's cluster is not a disaster-recovery copy: see docs/backup-restore.md.",
            default: "",
            check: checkOptionalDnsSubdomain,
        }),
        offsite: object(
            {
                url: string({
                    doc: "Where each run's backups are also copied: `s3://<bucket>/<path>` (AWS or S3-compatible) or `gs://<bucket>/<path>`. Unset: no copies off the cluster.",
                    optional: true,
                    emptyIsUnset: true,
                    check: (v) =>
                        /^(s3|gs):\/\/[a-z0-9][a-z0-9._-]{1,61}[a-z0-9](\/[^\s]*)?$/.test(v)
                            ? undefined
                            : "expected s3://<bucket>/<path> or gs://<bucket>/<path>",
                }),
                endpoint: string({
                    doc: "Endpoint of an S3-compatible store (e.g. `https://minio.example.com`); unset for AWS S3.",
                    optional: true,
                    emptyIsUnset: true,
                    check: checkEndpoint,
                }),
                region: string({
                    doc: "S3 region.",
                    optional: true,
                    emptyIsUnset: true,
                    check: (v) => (/^[a-z0-9-]{2,32}$/.test(v) ? undefined : "expected a region such as eu-west-1"),
                }),
                existingSecret: string({
                    doc: "Secret with the credentials (required): `access-key-id` and `secret-access-key` for S3, `service-account.json` (a key of a Google service account that may create objects in the bucket) for GCS.",
                    optional: true,
                    emptyIsUnset: true,
                    check: checkOptionalDnsSubdomain,
                }),
                image: image("the off-site copy (rclone)", "rclone/rclone", "1.68.2"),
            },
            { doc: "Copies of the backups off the cluster (a backup on the database's cluster is not a disaster-recovery copy)." },
        ),
        activeDeadlineSeconds: deadline("backup", 6 * 3600),
        resources: resources("backup", { requestMemory: "64Mi", requestCpu: "100m", limitMemory: "512Mi" }),
    }) as const;

/** The switch of the backups: while off, every other setting has no effect. */
const BACKUP_SWITCH = { enabled: { off: "no backup runs, so nothing is dumped or copied off the cluster" } } as const;

/** `matomo:<section>.backup` of a database, with `extra` fields; on by default or not. */
export const backupKeyWith = <E extends Record<string, Field<unknown>>>(enabledByDefault: boolean, doc: string, extra: E) =>
    object({ ...backupFields(enabledByDefault), ...extra }, { doc, switches: BACKUP_SWITCH });

export const backupKey = backupKeyWith(true, "Scheduled dumps of the MariaDB database (topology `eea`).", {});

/** The backups, when enabled. */
export interface BackupConfig {
    readonly schedule: string;
    readonly keep: number;
    readonly uploads: boolean;
    readonly storage: string;
    readonly storageClassName?: string;
    readonly activeDeadlineSeconds: number;
    readonly resources: ContainerResources;
    /** Copies off the cluster; undefined without `offsite.url`. */
    readonly offsite?: {
        readonly url: string;
        readonly endpoint?: string;
        readonly region?: string;
        readonly existingSecret: string;
        readonly image: Image;
    };
}

/** The backup settings every database's backup key has. */
type BackupValue = ValueOf<ReturnType<typeof backupKeyWith>>;

export function resolveBackup(value: BackupValue): BackupConfig | undefined {
    if (!value.enabled) return undefined;
    return {
        schedule: value.cronSchedule,
        keep: value.keep,
        uploads: value.uploads,
        storage: value.storage,
        storageClassName: value.storageClassName || undefined,
        activeDeadlineSeconds: value.activeDeadlineSeconds,
        resources: value.resources,
        // Without a Secret the copy is refused (offsiteIssues), and the configuration never resolves.
        offsite:
            value.offsite.url === undefined
                ? undefined
                : { ...value.offsite, url: value.offsite.url, existingSecret: value.offsite.existingSecret ?? "" },
    };
}

/** Off-site settings that cannot work or would have no effect. */
export function offsiteIssues(value: BackupValue, section = "mariadb"): Issue[] {
    // Without backups, every off-site setting is reported as without effect (backupKey's switch).
    if (!value.enabled) return [];
    const o = value.offsite;
    const key = (k: string) => `matomo:${section}.backup.offsite.${k}`;
    if (o.url === undefined) {
        const set = (["endpoint", "region", "existingSecret"] as const).filter((k) => o[k] !== undefined);
        return set.map((k) => ({ key: key(k), message: `has no effect without ${section}.backup.offsite.url; set the url or remove it` }));
    }
    const issues: Issue[] = [];
    if (o.url.startsWith("s3://") && o.existingSecret === undefined) {
        issues.push({
            key: key("existingSecret"),
            message: "is required for s3://: a Secret with the keys access-key-id and secret-access-key",
        });
    }
    if (o.url.startsWith("gs://") && o.existingSecret === undefined) {
        issues.push({
            key: key("existingSecret"),
            message:
                "is required for gs://: the backup pod has no Google identity of its own on topology eea (no Workload Identity binding, " +
                "and the NetworkPolicies give it no route to a metadata server); create a Secret with the key service-account.json " +
                "(a key of a service account with roles/storage.objectCreator on the bucket) and name it here",
        });
    }
    if (o.url.startsWith("gs://")) {
        for (const k of ["endpoint", "region"] as const) {
            if (o[k] !== undefined) issues.push({ key: key(k), message: `is an S3 setting, without effect for ${o.url}; remove it` });
        }
    }
    return issues;
}
