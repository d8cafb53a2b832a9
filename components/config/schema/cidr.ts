/**
 * IPv4 and IPv6 addresses and CIDR blocks as the Kubernetes API server checks a NetworkPolicy's
 * `ipBlock` (`cidr` must parse, `except` must lie strictly inside it), so that a wrong block is
 * refused at preview rather than by the API server at `pulumi up`.
 */

/** A parsed block: the address as a number, its family and prefix length. */
export interface Cidr {
    readonly family: 4 | 6;
    readonly address: bigint;
    readonly prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

function parseIpv4(text: string): bigint | undefined {
    const parts = text.split(".");
    if (parts.length !== 4) return undefined;
    let value = 0n;
    for (const part of parts) {
        // No leading zeros: Go's parser (and so the API server) reads them as an error, not octal.
        if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return undefined;
        value = (value << 8n) | BigInt(part);
    }
    return value;
}

function parseIpv6(text: string): bigint | undefined {
    const halves = text.split("::");
    if (halves.length > 2) return undefined;
    const groups = (half: string) => (half === "" ? [] : half.split(":"));
    let head = groups(halves[0]);
    let tail = halves.length === 2 ? groups(halves[1]) : [];
    // An embedded IPv4 address (::ffff:10.0.0.1) counts as two groups.
    const last = (halves.length === 2 ? tail : head).at(-1);
    let v4: bigint | undefined;
    if (last?.includes(".")) {
        v4 = parseIpv4(last);
        if (v4 === undefined) return undefined;
        const hex = [(v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
        if (halves.length === 2) tail = [...tail.slice(0, -1), ...hex];
        else head = [...head.slice(0, -1), ...hex];
    }
    const missing = 8 - head.length - tail.length;
    if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
    let value = 0n;
    for (const group of [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail]) {
        if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
        value = (value << 16n) | BigInt(`0x${group}`);
    }
    return value;
}

/** An IP address (v4 or v6), or undefined when `text` is not one. */
export function parseIp(text: string): { readonly family: 4 | 6; readonly address: bigint } | undefined {
    if (text.includes(":")) {
        const address = parseIpv6(text);
        return address === undefined ? undefined : { family: 6, address };
    }
    const address = parseIpv4(text);
    return address === undefined ? undefined : { family: 4, address };
}

/** A CIDR block, or the reason `text` is not one the API server would take as written. */
export function parseCidr(text: string): Cidr | string {
    const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
    if (!match) return "expected a CIDR block such as 10.0.0.0/8 or 2001:db8::/32 (address/prefix length)";
    const ip = parseIp(match[1]);
    if (!ip) return `${match[1]} is not an IPv4 or IPv6 address`;
    const prefix = Number(match[2]);
    if (prefix > BITS[ip.family]) return `prefix length ${prefix} is longer than the ${BITS[ip.family]} bits of an IPv${ip.family} address`;
    const hostBits = BigInt(BITS[ip.family] - prefix);
    const network = (ip.address >> hostBits) << hostBits;
    if (network !== ip.address) return `has host bits set; the block is ${formatCidr({ ...ip, address: network, prefix })}`;
    return { family: ip.family, address: ip.address, prefix };
}

/** Whether `inner` (a block or an address, as a /32 or /128 block) lies inside `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
    if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
    const hostBits = BigInt(BITS[outer.family] - outer.prefix);
    return inner.address >> hostBits === outer.address >> hostBits;
}

/** The single-address block of an IP. */
export function hostCidr(ip: { readonly family: 4 | 6; readonly address: bigint }): Cidr {
    return { ...ip, prefix: BITS[ip.family] };
}

/** Text of a block (IPv6 in full groups without compression: only for messages). */
export function formatCidr(cidr: Cidr): string {
    if (cidr.family === 4) {
        const octets = [24n, 16n, 8n, 0n].map((shift) => String((cidr.address >> shift) & 0xffn));
        return `${octets.join(".")}/${cidr.prefix}`;
    }
    const groups = Array.from({ length: 8 }, (_, i) => ((cidr.address >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
    return `${groups.join(":")}/${cidr.prefix}`;
}
