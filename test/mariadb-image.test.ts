/**
 * The MariaDB the StatefulSet can run: the official image of the 10.11 series (or one built FROM
 * it), with an ordinary user for Matomo. Images whose entrypoint, user, data directory or
 * environment differ (Bitnami's, MySQL's, ...) and the administrator `root` as Matomo's user are
 * refused before anything is created.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { mariadbImageIssues } from "../components/config/sections/mariadbImage";
import { imageReference } from "../components/k8s/image";
import { assertRejected, eea, valid } from "./support/configCases";
import { propertyRuns } from "./support/unitMode";

const image = (repository: string, tag: string) => ({
    repository,
    tag,
    pullPolicy: "IfNotPresent" as const,
    reference: imageReference({ repository, tag }),
    pullSecrets: [] as string[],
});

const registry = fc.constantFrom("", "docker.io/", "registry.example.com/", "registry.example.com:5000/", "ghcr.io/mirror/");
const patch = fc.nat(40);

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
                { numRuns: propertyRuns(50) },
            );
        });

        it("still refuses names MariaDB or MySQL would need quoted or cut", () => {
            assertRejected({ "matomo:mariadb": { user: "" } }, "matomo:mariadb.user", "expected 1-32 letters");
            assertRejected({ "matomo:mariadb": { user: "a".repeat(33) } }, "matomo:mariadb.user", "expected 1-32 letters");
            assertRejected({ "matomo:mariadb": { user: "mariadb.sys" } }, "matomo:mariadb.user", "expected 1-32 letters");
        });
    });

    describe("mariadb.image", () => {
        it("accepts the official image of the 10.11 series, from any registry, and a digest", () => {
            fc.assert(
                fc.property(
                    registry,
                    fc.constantFrom("", "library/"),
                    patch,
                    fc.constantFrom("", "-jammy", "-ubi9"),
                    (host, library, n, suffix) => {
                        const repository = `${host}${host.startsWith("ghcr") ? "" : library}mariadb`;
                        assert.deepEqual(mariadbImageIssues(image(repository, `10.11.${n}${suffix}`)), []);
                    },
                ),
            );
            assert.deepEqual(mariadbImageIssues(image("mariadb", "10.11")), []);
            assert.deepEqual(mariadbImageIssues(image("mariadb", `sha256:${"a".repeat(64)}`)), []);
            assert.deepEqual(mariadbImageIssues(image("registry.example.com/team/mariadb-matomo", "1.0")), [], "one built FROM it");
        });

        it("refuses another series of the official image, or a tag that moves between series", () => {
            for (const tag of ["11.4.5", "10.6.21", "11.8", "lts", "noble"]) {
                const [issue] = mariadbImageIssues(image("mariadb", tag));
                assert.equal(issue?.key, "matomo:mariadb.image.tag", tag);
                assert.match(issue.message, /runs the 10\.11 series.*use a 10\.11 tag/);
            }
            assertRejected(
                { "matomo:mariadb": { image: { tag: "11.4.5" } } },
                "matomo:mariadb.image.tag",
                "got mariadb:11.4.5, MariaDB 11.4",
            );
        });

        it("refuses Bitnami's MariaDB, from any registry, naming what differs", () => {
            fc.assert(
                fc.property(
                    registry,
                    fc.constantFrom("bitnami", "bitnamilegacy", "bitnamisecure"),
                    fc.constantFrom("mariadb", "mariadb-galera"),
                    patch,
                    (host, owner, name, n) => {
                        const [issue] = mariadbImageIssues(image(`${host}${owner}/${name}`, `10.11.${n}`));
                        assert.equal(issue?.key, "matomo:mariadb.image.repository");
                        assert.match(issue.message, /Bitnami image.*\/bitnami\/mariadb.*user 1001.*use the official image/);
                    },
                ),
            );
            assertRejected(
                { "matomo:mariadb": { image: { repository: "docker.io/bitnami/mariadb", tag: "10.11.11" } } },
                "matomo:mariadb.image.repository",
                "got docker.io/bitnami/mariadb:10.11.11, a Bitnami image",
            );
        });

        it("refuses MySQL and Percona images, whose entrypoint reads MYSQL_* variables", () => {
            const mysql = [
                "mysql",
                "docker.io/library/mysql",
                "bitnami/mysql",
                "registry.example.com/mysql",
                "mysql/mysql-server",
                "container-registry.oracle.com/mysql/community-server",
                "percona",
                "percona/percona-server",
                "percona/percona-xtradb-cluster",
            ];
            for (const repository of mysql) {
                const [issue] = mariadbImageIssues(image(repository, "8.0.40"));
                assert.match(issue?.message ?? "", /a MySQL server: its entrypoint reads MYSQL_\* variables/, repository);
            }
        });

        it("refuses other MariaDB images made for another entrypoint", () => {
            assert.match(mariadbImageIssues(image("mariadb/server", "10.4"))[0].message, /former image/);
            assert.match(mariadbImageIssues(image("lscr.io/linuxserver/mariadb", "11.4.5"))[0].message, /starts as root/);
        });
    });
});
