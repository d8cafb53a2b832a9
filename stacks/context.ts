/**
 * What every topology's composition starts from, and the stack outputs every topology exports.
 */
import * as pulumi from "@pulumi/pulumi";
import type { MatomoConfig, SecretValue } from "../components/config";
import { withStackPullSecrets, type ImageRef } from "../components/k8s/image";
import type { MaintenanceSwitches } from "../components/k8s/maintenance";

/** What a topology's composition starts from (the config narrowed to the topology where known). */
export interface StackContext<C extends MatomoConfig = MatomoConfig> {
    readonly cfg: C;
    /** Installation name (`<project>-<stack>`), the `app.kubernetes.io/instance` label. */
    readonly instance: string;
    /** The namespace every object goes to (an output of the Namespace when the stack creates it). */
    readonly namespace: pulumi.Output<string>;
}

/** The stack outputs, the same for every topology (topologies may add their own). */
export interface StackOutputs {
    /** Public URL of Matomo. */
    readonly url: pulumi.Output<string>;
    /** Tracking endpoint for the JavaScript tracker and the HTTP API (`matomo.php`). */
    readonly trackerUrl: pulumi.Output<string>;
    /** URL of the JavaScript tracker (`matomo.js`). */
    readonly trackerJsUrl: pulumi.Output<string>;
    readonly namespace: pulumi.Output<string>;
    /** In-cluster DNS names of the Services. */
    readonly services: {
        readonly web: pulumi.Output<string>;
        readonly database?: pulumi.Output<string>;
    };
    /** Names of the CronJobs, for `kubectl create job --from=cronjob/<name>`. */
    readonly cronJobs: pulumi.Output<string[]>;
    /** The log import, when configured: the public key to put into the log hosts' authorized_keys. */
    readonly logImport?: { readonly publicKey: pulumi.Output<string> };
    /** Host Matomo connects to for its database. */
    readonly databaseHost: pulumi.Output<string>;
    readonly superuserLogin: string;
    /** Superuser password (secret): `pulumi stack output superuserPassword --show-secrets`. */
    readonly superuserPassword: pulumi.Output<string>;
}

/** A credential from the stack config as a secret output; undefined when the config leaves it to be generated. */
export function secretOf(value: SecretValue): pulumi.Output<string>;
export function secretOf(value: SecretValue | undefined): pulumi.Output<string> | undefined;
export function secretOf(value: SecretValue | undefined): pulumi.Output<string> | undefined {
    return value === undefined ? undefined : pulumi.secret(value.reveal());
}

/** `matomo:maintenance` as the components with CronJobs take it: each job's declaration decides what it stops. */
export function maintenanceOf(cfg: MatomoConfig): MaintenanceSwitches {
    return { ui: cfg.maintenance.disableUi, tracking: cfg.maintenance.disableTracking };
}

/** An image of the config as a component takes it: pulled with the stack-wide `imagePullSecrets`, then its own. */
export function pulledImage<I extends ImageRef>(cfg: MatomoConfig, image: I): I {
    return withStackPullSecrets(image, cfg.imagePullSecrets);
}
