/** What the log import is built from (see `LogImport`). */
import type * as pulumi from "@pulumi/pulumi";
import type { ImageRef } from "../k8s/image";
import type { CronJobHistory } from "../k8s/jobs";
import type { MaintenanceSwitches } from "../k8s/maintenance";
import type { PodPlacement } from "../k8s/placement";
import type { ContainerResources } from "../k8s/resources";
import type { MatomoWorkload } from "../matomo/podBuilder";
import type { SyncSource } from "./scripts";

export interface LogImportArgs extends Omit<MatomoWorkload, "runtime"> {
    /** Matomo's table prefix, for the import user's grants. */
    readonly tablesPrefix: string;
    /** Where each site's logs come from (one source per site). */
    readonly sources: readonly SyncSource[];
    /** The log volume both jobs share: fetched files and the import records. */
    readonly storage: {
        readonly size: string;
        /** Defaults to the cluster's default class. */
        readonly storageClassName?: string;
        readonly accessMode: "ReadWriteOnce" | "ReadWriteMany";
        /** Keep the claim when it is removed from the stack. */
        readonly retain: boolean;
    };
    /** The fetch job. */
    readonly fetch: {
        readonly image: ImageRef;
        readonly schedule: string;
        readonly resources: ContainerResources;
        readonly activeDeadlineSeconds: number;
        readonly timeoutSeconds: number;
        /** A key pair to use. Defaults to a generated Ed25519 pair. */
        readonly key?: { readonly privateKey: pulumi.Input<string>; readonly publicKey: string };
        /** known_hosts of the log hosts; undefined only when `verifyHostKeys` is false. */
        readonly knownHosts?: string;
        /** Extra ssh_config. Defaults to none. */
        readonly sshConfig?: string;
        readonly verifyHostKeys: boolean;
    };
    /** The import job. */
    readonly importer: {
        /** A Python 3 image. */
        readonly image: ImageRef;
        readonly schedule: string;
        readonly resources: ContainerResources;
        readonly activeDeadlineSeconds: number;
        /** import_logs.py options besides the program's own. */
        readonly options: readonly string[];
        readonly maxAttempts: number;
        /** Matomo's base URL inside the cluster (the web Service). */
        readonly matomoUrl: string;
        /**
         * The user the program creates (login, e-mail; Matomo's salt, which its stored token is hashed
         * with), or a token given instead (then no user is created).
         */
        readonly credentials:
            | { readonly login: string; readonly email: string; readonly salt: pulumi.Input<string> }
            | { readonly token: pulumi.Input<string> };
    };
    /** Node selector of both jobs (the node of a ReadWriteOnce volume). Defaults to none. */
    readonly nodeLabels: Readonly<Record<string, string>>;
    /** History and starting deadline of the CronJobs. */
    readonly history: CronJobHistory;
    /** The maintenance switches that are on: the import stops for either, the fetch for neither. */
    readonly maintenance: MaintenanceSwitches;
    /** Where both jobs' pods run and their extra labels and annotations (beside `nodeLabels`). Defaults to none. */
    readonly placement?: PodPlacement;
}
