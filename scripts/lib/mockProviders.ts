/**
 * What the providers would compute for a new resource under the mock engine: generated names,
 * connection names, service-account e-mails, key material and passwords, deterministic per name.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { ed25519KeyPair } from "../../components/config/schema/opensshKey";

function shortHash(text: string, length: number): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/**
 * What the mock provider returns for a new resource: the inputs, plus what the real provider would
 * compute (generated names, connection names, service-account e-mails, key material).
 */
export function mockState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
    const inputs = args.inputs as Record<string, any>;
    if (args.type === "gcp:sql/databaseInstance:DatabaseInstance") {
        const name = inputs.name ?? `${args.name}-${shortHash(args.name, 7)}`;
        // Addresses as Cloud SQL assigns them: private from the VPC's private services range, public when enabled.
        const ip = inputs.settings?.ipConfiguration ?? {};
        const host = (parseInt(shortHash(args.name, 2), 16) % 250) + 2;
        return {
            ...inputs,
            name,
            connectionName: `${inputs.project}:${inputs.region}:${name}`,
            privateIpAddress: ip.privateNetwork ? `10.91.0.${host}` : "",
            publicIpAddress: ip.ipv4Enabled === false ? "" : `35.195.0.${host}`,
        };
    }
    if (args.type === "gcp:serviceaccount/account:Account") {
        const email = `${inputs.accountId}@${inputs.project}.iam.gserviceaccount.com`;
        return { ...inputs, email, name: `projects/${inputs.project}/serviceAccounts/${email}`, member: `serviceAccount:${email}` };
    }
    if (args.type === "gcp:serviceaccount/key:Key") {
        const keyFile = JSON.stringify({ type: "service_account", private_key_id: shortHash(args.name, 40) });
        return { ...inputs, privateKey: pulumi.secret(Buffer.from(keyFile).toString("base64")) };
    }
    if (args.type === "random:index/randomPassword:RandomPassword") {
        const length = Number(inputs.length ?? 16);
        // Only the character classes the resource allows, as the provider generates them.
        const raw = ("Mock" + shortHash(args.name, 64) + "Z9").slice(0, length);
        const text = inputs.upper === false ? raw.toLowerCase() : raw;
        return { ...inputs, result: pulumi.secret(text) };
    }
    if (args.type === "tls:index/privateKey:PrivateKey") {
        // A real key pair (ssh-keygen reads it), the same for the same resource name.
        const pair = ed25519KeyPair(args.name);
        return { ...inputs, privateKeyOpenssh: pulumi.secret(pair.privateKeyOpenssh), publicKeyOpenssh: pair.publicKeyOpenssh };
    }
    if (args.type.startsWith("kubernetes:")) {
        const metadata = (inputs.metadata ?? {}) as Record<string, unknown>;
        if (metadata.name === undefined) {
            // The Kubernetes provider's auto-naming: the resource name plus a random suffix.
            return { ...inputs, metadata: { ...metadata, name: `${args.name}-${shortHash(args.name, 8)}` } };
        }
    }
    return inputs;
}
