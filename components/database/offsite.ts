/**
 * Copies of the backups off the cluster, with rclone: to an S3-compatible bucket or to Google Cloud
 * Storage, configured entirely by environment variables (rclone's `RCLONE_CONFIG_<REMOTE>_*`),
 * credentials from a Secret. A backup on the database's own cluster is not a disaster-recovery
 * backup; this one is, once the bucket is elsewhere.
 *
 * Only published backups are copied (`matomo-*`: a run's temporary files start with a dot), and
 * `--immutable` refuses to overwrite a copy that differs, so a broken local file can never replace
 * a good remote one. The bucket's own lifecycle rules decide how long copies are kept.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { Egress } from "../k8s/egress";
import { podImagePullSecrets, type ImageRef } from "../k8s/image";
import { HELPER_RESOURCES, toResourceRequirements } from "../k8s/resources";
import { restrictedContainer } from "../k8s/security";

/** Where the copies go. */
export interface OffsiteArgs {
    /** `s3://<bucket>/<path>` or `gs://<bucket>/<path>`. */
    readonly url: string;
    /** S3-compatible endpoint (e.g. `https://minio.example.com`). Defaults to AWS S3. */
    readonly endpoint?: string;
    /** S3 region. Defaults to rclone's (us-east-1). */
    readonly region?: string;
    /** Secret with the credentials: `access-key-id` and `secret-access-key` for S3, `service-account.json` for GCS. */
    readonly existingSecret: string;
}

/** The name rclone knows the destination by. */
const REMOTE = "OFFSITE";
/** Where the GCS key is mounted. */
export const OFFSITE_SECRET_DIR = "/run/secrets/offsite";

/** `rclone copy` of the published backups in `dir` to the destination. */
export function offsiteCopyCommand(dir: string, url: string): string[] {
    const target = url.replace(/^(s3|gs):\/\//, "");
    return ["rclone", "copy", "--include", "matomo-*", "--immutable", "--verbose", dir, `${REMOTE.toLowerCase()}:${target}`];
}

/** rclone's configuration of the destination, as environment variables (secrets by reference). */
export function offsiteEnv(o: OffsiteArgs): k8s.types.input.core.v1.EnvVar[] {
    const v = (name: string, value: string) => ({ name: `RCLONE_CONFIG_${REMOTE}_${name}`, value });
    const fromSecret = (name: string, key: string) => ({
        name: `RCLONE_CONFIG_${REMOTE}_${name}`,
        valueFrom: { secretKeyRef: { name: o.existingSecret, key } },
    });
    // rclone keeps its config and cache under HOME; the root filesystem is read-only.
    const base = [{ name: "HOME", value: "/tmp" }];
    if (o.url.startsWith("s3://")) {
        return [
            ...base,
            v("TYPE", "s3"),
            v("PROVIDER", o.endpoint ? "Other" : "AWS"),
            ...(o.endpoint ? [v("ENDPOINT", o.endpoint)] : []),
            ...(o.region ? [v("REGION", o.region)] : []),
            v("ENV_AUTH", "false"),
            fromSecret("ACCESS_KEY_ID", "access-key-id"),
            fromSecret("SECRET_ACCESS_KEY", "secret-access-key"),
        ];
    }
    return [
        ...base,
        v("TYPE", "google cloud storage"),
        v("BUCKET_POLICY_ONLY", "true"),
        v("SERVICE_ACCOUNT_FILE", `${OFFSITE_SECRET_DIR}/service-account.json`),
    ];
}

/** The upload's connection: the endpoint's port (443 for AWS S3 and GCS), through the configured blocks. */
export function offsiteEgress(o: OffsiteArgs): Egress {
    const url = o.endpoint ? new URL(o.endpoint) : undefined;
    const port = !url ? 443 : url.port ? Number(url.port) : url.protocol === "http:" ? 80 : 443;
    return { name: "offsite-backup", to: { destination: "offsite" }, ports: [port] };
}

/** Where the backup pod keeps what it published: the directory, and the volume that holds it. */
export interface PublishedBackups {
    readonly dir: string;
    readonly volume: string;
}

/**
 * The backup pod with the copy off the cluster: its containers become init containers (the dump
 * runs first, and a failed dump copies nothing), and rclone copies what they published. The pod
 * keeps a `tmp` volume, which rclone's HOME uses.
 */
export function withOffsiteCopy(
    spec: k8s.types.input.core.v1.PodSpec,
    offsite: OffsiteArgs & PublishedBackups & { readonly image: ImageRef },
    podImage: ImageRef,
): k8s.types.input.core.v1.PodSpec {
    const gcsKey = offsite.url.startsWith("gs://");
    return {
        ...spec,
        imagePullSecrets: podImagePullSecrets([podImage, offsite.image]),
        initContainers: spec.containers,
        containers: [
            {
                name: "copy-offsite",
                image: offsite.image.reference,
                imagePullPolicy: offsite.image.pullPolicy,
                command: offsiteCopyCommand(offsite.dir, offsite.url),
                env: offsiteEnv(offsite),
                resources: toResourceRequirements(HELPER_RESOURCES),
                securityContext: restrictedContainer(),
                volumeMounts: [
                    { name: offsite.volume, mountPath: offsite.dir, readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                    ...(gcsKey ? [{ name: "offsite", mountPath: OFFSITE_SECRET_DIR, readOnly: true }] : []),
                ],
            },
        ],
        volumes: [
            ...(spec.volumes as k8s.types.input.core.v1.Volume[]),
            ...(gcsKey ? [{ name: "offsite", secret: { secretName: offsite.existingSecret, defaultMode: 0o440 } }] : []),
        ],
    };
}
