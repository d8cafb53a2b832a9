/** LDAP servers: StartTLS only where the connection is not TLS already. */
import assert from "node:assert/strict";
import fc from "fast-check";
import { parse } from "./support/configCases";
import { propertyRuns } from "./support/unitMode";

/** What LDAP needs besides its servers: an image built with the LoginLdap plugin, and the servers' blocks. */
const LDAP_IMAGE = {
    "matomo:matomo": { image: { repository: "registry.example.com/matomo-ldap", tag: "5.11.2-1" } },
    "matomo:networkPolicy": { egressTo: { ldap: ["192.0.2.0/24"] } },
};

function ldapIssues(hostname: string, startTls: boolean) {
    const server = {
        name: "corp",
        hostname,
        startTls,
        baseDn: "dc=example,dc=com",
        adminUser: "cn=matomo,dc=example,dc=com",
        adminPassword: "bind-secret-123",
    };
    return parse({ ...LDAP_IMAGE, "matomo:ldap": { servers: [server] } }, undefined, ["matomo:ldap"]).issues;
}

describe("LDAP configuration", () => {
    it("refuses StartTLS on an ldaps:// server, whose bind would fail", () => {
        assert.deepEqual(
            ldapIssues("ldaps://ldap.example.com", true).map((i) => i.key),
            ["matomo:ldap.servers[0].startTls"],
        );
        assert.match(
            ldapIssues("ldaps://ldap.example.com:636", true)[0].message,
            /^is true, but hostname ldaps:\/\/ldap\.example\.com:636 speaks TLS from the first byte: LoginLdap would call ldap_start_tls .*; set startTls to false/,
        );
    });

    it("takes StartTLS on ldap:// and bare hosts, and ldaps:// without it", () => {
        for (const [hostname, startTls] of [
            ["ldap://ldap.example.com", true],
            ["ldap.example.com", true],
            ["192.0.2.20", true],
            ["ldaps://ldap.example.com", false],
        ] as const) {
            assert.deepEqual(ldapIssues(hostname, startTls), [], `${hostname} ${startTls}`);
        }
    });

    it("refuses StartTLS exactly on ldaps:// servers, whatever the host and port", () => {
        fc.assert(
            fc.property(
                fc.constantFrom("", "ldap://", "ldaps://"),
                fc.constantFrom("ldap.example.com", "dc1.corp.example.org", "192.0.2.20"),
                fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
                fc.boolean(),
                (scheme, host, port, startTls) => {
                    const hostname = `${scheme}${host}${scheme && port !== undefined ? `:${port}` : ""}`;
                    const refused = ldapIssues(hostname, startTls).some((i) => i.key === "matomo:ldap.servers[0].startTls");
                    assert.equal(refused, scheme === "ldaps://" && startTls, `${hostname} startTls=${startTls}`);
                },
            ),
            { numRuns: propertyRuns(60) },
        );
    });
});

describe("LDAP ports", () => {
    it("refuse a plain connection to the LDAPS port, and TLS to the plain LDAP port", () => {
        for (const [hostname, port, key, why] of [
            ["ldap.example.com", 636, "matomo:ldap.servers[0].port", /names port 636, LDAPS, .*; write the hostname as ldaps:\/\/<host>/],
            ["ldap://ldap.example.com:636", undefined, "matomo:ldap.servers[0].hostname", /names port 636, LDAPS/],
            [
                "ldaps://ldap.example.com",
                389,
                "matomo:ldap.servers[0].port",
                /names port 389, plain LDAP, but hostname ldaps:\/\/ldap\.example\.com starts TLS/,
            ],
            ["ldaps://ldap.example.com:389", undefined, "matomo:ldap.servers[0].hostname", /names port 389, plain LDAP/],
        ] as const) {
            const server = {
                name: "corp",
                hostname,
                port: port ?? null,
                baseDn: "dc=example,dc=com",
                adminUser: "cn=matomo,dc=example,dc=com",
                adminPassword: "bind-secret-123",
            };
            const { issues } = parse({ ...LDAP_IMAGE, "matomo:ldap": { servers: [server] } }, undefined, ["matomo:ldap"]);
            assert.deepEqual(
                issues.map((i) => i.key),
                [key],
                `${hostname} ${port}`,
            );
            assert.match(issues[0].message, why);
        }
    });

    it("take the matching ports and any other (a global catalog on 3268 or 3269)", () => {
        for (const [hostname, port] of [
            ["ldaps://ldap.example.com:636", undefined],
            ["ldap://ldap.example.com:389", undefined],
            ["ldap.example.com", 389],
            ["ldaps://ldap.example.com", 3269],
            ["ldap.example.com", 3268],
        ] as const) {
            const server = {
                name: "corp",
                hostname,
                port: port ?? null,
                baseDn: "dc=example,dc=com",
                adminUser: "cn=matomo,dc=example,dc=com",
                adminPassword: "bind-secret-123",
            };
            assert.deepEqual(
                parse({ ...LDAP_IMAGE, "matomo:ldap": { servers: [server] } }, undefined, ["matomo:ldap"]).issues,
                [],
                `${hostname} ${port}`,
            );
        }
    });
});
