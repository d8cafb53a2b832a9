/**
 * What Cloud SQL for MySQL refuses at `pulumi up`, refused before: a collation MySQL 8.0 or 8.4
 * does not have (MariaDB's among them), one newer than a pinned minor version, and HDD disks on
 * Enterprise Plus.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkMysqlCollation, collationVersionIssue, MYSQL_UTF8MB4_COLLATIONS } from "../components/config/sections/cloudsql/collations";
import { parse } from "./support/configCases";
import { stackConfig } from "./support/harness";

const prod = stackConfig("prod");
const cloudsqlIssues = (change: Record<string, unknown>) =>
    parse({ "matomo:cloudsql": change as never }, prod).issues.filter((i) => i.key.startsWith("matomo:cloudsql"));

/** MariaDB's Unicode 14 collations, as MariaDB 10.10 and later name them. */
const mariadbCollation = fc
    .tuple(
        fc.constantFrom("", "swedish_", "german2_", "spanish2_", "roman_", "croatian_", "vietnamese_", "icelandic_"),
        fc.constantFrom("", "nopad_"),
        fc.constantFrom("ai", "as"),
        fc.constantFrom("ci", "cs"),
    )
    .map(([language, pad, accents, cases]) => `utf8mb4_uca1400_${language}${pad}${accents}_${cases}`);

describe("Cloud SQL configuration", () => {
    describe("collation", () => {
        it("takes the 89 utf8mb4 collations of MySQL 8.0.30+ and 8.4, each once", () => {
            assert.equal(MYSQL_UTF8MB4_COLLATIONS.length, 89);
            assert.equal(new Set(MYSQL_UTF8MB4_COLLATIONS).size, 89);
            for (const collation of MYSQL_UTF8MB4_COLLATIONS) assert.equal(checkMysqlCollation(collation), undefined, collation);
            for (const collation of [
                "utf8mb4_0900_ai_ci",
                "utf8mb4_general_ci",
                "utf8mb4_unicode_520_ci",
                "utf8mb4_ja_0900_as_cs_ks",
                "utf8mb4_mn_cyrl_0900_as_cs",
            ]) {
                assert.ok(MYSQL_UTF8MB4_COLLATIONS.includes(collation), collation);
            }
        });

        it("refuses MariaDB's collations, naming the MySQL ones that sort the same way", () => {
            const { issues } = parse({ "matomo:cloudsql": { collation: "utf8mb4_uca1400_ai_ci" } }, prod);
            assert.deepEqual(issues, [
                {
                    key: "matomo:cloudsql.collation",
                    message:
                        'got "utf8mb4_uca1400_ai_ci"; MySQL 8.0 and 8.4 (Cloud SQL) have no such utf8mb4 collation (it is MariaDB\'s); ' +
                        "the closest is utf8mb4_0900_ai_ci (all: SHOW COLLATION WHERE Charset = 'utf8mb4')",
                },
            ]);
            assert.match(checkMysqlCollation("utf8mb4_uca1400_swedish_nopad_as_cs") ?? "", /the closest is utf8mb4_sv_0900_as_cs /);
            assert.match(checkMysqlCollation("utf8mb4_uca1400_german2_ai_ci") ?? "", /the closest is utf8mb4_de_pb_0900_ai_ci /);
        });

        it("refuses any MariaDB uca1400 collation, suggesting only collations MySQL has", () => {
            fc.assert(
                fc.property(mariadbCollation, (collation) => {
                    const reason = checkMysqlCollation(collation);
                    assert.match(reason ?? "(accepted)", /\(it is MariaDB's\); the closest (is|ones are) /);
                    const suggested = /the closest (?:is|ones are) (.*) \(all:/.exec(reason!)![1].split(", ");
                    assert.ok(suggested.length > 0 && suggested.every((c) => MYSQL_UTF8MB4_COLLATIONS.includes(c)), reason);
                }),
            );
        });

        it("refuses a name MySQL does not have, suggesting the nearest three, and accepts exactly the list", () => {
            const name = fc.oneof(
                fc.constantFrom(...MYSQL_UTF8MB4_COLLATIONS),
                fc.constantFrom(...MYSQL_UTF8MB4_COLLATIONS).map((c) => c.replace(/_ci$/, "_cs")),
                fc.constantFrom(...MYSQL_UTF8MB4_COLLATIONS).map((c) => c.replace("utf8mb4_", "utf8mb4_x")),
                fc.stringMatching(/^utf8mb4_[a-z0-9_]{1,20}$/),
            );
            fc.assert(
                fc.property(name, (collation) => {
                    const reason = checkMysqlCollation(collation);
                    assert.equal(reason === undefined, MYSQL_UTF8MB4_COLLATIONS.includes(collation), collation);
                    if (reason !== undefined && !collation.includes("uca1400"))
                        assert.match(reason, /the closest ones are [^,]+, [^,]+, [^,]+ \(all:/);
                }),
            );
        });

        it("refuses a collation newer than the pinned minor version, and takes it on any version that has it", () => {
            assert.match(
                cloudsqlIssues({ collation: "utf8mb4_nb_0900_ai_ci", databaseVersion: "MYSQL_8_0_28" })[0]?.message ?? "",
                /which MySQL 8\.0 has only since 8\.0\.30, but databaseVersion is MYSQL_8_0_28/,
            );
            fc.assert(
                fc.property(fc.constantFrom(...MYSQL_UTF8MB4_COLLATIONS), fc.integer({ min: 18, max: 45 }), (collation, minor) => {
                    const since =
                        collation === "utf8mb4_0900_bin" ? 17 : /_(nb|nn|sr_latn|bs|bg|gl|mn_cyrl)_0900_/.test(collation) ? 30 : 0;
                    assert.equal(
                        collationVersionIssue(collation, `MYSQL_8_0_${minor}`) !== undefined,
                        minor < since,
                        `${collation} on 8.0.${minor}`,
                    );
                    assert.equal(collationVersionIssue(collation, "MYSQL_8_0"), undefined);
                    assert.equal(collationVersionIssue(collation, "MYSQL_8_4"), undefined);
                }),
            );
        });
    });

    describe("disks", () => {
        it("refuses HDD disks on Enterprise Plus, which offers SSD only, and takes every other combination", () => {
            const tiers = { ENTERPRISE: "db-custom-2-8192", ENTERPRISE_PLUS: "db-perf-optimized-N-4" } as const;
            for (const edition of ["ENTERPRISE", "ENTERPRISE_PLUS"] as const) {
                for (const diskType of ["PD_SSD", "PD_HDD"]) {
                    const issues = cloudsqlIssues({ edition, tier: tiers[edition], diskType });
                    if (edition === "ENTERPRISE_PLUS" && diskType === "PD_HDD") {
                        assert.deepEqual(
                            issues.map((i) => i.key),
                            ["matomo:cloudsql.diskType"],
                        );
                        assert.match(
                            issues[0].message,
                            /^got "PD_HDD", which edition ENTERPRISE_PLUS does not offer .*; use PD_SSD, or edition ENTERPRISE$/,
                        );
                    } else {
                        assert.deepEqual(issues, [], `${edition} ${diskType}`);
                    }
                }
            }
        });
    });
});
