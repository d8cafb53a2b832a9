import type * as pulumi from "@pulumi/pulumi";

/**
 * Where a component deploys and to which installation its objects belong: the fields every
 * component's `...Args` starts from.
 */
export interface InstallationArgs {
    /** Namespace of every Kubernetes object the component creates. */
    readonly namespace: pulumi.Input<string>;
    /**
     * Name of the installation (`<project>-<stack>`): the `app.kubernetes.io/instance` label of
     * every object, so that two stacks in one cluster never select each other's pods.
     */
    readonly instance: string;
}
