/**
 * The users the program creates in Matomo, checked by Matomo's own rules before the install Job
 * runs (a refusal there stops it half-way and leaves a partial database): the superuser's login,
 * e-mail and password, and the log importer's user. Matomo's rules are run by PHP itself here,
 * as plugins/UsersManager writes them.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { checkMatomoLogin, checkMatomoPassword } from "../components/config/schema/matomoUser";
import { assertRejected, parse, valid } from "./support/configCases";
import { requireBinaries } from "./support/system";

/**
 * Validators/Login.php's format check and UsersManager::checkPassword with
 * checkBasicPasswordStrength, as Matomo 5 has them, over a JSON list; true where Matomo accepts.
 */
const MATOMO_RULES = `
$in = json_decode(stream_get_contents(STDIN), true);
$login = fn ($v) => strlen($v) >= 2 && strlen($v) <= 100 && preg_match('/^[A-Za-zÄäÖöÜüß0-9_.@+-]*$/D', $v) > 0;
$password = fn ($v) => strlen($v) >= 6 && mb_strlen($v) <= 200 && strlen(count_chars($v, 3)) >= 2;
echo json_encode(['logins' => array_map($login, $in['logins']), 'passwords' => array_map($password, $in['passwords'])]);`;

function matomoAccepts(logins: string[], passwords: string[]): { logins: boolean[]; passwords: boolean[] } {
    const result = spawnSync("php", ["-r", MATOMO_RULES], { input: JSON.stringify({ logins, passwords }), encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as { logins: boolean[]; passwords: boolean[] };
}

/** Text from the characters that matter: Matomo's own, its umlauts, other letters, space, symbols. */
const text = (maxLength: number) => fc.string({ unit: fc.constantFrom(..."aZ09_.@+-ÄäÖöÜüßéñ€ 😀'\"/x"), maxLength });

describe("Matomo users", () => {
    describe("the superuser", () => {
        it("may not be Matomo's anonymous user, in any case or with accents, nor have its address as login or e-mail", () => {
            for (const username of ["anonymous", "Anonymous", "ANONYMOUS", "änonymous", "anonymouß", "anonymous@example.org"]) {
                assertRejected({ "matomo:matomo": { username } }, "matomo:matomo.username", "Matomo's anonymous user");
            }
            assertRejected({ "matomo:matomo": { email: "Anonymous@Example.org" } }, "matomo:matomo.email", "anonymous user");
        });

        it("has an e-mail address of at most 100 characters, which Matomo's user table holds, set or derived from the hostname", () => {
            const long = `${"a".repeat(60)}@${"b".repeat(40)}.example.com`;
            assertRejected(
                { "matomo:matomo": { email: long } },
                "matomo:matomo.email",
                "at most 100 characters of a user's e-mail address",
            );
            const hostname = `${"c".repeat(63)}.${"d".repeat(30)}.example.com`;
            assertRejected(
                { "matomo:matomo": { hostname } },
                "matomo:matomo.email",
                `its default admin@${hostname} (from matomo.hostname)`,
            );
        });

        it("may have any login Matomo takes: its umlauts, up to 100 bytes", () => {
            assert.equal(valid({ "matomo:matomo": { username: "müller" } }).matomo.username, "müller");
            assert.equal(checkMatomoLogin("ä".repeat(50)), undefined, "50 umlauts are 100 bytes");
            assert.match(checkMatomoLogin("ä".repeat(51)) ?? "", /^expected 2 to 100 bytes/);
            assert.match(checkMatomoLogin("a") ?? "", /^expected 2 to 100 bytes/);
        });

        it("has a password of at most 200 characters, not one repeated character", () => {
            const password = (value: string) => parse({ "matomo:matomo": { password: value } }, undefined, ["matomo:matomo"]).issues;
            assert.match(
                password("Ab1-".repeat(50) + "x")[0]?.message ?? "",
                /Matomo accepts at most 200 characters, and this one has 201/,
            );
            assert.deepEqual(password("Ab1-".repeat(50)), []);
            assert.deepEqual(password("ä".repeat(200)), [], "Matomo counts characters (mb_strlen), not bytes");
            assert.match(password("a".repeat(12))[0]?.message ?? "", /one repeated character/);
        });
    });

    describe("Matomo's own rules, run by PHP", function () {
        before(function () {
            requireBinaries(this, "php");
        });

        it("a login's format is accepted exactly when Matomo accepts it", () => {
            const logins = fc.sample(
                fc.oneof(text(8), text(60), fc.constantFrom("ä".repeat(50), "ä".repeat(51), "x".repeat(100), "x".repeat(101))),
                400,
            );
            const php = matomoAccepts(logins, []).logins;
            logins.forEach((login, i) => {
                const ours = checkMatomoLogin(login);
                const reserved = ours !== undefined && /anonymous user/.test(ours);
                if (!reserved) assert.equal(ours === undefined, php[i], JSON.stringify(login));
            });
        });

        it("a password is accepted exactly when Matomo accepts it (the program's own minimum aside)", () => {
            const passwords = fc.sample(
                fc.oneof(text(12), fc.string({ minLength: 190, maxLength: 210 }), text(205), fc.constantFrom("aaaaaa", "ääääää")),
                300,
            );
            const php = matomoAccepts([], passwords).passwords;
            passwords.forEach((password, i) => assert.equal(checkMatomoPassword(password) === undefined, php[i], JSON.stringify(password)));
        });
    });

    describe("the log importer's user", () => {
        const SOURCES = {
            storageAccessMode: "ReadWriteMany",
            sources: [{ siteId: 2, user: "logs", host: "logs.example.com", path: "/var/log/apache2" }],
            ssh_known_hosts: "logs.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJI9rtmAyXccU65ZvPZLFLa8C/Xk2mq2REKACNjUhWZA",
        };
        const withLogin = (login: string, username = "admin") => ({
            "matomo:rsyncAnalytics": SOURCES,
            "matomo:matomoAnalytics": { login },
            "matomo:matomo": { username },
        });

        it("is a user of its own, never the superuser, whatever the case", () => {
            assertRejected(withLogin("Admin"), "matomo:matomoAnalytics.login", 'the superuser\'s login (matomo.username "admin")');
            assertRejected(withLogin("anonymous"), "matomo:matomoAnalytics.login", "Matomo's anonymous user");
        });

        it("is not created with matomo.token, so a login written then has no effect", () => {
            const token = { "matomo:matomo": { username: "admin", token: "0123456789abcdef0123456789abcdef" } };
            const { issues } = parse({ ...withLogin("importer"), ...token }, undefined, ["matomo:matomo"]);
            assert.deepEqual(issues, [
                {
                    key: "matomo:matomoAnalytics.login",
                    message:
                        "has no effect with matomo.token: the importer uses that token, and the program creates no user; remove one of them",
                },
            ]);
        });

        it("has a login that makes an e-mail address at the hostname", () => {
            assertRejected(withLogin("logs@import"), "matomo:matomoAnalytics.login", "which is no e-mail address");
            assertRejected(withLogin("x".repeat(90)), "matomo:matomoAnalytics.login", "longer than 100 characters");
            assert.ok(valid(withLogin("log-import.bot")).logImport);
        });
    });
});
