/**
 * Where the MariaDB StatefulSet keeps its data directory: on a claim the StatefulSet makes from its
 * template `data`, which Kubernetes names `data-<statefulset>-0`; or on a claim that exists
 * already, an earlier installation's, at a directory inside it. Kubernetes names a template's claim
 * itself, so an existing claim is a volume of the pod (one replica: one pod mounts it at a time),
 * and an init container checks that it holds a data directory this server can open before the
 * entrypoint, which would initialise a new database on anything else, starts.
 */
import type * as k8s from "@pulumi/kubernetes";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ImageRef } from "../k8s/image";
import { HELPER_RESOURCES, toResourceRequirements } from "../k8s/resources";
import { restrictedContainer } from "../k8s/security";

/** The official image's data directory. */
export const DATA_DIR = "/var/lib/mysql";

/** A claim that holds a data directory, and the directory inside it (undefined: its root). */
export interface ExistingDataClaim {
    readonly name: string;
    readonly subPath?: string;
}

export interface DataVolumeArgs {
    /** Size of the claim, e.g. `10Gi`. */
    readonly storage: string;
    /** StorageClass of the claim. Defaults to the cluster's default class. */
    readonly storageClassName?: string;
    /** Labels of the claim. */
    readonly labels: Readonly<Record<string, string>>;
    /** A claim that exists already, used instead of one made from the template. Defaults to none. */
    readonly existingClaim?: ExistingDataClaim;
    /** The server's image, which the check runs (its `mariadbd` says the version it can open). */
    readonly image: ImageRef;
}

/**
 * The data volume's parts of the StatefulSet: the server's mount, the pod's volumes, the claim
 * templates, and the init containers that must succeed before the server starts.
 */
export interface DataVolume {
    readonly mount: k8s.types.input.core.v1.VolumeMount;
    readonly volumes: k8s.types.input.core.v1.Volume[];
    readonly volumeClaimTemplates?: k8s.types.input.core.v1.PersistentVolumeClaim[];
    readonly initContainers?: k8s.types.input.core.v1.Container[];
}

/** The check of an existing claim's data directory (a real file, shellcheck'd and run by the tests). */
export function checkDataDirectoryScript(): string {
    return readFileSync(join(__dirname, "scripts", "check-data-directory.sh"), "utf8");
}

export function dataVolume(args: DataVolumeArgs): DataVolume {
    const claim = args.existingClaim;
    const mount = { name: "data", mountPath: DATA_DIR, subPath: claim?.subPath };
    if (!claim) {
        return {
            mount,
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
    return {
        mount,
        volumes: [{ name: "data", persistentVolumeClaim: { claimName: claim.name } }],
        initContainers: [
            {
                name: "check-data-directory",
                image: args.image.reference,
                imagePullPolicy: args.image.pullPolicy,
                command: ["sh", "-c", checkDataDirectoryScript()],
                env: [
                    { name: "CHECK_DATA_DIR", value: DATA_DIR },
                    { name: "CHECK_CLAIM", value: claim.name },
                    { name: "CHECK_SUB_PATH", value: claim.subPath ?? "" },
                ],
                resources: toResourceRequirements(HELPER_RESOURCES),
                securityContext: restrictedContainer(),
                volumeMounts: [mount],
            },
        ],
    };
}
