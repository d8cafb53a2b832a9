/**
 * The MariaDB the StatefulSet can run, with an ordinary user for Matomo: the administrator `root`
 * as Matomo's user is refused before anything is created.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { assertRejected, eea, valid } from "./support/configCases";

describe("the MariaDB image and user", () => {
    describe("mariadb.user", () => {
        it("refuses root, the administrator the image keeps inside the pod", () => {
            assertRejected({ "matomo:mariadb": { user: "root" } }, "matomo:mariadb.user", "root is MariaDB's administrator");
            assertRejected({ "matomo:mariadb": { user: "root" } }, "matomo:mariadb.user", "such as the default eea_matomo");
        });

        it("accepts any other name of 1 to 32 letters, digits and underscores", () => {
            fc.assert(
                fc.property(fc.stringMatching(/^[A-Za-z0-9_]{1,32}$/), (user) => {
                    fc.pre(user !== "root");
                    assert.equal(eea(valid({ "matomo:mariadb": { user } })).mariadb.user, user);
                }),
                { numRuns: 50 },
            );
        });

        it("still refuses names MariaDB or MySQL would need quoted or cut", () => {
            assertRejected({ "matomo:mariadb": { user: "" } }, "matomo:mariadb.user", "expected 1-32 letters");
            assertRejected({ "matomo:mariadb": { user: "a".repeat(33) } }, "matomo:mariadb.user", "expected 1-32 letters");
            assertRejected({ "matomo:mariadb": { user: "mariadb.sys" } }, "matomo:mariadb.user", "expected 1-32 letters");
        });
    });
});
