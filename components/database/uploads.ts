/**
 * Matomo's uploaded logos (`misc/user`, the one part of `misc/` that cannot be downloaded again) in
 * the backup and restore pods, which archive them with each dump and restore them with it.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** Where the backup and restore pods see `misc/user`. */
export const UPLOADS_DIR = "/matomo-misc/user";

/**
 * Matomo's `misc/` claim, `subPath` the directory in it that is `misc/` (its root when undefined);
 * `colocateWith` are the labels of the pods holding it when it is ReadWriteOnce.
 */
export interface MatomoUploads {
    readonly claimName: pulumi.Input<string>;
    readonly subPath?: string;
    readonly colocateWith?: Readonly<Record<string, string>>;
}

/** `misc/user` of the claim, alone: the pods never see the rest of `misc/`. */
export function uploadsMount(uploads: MatomoUploads, readOnly: boolean): k8s.types.input.core.v1.VolumeMount {
    return { name: "misc", mountPath: UPLOADS_DIR, subPath: uploads.subPath ? `${uploads.subPath}/user` : "user", readOnly };
}

export function uploadsVolume(uploads: MatomoUploads): k8s.types.input.core.v1.Volume {
    return { name: "misc", persistentVolumeClaim: { claimName: uploads.claimName } };
}
