/**
 * The keys that name a claim that exists already (an earlier installation's) instead of one the
 * stack creates: a name Kubernetes accepts, a directory inside it that goes down only, and no
 * setting beside them that would have no effect or could not work.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkSubPath } from "../components/config/sections/existingClaims";
import { assertRejected, devExtras, eea, parse, valid } from "./support/configCases";
import { stackConfig, withChanges } from "./support/harness";
import { propertyRuns } from "./support/unitMode";

/** Directory names as a volume holds them. */
const directory = fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,11}$/).filter((d) => d !== "." && d !== "..");
const relativePath = fc.array(directory, { minLength: 1, maxLength: 4 }).map((parts) => parts.join("/"));

describe("existing claims in the config", () => {
    describe("a directory inside a claim", () => {
        it("is a path down from the claim's root, each part a plain name", () => {
            for (const ok of ["misc", "matomo/misc", "data", "a.b/c_d-e"]) assert.equal(checkSubPath(ok), undefined, ok);
            for (const [bad, reason] of [
                ["/bitnami/matomo/misc", "leading /"],
                ["../other", "no . or .."],
                ["matomo/../misc", "no . or .."],
                ["./misc", "no . or .."],
                ["matomo//misc", "single slashes"],
                ["matomo/misc/", "trailing slash"],
                ["my misc", "letters, digits"],
                ["misc\\user", "letters, digits"],
            ]) {
                assert.ok(checkSubPath(bad)?.includes(reason), `${bad}: ${checkSubPath(bad)}`);
            }
        });

        it("accepts every relative path of plain names, and refuses it with a .. part or from the root", () => {
            fc.assert(
                fc.property(relativePath, fc.nat(4), (path, at) => {
                    assert.equal(checkSubPath(path), undefined);
                    const parts = path.split("/");
                    const escaping = [...parts.slice(0, at), "..", ...parts.slice(at)].join("/");
                    assert.notEqual(checkSubPath(escaping), undefined, escaping);
                    assert.notEqual(checkSubPath(`/${path}`), undefined);
                }),
            );
        });
    });

    describe("matomo.existingClaim", () => {
        const misc = (fields: Record<string, string | number | null>) => ({
            "matomo:matomo": { storage: null, ...fields },
        });

        it("names the claim and the directory in it that is misc/", () => {
            const cfg = valid(misc({ existingClaim: "chart-matomo-pvc", existingClaimSubPath: "matomo/misc" }));
            assert.deepEqual(cfg.matomo.existingClaim, { name: "chart-matomo-pvc", subPath: "matomo/misc" });
            assert.deepEqual(valid(misc({ existingClaim: "chart-misc-pvc" })).matomo.existingClaim, {
                name: "chart-misc-pvc",
                subPath: undefined,
            });
            // The seed's "" reads as unset.
            assert.equal(valid(misc({ existingClaim: "", existingClaimSubPath: "" })).matomo.existingClaim, undefined);
        });

        it("refuses what Kubernetes would refuse as a claim's name or a sub-path", () => {
            assertRejected(misc({ existingClaim: "Chart_Misc" }), "matomo:matomo.existingClaim", "a DNS subdomain");
            assertRejected(misc({ existingClaim: "chart", existingClaimSubPath: "../data" }), "matomo:matomo.existingClaimSubPath", "..");
        });

        it("refuses a sub-path without a claim, and a size or class for a claim that exists", () => {
            assertRejected(misc({ existingClaimSubPath: "misc" }), "matomo:matomo.existingClaimSubPath", "without matomo.existingClaim");
            assertRejected(misc({ existingClaim: "chart", storage: "2Gi" }), "matomo:matomo.storage", "keeps its own size");
            assertRejected(misc({ existingClaim: "chart", storageClassName: "nfs" }), "matomo:matomo.storageClassName", "keeps its own");
            // The seed's empty class is no setting.
            valid(misc({ existingClaim: "chart", storageClassName: "" }));
        });

        it("lets several replicas share it only when it is declared ReadWriteMany", () => {
            assertRejected(
                misc({ existingClaim: "chart", replicaCount: 2 }),
                "matomo:matomo.replicaCount",
                "if the claim chart (matomo.existingClaim) is ReadWriteMany, say so in storageAccessMode",
            );
            assert.equal(
                valid(misc({ existingClaim: "chart", replicaCount: 2, storageAccessMode: "ReadWriteMany" })).matomo.replicaCount,
                2,
            );
        });

        it("reports exactly the settings without effect, whatever is written", () => {
            const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
            fc.assert(
                fc.property(
                    optional(fc.constantFrom("chart-misc", "data-old-0")),
                    optional(relativePath),
                    optional(fc.constantFrom("1Gi", "3Gi")),
                    optional(fc.constantFrom("standard", "")),
                    (claim, subPath, storage, storageClassName) => {
                        const fields = { existingClaim: claim, existingClaimSubPath: subPath, storage, storageClassName };
                        const written = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Record<
                            string,
                            string
                        >;
                        const expected = [
                            ...(claim === undefined && subPath !== undefined ? ["matomo:matomo.existingClaimSubPath"] : []),
                            ...(claim !== undefined && storage !== undefined ? ["matomo:matomo.storage"] : []),
                            ...(claim !== undefined && storageClassName ? ["matomo:matomo.storageClassName"] : []),
                        ].sort();
                        const { issues } = parse(misc(written));
                        assert.deepEqual(issues.map((i) => i.key).sort(), expected);
                    },
                ),
            );
        });
    });

    describe("mariadb.existingClaim", () => {
        /** The dev stack with the data directory's passwords set (`--secret`), and `fields` in mariadb. */
        const withPasswords = (passwords: { password?: string; rootPassword?: string }, fields: Record<string, string | null>) =>
            withChanges(withChanges(devExtras, { "matomo:mariadb": passwords }, ["matomo:mariadb"]), {
                "matomo:mariadb": { storage: null, ...fields },
            });
        const both = { password: "chart-user-password", rootPassword: "chart-root-password" };
        const issuesOf = (passwords: { password?: string; rootPassword?: string }, fields: Record<string, string | null>) =>
            parse({}, withPasswords(passwords, fields)).issues;

        it("names the claim and the directory in it that is the data directory, with the passwords it has", () => {
            const { config, issues } = parse(
                {},
                withPasswords(both, { existingClaim: "data-chart-mariadb-0", existingClaimSubPath: "data" }),
            );
            assert.deepEqual(issues, []);
            assert.deepEqual(eea(config!).mariadb.existingClaim, { name: "data-chart-mariadb-0", subPath: "data" });
        });

        it("refuses it without the passwords the data directory has, naming each and how to set it", () => {
            const issues = issuesOf({ password: both.password }, { existingClaim: "data-chart-mariadb-0" });
            assert.deepEqual(
                issues.map((i) => i.key),
                ["matomo:mariadb.rootPassword"],
            );
            assert.match(issues[0].message, /^is unset, but mariadb\.existingClaim \(data-chart-mariadb-0\) holds a data directory/);
            assert.match(issues[0].message, /pulumi config set --secret --path mariadb\.rootPassword '<password>'$/);
            assert.deepEqual(
                issuesOf({}, { existingClaim: "data-chart-mariadb-0" }).map((i) => i.key),
                ["matomo:mariadb.password", "matomo:mariadb.rootPassword"],
            );
        });

        it("refuses a size or class for a claim that exists, and a sub-path without a claim", () => {
            assert.deepEqual(
                issuesOf(both, { existingClaim: "data-chart-mariadb-0", storage: "400Gi", storageClassName: "nfs-rancher" }).map(
                    (i) => i.key,
                ),
                ["matomo:mariadb.storage", "matomo:mariadb.storageClassName"],
            );
            assertRejected(
                { "matomo:mariadb": { existingClaimSubPath: "data" } },
                "matomo:mariadb.existingClaimSubPath",
                "without mariadb.existingClaim",
            );
        });

        it("refuses the claim Matomo's misc/ is on", () => {
            const shared = withChanges(withPasswords(both, { existingClaim: "chart-pvc" }), {
                "matomo:matomo": { storage: null, existingClaim: "chart-pvc" },
            });
            const { issues } = parse({}, shared);
            assert.deepEqual(
                issues.map((i) => i.key),
                ["matomo:mariadb.existingClaim"],
            );
            assert.match(issues[0].message, /give each its own claim/);
        });

        it("is one problem on Google, where the whole mariadb section is refused", () => {
            const { issues } = parse({}, withChanges(stackConfig("prod"), { "matomo:mariadb": { existingClaim: "data-chart-mariadb-0" } }));
            assert.deepEqual(
                issues.map((i) => i.key),
                ["matomo:mariadb"],
            );
        });

        it("reports exactly what is missing or without effect, whatever is written", () => {
            const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
            fc.assert(
                fc.property(
                    optional(fc.constant("data-chart-mariadb-0")),
                    optional(fc.constantFrom("data", "mariadb/data")),
                    optional(fc.constant("20Gi")),
                    fc.boolean(),
                    fc.boolean(),
                    (claim, subPath, storage, password, rootPassword) => {
                        const fields = { existingClaim: claim, existingClaimSubPath: subPath, storage };
                        const written = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Record<
                            string,
                            string
                        >;
                        const passwords = {
                            ...(password ? { password: both.password } : {}),
                            ...(rootPassword ? { rootPassword: both.rootPassword } : {}),
                        };
                        const expected = [
                            ...(claim === undefined && subPath !== undefined ? ["matomo:mariadb.existingClaimSubPath"] : []),
                            ...(claim !== undefined && storage !== undefined ? ["matomo:mariadb.storage"] : []),
                            ...(claim !== undefined && !password ? ["matomo:mariadb.password"] : []),
                            ...(claim !== undefined && !rootPassword ? ["matomo:mariadb.rootPassword"] : []),
                        ].sort();
                        assert.deepEqual(
                            issuesOf(passwords, written)
                                .map((i) => i.key)
                                .sort(),
                            expected,
                        );
                    },
                ),
                { numRuns: propertyRuns(60) },
            );
        });
    });
});
