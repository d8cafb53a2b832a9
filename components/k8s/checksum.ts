import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/** SHA-256 of a text, hex encoded. */
export function sha256(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

/**
 * A pod-template annotation value that changes whenever any of `contents` changes, so that
 * `pulumi up` rolls the pods after a config change (files mounted from Secrets and ConfigMaps
 * do not restart anything by themselves).
 *
 * The hash is deliberately not secret even when a content is (config.ini.php holds passwords):
 * SHA-256 of a text that includes a generated 40-character salt reveals nothing, and a visible
 * hash lets `pulumi preview` show that a rollout is coming.
 */
export function checksumOf(...contents: pulumi.Input<string>[]): pulumi.Output<string> {
    return pulumi.unsecret(pulumi.all(contents).apply((texts) => sha256(texts.join("\u0000"))));
}
