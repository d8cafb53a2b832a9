/**
 * `known_hosts` as OpenSSH reads it (sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT"): which lines are
 * keys, and whether a log host has one. Checked before deploying, because a missing or mistyped
 * entry would otherwise only show as a failed rsync run an hour later.
 */
import { createHmac } from "node:crypto";

/** Key types OpenSSH accepts in known_hosts. */
const KEY_TYPES = new Set([
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
]);

/** One key line: its host patterns (comma-separated in the file) and key type. */
export interface KnownHost {
    readonly patterns: readonly string[];
    readonly keyType: string;
    readonly marker?: "@cert-authority" | "@revoked";
}

/** The key inside a known_hosts base64 field names its own type first; a pasted key must agree. */
function keyBlobType(base64: string): string | undefined {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return undefined;
    const blob = Buffer.from(base64, "base64");
    if (blob.length < 4) return undefined;
    const length = blob.readUInt32BE(0);
    return blob.length >= 4 + length ? blob.subarray(4, 4 + length).toString("latin1") : undefined;
}

/** The key lines, or the first problem (with its line number). Comments and blank lines are skipped. */
export function parseKnownHosts(text: string): KnownHost[] | string {
    const hosts: KnownHost[] = [];
    const lines = text.split("\n");
    for (const [index, raw] of lines.entries()) {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) continue;
        const fields = line.split(/\s+/);
        const marker = fields[0] === "@cert-authority" || fields[0] === "@revoked" ? (fields.shift() as KnownHost["marker"]) : undefined;
        const [patterns, keyType, key] = fields;
        const where = `line ${index + 1}`;
        if (!patterns || !keyType || !key) return `${where}: expected "<hosts> <key type> <base64 key>" (the output of ssh-keyscan)`;
        if (!KEY_TYPES.has(keyType)) return `${where}: "${keyType}" is not a key type OpenSSH knows (${[...KEY_TYPES].join(", ")})`;
        if (keyBlobType(key) !== keyType) return `${where}: the key is not a ${keyType} key in base64 (was it cut or wrapped?)`;
        hosts.push({ patterns: patterns.split(","), keyType, marker });
    }
    return hosts;
}

/** How ssh names a host in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
    return port === 22 ? host : `[${host}]:${port}`;
}

/** Whether one pattern (plain, with `*`/`?`, or hashed `|1|salt|hash`) matches the name. */
function matches(pattern: string, name: string): boolean {
    const hashed = /^\|1\|([A-Za-z0-9+/=]+)\|([A-Za-z0-9+/=]+)$/.exec(pattern);
    if (hashed) return createHmac("sha1", Buffer.from(hashed[1], "base64")).update(name).digest("base64") === hashed[2];
    const regex = new RegExp(
        `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        "i",
    );
    return regex.test(name);
}

/** Whether a key line for `host`:`port` exists (not revoked, not negated). */
export function hasKnownHost(hosts: readonly KnownHost[], host: string, port: number): boolean {
    const name = knownHostName(host, port);
    return hosts.some((entry) => {
        if (entry.marker === "@revoked") return false;
        if (entry.patterns.some((p) => p.startsWith("!") && matches(p.slice(1), name))) return false;
        return entry.patterns.some((p) => !p.startsWith("!") && matches(p, name));
    });
}
