/**
 * A real Ed25519 key pair in OpenSSH's formats, derived from a seed: what `@pulumi/tls`'s
 * `PrivateKey` (algorithm `ED25519`) returns as `privateKeyOpenssh` and `publicKeyOpenssh`, so the
 * mock engine answers with a key `ssh-keygen` and `ssh` accept (a test checks that). The config
 * schema makes one to stand in for a private key that is encrypted in a stack file.
 */
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";

/** DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");

const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
};
const sshString = (data: Buffer | string) => {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
    return Buffer.concat([u32(bytes.length), bytes]);
};

/** The key pair whose seed is SHA-256 of `seedText`. */
export function ed25519KeyPair(seedText: string, comment = ""): { privateKeyOpenssh: string; publicKeyOpenssh: string } {
    const seed = createHash("sha256").update(seedText).digest();
    const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: "der", type: "pkcs8" });
    const publicKey = createPublicKey(privateKey).export({ format: "der", type: "spki" }).subarray(-32);
    const publicBlob = Buffer.concat([sshString("ssh-ed25519"), sshString(publicKey)]);
    const check = u32(seed.readUInt32BE(0));
    let secret = Buffer.concat([
        check,
        check,
        sshString("ssh-ed25519"),
        sshString(publicKey),
        sshString(Buffer.concat([seed, publicKey])),
        sshString(comment),
    ]);
    // Padded with 1, 2, 3, ... to the cipher's block size (8 for "none").
    const padding = Array.from({ length: (8 - (secret.length % 8)) % 8 }, (_, i) => i + 1);
    secret = Buffer.concat([secret, Buffer.from(padding)]);
    const body = Buffer.concat([
        Buffer.from("openssh-key-v1\0"),
        sshString("none"),
        sshString("none"),
        sshString(""),
        u32(1),
        sshString(publicBlob),
        sshString(secret),
    ]).toString("base64");
    const lines = body.match(/.{1,70}/g) ?? [];
    return {
        privateKeyOpenssh: ["-----BEGIN OPENSSH PRIVATE KEY-----", ...lines, "-----END OPENSSH PRIVATE KEY-----", ""].join("\n"),
        publicKeyOpenssh: `ssh-ed25519 ${publicBlob.toString("base64")}\n`,
    };
}
