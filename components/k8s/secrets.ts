/**
 * Credentials: generated ones, and those a workload reads from a Secret whichever way the user
 * provides them: set in the stack (secret outputs, which get a Secret of their own) or as a Secret
 * managed elsewhere (External Secrets, sealed secrets), named in config as `existingSecret`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/**
 * A password generated once and kept in the stack's state, as a secret output: letters and digits
 * only (at least two of each kind), so config.ini.php and shell environments need no quoting.
 */
export function generatedPassword(name: string, length: number, opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
    const password = new random.RandomPassword(name, { length, special: false, minLower: 2, minUpper: 2, minNumeric: 2 }, opts);
    return pulumi.secret(password.result);
}

export type SecretSource = { readonly existingSecret: string } | { readonly stringData: Readonly<Record<string, pulumi.Output<string>>> };

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
