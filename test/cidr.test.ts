/** CIDR blocks as the API server checks a NetworkPolicy's ipBlock. */
import assert from "node:assert/strict";
import fc from "fast-check";
import { cidrContains, formatCidr, hostCidr, parseCidr, parseIp, type Cidr } from "../components/config/schema/cidr";

const block = (text: string) => parseCidr(text) as Cidr;

describe("CIDR blocks", () => {
    it("read IPv4 and IPv6 blocks, compressed or not, with IPv4 inside IPv6", () => {
        assert.deepEqual(parseCidr("10.0.0.0/8"), { family: 4, address: 10n << 24n, prefix: 8 });
        assert.deepEqual(parseCidr("0.0.0.0/0"), { family: 4, address: 0n, prefix: 0 });
        assert.equal(block("2001:db8::/32").address, 0x20010db8n << 96n);
        assert.equal(block("::/0").prefix, 0);
        assert.equal(parseIp("::ffff:10.0.0.1")!.address, (0xffffn << 32n) | (10n << 24n) | 1n);
    });

    it("refuse what the API server refuses, saying why", () => {
        for (const [text, why] of [
            ["10.0.0.0", /address\/prefix length/],
            ["10.0.0.256/32", /not an IPv4 or IPv6 address/],
            ["010.0.0.0/8", /not an IPv4/],
            ["10.0.0.0/33", /longer than the 32 bits/],
            ["10.1.0.0/8", /host bits set; the block is 10\.0\.0\.0\/8/],
            ["2001:db8::1::/64", /not an IPv4 or IPv6/],
            ["1:2:3:4:5:6:7:8:9/64", /not an IPv4 or IPv6/],
        ] as const) {
            const parsed = parseCidr(text);
            assert.equal(typeof parsed, "string", text);
            assert.match(parsed as string, why, text);
        }
    });

    it("contain exactly the blocks and addresses inside them", () => {
        assert.ok(cidrContains(block("10.0.0.0/8"), block("10.20.0.0/16")));
        assert.ok(!cidrContains(block("10.20.0.0/16"), block("10.0.0.0/8")));
        assert.ok(!cidrContains(block("10.0.0.0/8"), block("11.0.0.0/8")));
        assert.ok(!cidrContains(block("0.0.0.0/0"), block("::/0")), "families never mix");
        assert.ok(cidrContains(block("0.0.0.0/0"), hostCidr(parseIp("203.0.113.7")!)));
    });

    it("hold for any IPv4 block: its text reads back, it contains itself and every narrower block of its own", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: 0, max: 2 ** 32 - 1 }),
                fc.integer({ min: 0, max: 32 }),
                fc.integer({ min: 0, max: 32 }),
                (raw, prefix, extra) => {
                    const host = 32n - BigInt(prefix);
                    const cidr: Cidr = { family: 4, address: (BigInt(raw) >> host) << host, prefix };
                    assert.deepEqual(parseCidr(formatCidr(cidr)), cidr);
                    assert.ok(cidrContains(cidr, cidr));
                    const narrower = Math.min(32, prefix + extra);
                    const innerHost = 32n - BigInt(narrower);
                    const inner: Cidr = { family: 4, address: (BigInt(raw) >> innerHost) << innerHost, prefix: narrower };
                    assert.ok(cidrContains(cidr, inner));
                },
            ),
        );
    });

    it("hold for any IPv6 block: its full text reads back", () => {
        fc.assert(
            fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 0, max: 128 }), (raw, prefix) => {
                const host = 128n - BigInt(prefix);
                const cidr: Cidr = { family: 6, address: (raw >> host) << host, prefix };
                assert.deepEqual(parseCidr(formatCidr(cidr)), cidr);
            }),
        );
    });
});
