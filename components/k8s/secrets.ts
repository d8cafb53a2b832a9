/**
 * Credentials a workload reads from a Secret, whichever way the user provides them: set in the
 * stack (secret outputs, which get a Secret of their own) or as a Secret managed elsewhere
 * (External Secrets, sealed secrets), named in config as `existingSecret`.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

export type SecretSource =
    | { readonly existingSecret: string }
    | { readonly stringData: Readonly<Record<string, pulumi.Output<string>>> };

/** The name of the Secret to mount: the existing one, or a new Secret `name` holding `stringData`. */
export function secretNameFor(
    name: string,
    source: SecretSource,
    metadata: { readonly namespace: pulumi.Input<string>; readonly labels: Readonly<Record<string, string>> },
    opts: pulumi.CustomResourceOptions,
): pulumi.Input<string> {
    if ("existingSecret" in source) return source.existingSecret;
    const secret = new k8s.core.v1.Secret(
        name,
        { metadata: { namespace: metadata.namespace, labels: metadata.labels }, type: "Opaque", stringData: source.stringData },
        opts,
    );
    return secret.metadata.name;
}
