/**
 * Where the MariaDB StatefulSet keeps its data directory: on a claim the StatefulSet makes from its
 * template `data`, which Kubernetes names `data-<statefulset>-0`.
 */
import type * as k8s from "@pulumi/kubernetes";

/** The official image's data directory. */
export const DATA_DIR = "/var/lib/mysql";

export interface DataVolumeArgs {
    /** Size of the claim, e.g. `10Gi`. */
    readonly storage: string;
    /** StorageClass of the claim. Defaults to the cluster's default class. */
    readonly storageClassName?: string;
    /** Labels of the claim. */
    readonly labels: Readonly<Record<string, string>>;
}

/** The data volume's parts of the StatefulSet: the server's mount, the pod's volumes and the claim templates. */
export interface DataVolume {
    readonly mount: k8s.types.input.core.v1.VolumeMount;
    readonly volumes: k8s.types.input.core.v1.Volume[];
    readonly volumeClaimTemplates: k8s.types.input.core.v1.PersistentVolumeClaim[];
}

export function dataVolume(args: DataVolumeArgs): DataVolume {
    return {
        mount: { name: "data", mountPath: DATA_DIR },
        volumes: [],
        volumeClaimTemplates: [
            {
                metadata: { name: "data", labels: { ...args.labels } },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: args.storageClassName,
                    resources: { requests: { storage: args.storage } },
                },
            },
        ],
    };
}
