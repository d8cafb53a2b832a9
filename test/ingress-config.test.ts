/**
 * The Ingress and the hostname: a host the API server refuses as an Ingress rule host, and
 * cert-manager asked for a certificate the Ingress has no TLS section for.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { isIpv4Address } from "../components/config/sections/ingress";
import { checkMailDomain } from "../components/config/schema/validators";
import { parse, valid } from "./support/configCases";
import { propertyRuns } from "./support/unitMode";

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((parts) => parts.join("."));
/** Set where the defaults would derive an address from the hostname. */
const ADDRESSES = { email: "admin@example.com" };
const SENDER = { "matomo:postfix": { senderAddress: "matomo@example.com" } };

describe("ingress configuration", () => {
    describe("a hostname that is an IP address", () => {
        it("is refused while the stack creates the Ingress, which the API server would refuse", () => {
            const { issues } = parse({ "matomo:matomo": { hostname: "192.0.2.10", ...ADDRESSES }, ...SENDER });
            assert.deepEqual(
                issues.map((i) => i.key),
                ["matomo:matomo.hostname"],
            );
            assert.match(
                issues[0].message,
                /^got "192\.0\.2\.10", an IP address, which the API server refuses as an Ingress host \("must be a DNS name, not an IP address"\); use a DNS name/,
            );
        });

        it("is accepted without the Ingress, once the addresses derived from it are set", () => {
            const cfg = valid({
                "matomo:matomo": { hostname: "192.0.2.10", ...ADDRESSES },
                "matomo:ingress": { enabled: false, letsencrypt: null },
                ...SENDER,
            });
            assert.equal(cfg.matomo.hostname, "192.0.2.10");
        });

        it("leaves the superuser's and the sender's default addresses invalid, which are refused naming the key to set", () => {
            const { issues } = parse({
                "matomo:matomo": { hostname: "192.0.2.10" },
                "matomo:ingress": { enabled: false, letsencrypt: null },
            });
            assert.deepEqual(issues.map((i) => i.key).sort(), ["matomo:matomo.email", "matomo:postfix.senderAddress"]);
            for (const issue of issues)
                assert.match(
                    issue.message,
                    /^is unset, and its default \w+@192\.0\.2\.10 \(from matomo\.hostname\) is not an address Matomo accepts .*; set it$/,
                );
        });

        it("is recognised as the API server reads it: four decimal parts up to 255, leading zeros allowed", () => {
            for (const host of ["192.0.2.10", "010.001.000.255", "0.0.0.0"]) assert.equal(isIpv4Address(host), true, host);
            for (const host of ["192.0.2", "192.0.2.256", "192.0.2.10.5", "1.2.3.a", "analytics.example.com", "10.0.0.1x"]) {
                assert.equal(isIpv4Address(host), false, host);
            }
            fc.assert(fc.property(ipv4, (host) => isIpv4Address(host) && checkMailDomain(host) !== undefined));
        });

        it("any IPv4 address is refused as the hostname with the Ingress on, and accepted with it off", () => {
            fc.assert(
                fc.property(ipv4, fc.boolean(), (host, ingress) => {
                    const { issues } = parse({
                        "matomo:matomo": { hostname: host, ...ADDRESSES },
                        "matomo:ingress": ingress ? {} : { enabled: false, letsencrypt: null },
                        ...SENDER,
                    });
                    assert.deepEqual(
                        issues.map((i) => i.key),
                        ingress ? ["matomo:matomo.hostname"] : [],
                    );
                }),
                { numRuns: propertyRuns(40) },
            );
        });
    });

    it("an IPv6 address as the hostname is refused, asking for a DNS name", () => {
        for (const hostname of ["2001:db8::10", "[2001:db8::10]"]) {
            const { issues } = parse({ "matomo:matomo": { hostname } });
            assert.deepEqual(
                issues.map((i) => i.key),
                ["matomo:matomo.hostname"],
            );
            assert.match(issues[0].message, /expected a DNS name such as analytics\.example\.com: an IPv6 address is no Ingress host/);
        }
    });

    describe("cert-manager", () => {
        it("an issuer annotation written by hand is refused while TLS is off: nothing would be issued", () => {
            const { issues } = parse({
                "matomo:ingress": { tls: false, letsencrypt: null, annotations: { "cert-manager.io/cluster-issuer": "letsencrypt-prod" } },
            });
            assert.deepEqual(
                issues.map((i) => i.key),
                ["matomo:ingress.annotations.cert-manager.io/cluster-issuer"],
            );
            assert.match(issues[0].message, /but ingress\.tls is false: the Ingress has no TLS section, so nothing is issued/);
        });

        it("an issuer annotation beside ingress.letsencrypt is refused: the annotation would silently win", () => {
            const { issues } = parse({ "matomo:ingress": { annotations: { "cert-manager.io/cluster-issuer": "other" } } });
            assert.deepEqual(
                issues.map((i) => i.key),
                ["matomo:ingress.annotations.cert-manager.io/cluster-issuer"],
            );
            assert.match(issues[0].message, /names an issuer beside ingress\.letsencrypt \("letsencrypt-staging"\)/);
        });

        it("an issuer annotation alone, with TLS on, is the user's way to name a namespaced Issuer", () => {
            const cfg = valid({ "matomo:ingress": { letsencrypt: null, annotations: { "cert-manager.io/issuer": "my-issuer" } } });
            assert.equal(cfg.ingress.annotations["cert-manager.io/issuer"], "my-issuer");
        });
    });

    it("an e-mail domain whose top-level domain starts with a digit is refused, as PHP's filter_var refuses it", () => {
        assert.match(checkMailDomain("example.123") ?? "", /top-level domain "123" starts with a digit/);
        assert.equal(checkMailDomain("example.c1"), undefined);
        assert.equal(checkMailDomain("example.xn--p1ai"), undefined);
    });
});
