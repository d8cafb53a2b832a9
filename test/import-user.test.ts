/**
 * grant-import-user.php, run for real with PHP against Matomo 5's user, token, access and site
 * tables (test/fixtures/matomo-users-schema.sql) on a real MariaDB 10.11: the rows it writes are
 * read back and checked the way Matomo reads them (its password and token checks mirrored in PHP),
 * through a change of sites, a change of token, a hand-made user, refusals and repeated runs.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCRIPT_ENV, TABLES_PREFIX } from "../components/matomo/scripts";
import { ROOT } from "./support/harness";
import { freePort, TestMariaDb, testDatabaseEnv } from "./support/mariadbServer";
import { requireBinaries } from "./support/system";

const SCRIPT = join(ROOT, "components", "matomo", "scripts", "grant-import-user.php");
const DB = { name: "matomo", user: "matomo", password: "db-Pa$$;w'rd=#x" };
const SALT = "a-40-character-salt-as-the-stack-makes-1";
const ENV = { login: "MATOMO_IMPORT_LOGIN", email: "MATOMO_IMPORT_EMAIL", token: "MATOMO_IMPORT_TOKEN_FILE", sites: "MATOMO_IMPORT_SITES" };
const SALT_FILE = "MATOMO_SALT_FILE";
const LOGIN = "log-importer";
const EMAIL = "logs@analytics.example.com";
const DESCRIPTION = "Web-server log import (kept by the import job; do not edit)";
const newToken = () => randomBytes(16).toString("hex");
const table = (name: string) => `${DB.name}.${TABLES_PREFIX}${name}`;
/** The token row of this script, as the test reads it back (see tokensOf). */
const tokenRow = (hash: string) => [[DESCRIPTION, hash, "sha512", "0", "NULL", "NULL", "1"]];
const TOKEN_COLUMNS = "description, password, hash_algo, system_token, last_used, date_expired, secure_only";

/** What PHP prints for `code`, with `args` as $argv[1...]. */
const php = (code: string, ...args: string[]) => spawnSync("php", ["-r", code, "--", ...args], { encoding: "utf8" }).stdout;

/** Matomo's Model::hashTokenAuth: hash(TOKEN_HASH_ALGO = 'sha512', $tokenAuth . SettingsPiwik::getSalt()). */
const matomoTokenHash = (token: string) => php('echo hash("sha512", $argv[1] . $argv[2]);', token, SALT);

/** Login\Auth::authenticateWithPassword: password_verify(UsersManager::getPasswordHash($password) = md5, $hash). */
const matomoAcceptsPassword = (hash: string, password: string) =>
    php('echo password_verify(md5($argv[2]), $argv[1]) ? "yes" : "no";', hash, password) === "yes";

describe("grant-import-user.php on Matomo's tables in a real MariaDB", () => {
    let server: TestMariaDb;
    let port: number;
    let dir: string;
    /** Tokens as Matomo makes them (32 hex digits), new for every run of the suite. */
    const tokens = { first: newToken(), second: newToken(), legacy: newToken(), handMade: newToken() };
    const outputs: string[] = [];

    before(async function () {
        requireBinaries(this, "mariadbd", "mariadb-install-db", "mariadb", "php");
        if (!php('echo extension_loaded("pdo_mysql") ? "yes" : "";')) requireBinaries(this, "php-pdo_mysql-extension");
        port = await freePort();
        server = await TestMariaDb.start("[mysqld]\n", { port });
        server.createDatabase(DB.name, DB.user, DB.password);
        server.query(`USE ${DB.name}; ${readFileSync(join(ROOT, "test", "fixtures", "matomo-users-schema.sql"), "utf8")}`);
        const site = (id: number) =>
            `(${id}, 'Site ${id}', 'https://site${id}.example.com', '', '', 'UTC', 'EUR', '', '', '', '', '', 'website')`;
        server.query(
            `INSERT INTO ${table("site")} (idsite, name, main_url, sitesearch_keyword_parameters, sitesearch_category_parameters, ` +
                "timezone, currency, excluded_ips, excluded_parameters, excluded_user_agents, excluded_referrers, `group`, type) " +
                `VALUES ${[1, 2, 3, 4].map(site)}; ` +
                `INSERT INTO ${table("user")} (login, password, email, superuser_access, date_registered) VALUES ` +
                "('admin', 'bcrypt-of-the-admin', 'admin@example.com', 1, '2024-01-01 00:00:00'), " +
                "('viewer', 'bcrypt-of-the-viewer', 'viewer@example.com', 0, '2024-01-01 00:00:00'); " +
                `INSERT INTO ${table("user_token_auth")} (login, description, password, hash_algo, date_created) VALUES ` +
                `('admin', 'admin token', '${"a".repeat(128)}', 'sha512', '2024-01-01 00:00:00'), ` +
                `('viewer', 'viewer token', '${"b".repeat(128)}', 'sha512', '2024-01-01 00:00:00'); ` +
                `INSERT INTO ${table("access")} (login, idsite, access) VALUES ('viewer', 1, 'view'), ('viewer', 2, 'write');`,
        );
        dir = mkdtempSync(join(tmpdir(), "matomo-import-user-"));
        const files = { "db-password": DB.password, salt: `${SALT}\n`, token: `${tokens.first}\n`, "short-token": "abc123", empty: "\n" };
        for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    });

    after(async () => {
        await server?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const run = (extra: Record<string, string> = {}) => {
        const result = spawnSync("php", [SCRIPT], {
            encoding: "utf8",
            timeout: 30_000,
            env: {
                ...process.env,
                ...testDatabaseEnv(port, DB, join(dir, "db-password")),
                [SCRIPT_ENV.waitSeconds]: "1",
                [SCRIPT_ENV.tablesPrefix]: TABLES_PREFIX,
                [ENV.login]: LOGIN,
                [ENV.email]: EMAIL,
                [ENV.token]: join(dir, "token"),
                [ENV.sites]: "1 2",
                [SALT_FILE]: join(dir, "salt"),
                ...extra,
            },
        });
        outputs.push(result.stdout + result.stderr);
        return result;
    };
    /** A user's access rows as "site access". */
    const accessOf = (login: string) =>
        server.query(`SELECT idsite, access FROM ${table("access")} WHERE login = '${login}' ORDER BY idsite`).map((r) => r.join(" "));
    const tokensOf = (login: string) => server.query(`SELECT ${TOKEN_COLUMNS} FROM ${table("user_token_auth")} WHERE login = '${login}'`);
    const userRow = (login: string) => server.query(`SELECT * FROM ${table("user")} WHERE login = '${login}'`)[0];
    /** Every row of the four tables. */
    const snapshot = () =>
        ["user", "user_token_auth", "access", "site"].map((t) => server.query(`SELECT * FROM ${table(t)} ORDER BY 1, 2`));
    const others = () => snapshot().map((rows) => rows.filter((row) => row.includes("admin") || row.includes("viewer")));
    let othersBefore: string[][][];

    it("creates the user, not a superuser, with a random password, the token and write access on the sites", () => {
        othersBefore = others();
        const result = run();
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /user log-importer created/);

        // Columns in Matomo's order: login, password, email, twofactor_secret, superuser_access, date_registered,
        // ts_password_modified, then idchange_last_viewed ... ts_inactivity_notified, all unset.
        const [, password, email, twofactor, superuser, registered, modified, ...unset] = userRow(LOGIN);
        assert.deepEqual([email, twofactor, superuser, modified], [EMAIL, "", "0", registered]);
        assert.match(registered, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
        assert.deepEqual(unset, Array<string>(unset.length).fill("NULL"));
        assert.match(password, /^\$2y\$/, "a bcrypt hash, as password_hash(..., PASSWORD_DEFAULT) makes");
        for (const guess of ["", LOGIN, EMAIL, tokens.first]) assert.ok(!matomoAcceptsPassword(password, guess), guess);

        assert.deepEqual(tokensOf(LOGIN), tokenRow(matomoTokenHash(tokens.first)));
        assert.deepEqual(accessOf(LOGIN), ["1 write", "2 write"]);
    });

    it("follows a new site list: a site removed, one added, a view row upgraded, a capability dropped", () => {
        server.query(
            `INSERT INTO ${table("access")} (login, idsite, access) VALUES ('${LOGIN}', 3, 'view'), ('${LOGIN}', 2, 'tagmanager_write')`,
        );
        const user = userRow(LOGIN);
        const result = run({ [ENV.sites]: "4 2 3" });
        assert.equal(result.status, 0, result.stderr);
        assert.deepEqual(accessOf(LOGIN), ["2 write", "3 write", "4 write"]);
        for (const line of [
            "site 3: write granted (was view)",
            "site 4: write granted",
            "site 1: write removed",
            "site 2: tagmanager_write",
        ])
            assert.ok(result.stdout.includes(line), `${line} in:\n${result.stdout}`);
        assert.deepEqual(userRow(LOGIN), user, "the user row is left alone");
        assert.equal(tokensOf(LOGIN).length, 1);
    });

    it("changes nothing the second time, and says so", () => {
        const before = snapshot();
        const result = run({ [ENV.sites]: "2 3 4" });
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /^grant-import-user: nothing to change \(log-importer: write access to site\(s\) 2, 3, 4/);
        assert.deepEqual(snapshot(), before);
    });

    it("replaces the token row when the token file changes, and nothing else", () => {
        writeFileSync(join(dir, "token"), tokens.second);
        const user = userRow(LOGIN);
        const result = run({ [ENV.sites]: "2 3 4" });
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /token replaced by the one in MATOMO_IMPORT_TOKEN_FILE/);
        assert.deepEqual(tokensOf(LOGIN), tokenRow(matomoTokenHash(tokens.second)));
        assert.deepEqual(userRow(LOGIN), user);
        assert.equal(accessOf(LOGIN).length, 3);
    });

    it("refuses sites that do not exist, naming them, before changing anything", () => {
        const before = snapshot();
        const result = run({ [ENV.sites]: "2 99 98", [ENV.email]: "changed@example.com" });
        assert.equal(result.status, 3);
        assert.match(result.stderr, /no such site\(s\) in matomo_site: 98, 99 \(MATOMO_IMPORT_SITES\); nothing changed/);
        assert.deepEqual(snapshot(), before);
    });

    it("refuses to take over a superuser, or another user's e-mail or token", () => {
        const before = snapshot();
        assert.match(run({ [ENV.login]: "admin" }).stderr, /admin is a superuser/);
        assert.match(run({ [ENV.email]: "viewer@example.com" }).stderr, /user viewer already has the login or e-mail/);
        const other = { [ENV.login]: "viewer@example.com", [ENV.email]: "someone@example.com" };
        assert.match(run(other).stderr, /user viewer already has the login or e-mail/);
        writeFileSync(join(dir, "other-token"), tokens.second);
        const taken = run({ [ENV.login]: "another", [ENV.email]: "a@example.com", [ENV.token]: join(dir, "other-token") });
        assert.equal(taken.status, 3);
        assert.match(taken.stderr, /already a token of user log-importer/);
        assert.deepEqual(snapshot(), before);
    });

    it("takes over a user made by hand: a random password instead of the known one, only its own token", () => {
        const known = "known-password-1";
        const hash = php("echo password_hash(md5($argv[1]), PASSWORD_DEFAULT);", known);
        server.query(
            `INSERT INTO ${table("user")} (login, password, email, date_registered, invite_token) ` +
                `VALUES ('hand-made', '${hash}', 'old@example.com', '2024-01-01 00:00:00', 'hash-of-an-invitation'); ` +
                `INSERT INTO ${table("user_token_auth")} (login, description, password, hash_algo, date_created) VALUES ` +
                `('hand-made', 'made in the UI', '${matomoTokenHash(tokens.handMade)}', 'sha512', '2024-01-01 00:00:00'); ` +
                `INSERT INTO ${table("access")} (login, idsite, access) VALUES ('hand-made', 1, 'view'), ('hand-made', 4, 'admin');`,
        );
        assert.ok(matomoAcceptsPassword(userRow("hand-made")[1], known));
        writeFileSync(join(dir, "legacy-token"), tokens.legacy);
        const env = { [ENV.login]: "hand-made", [ENV.email]: "new@example.com", [ENV.token]: join(dir, "legacy-token") };
        const result = run({ ...env, [ENV.sites]: "1" });
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /password of hand-made replaced with a random one/);
        assert.match(result.stdout, /pending invitation of hand-made withdrawn/);
        assert.match(result.stdout, /token "made in the UI" \(created 2024-01-01 00:00:00\) removed/);
        const user = userRow("hand-made");
        assert.deepEqual([user[2], user[9]], ["new@example.com", "NULL"], "the new e-mail, no invitation");
        assert.ok(!matomoAcceptsPassword(user[1], known));
        assert.deepEqual(tokensOf("hand-made"), tokenRow(matomoTokenHash(tokens.legacy)));
        assert.deepEqual(accessOf("hand-made"), ["1 write"]);

        const before = snapshot();
        assert.match(run({ ...env, [ENV.sites]: "1" }).stdout, /nothing to change/);
        assert.deepEqual(snapshot(), before);
    });

    it("refuses a configuration it cannot follow, before connecting", () => {
        for (const [extra, message] of [
            [{ [ENV.sites]: "1,2" }, /MATOMO_IMPORT_SITES must be site IDs/],
            [{ [SALT_FILE]: join(dir, "empty") }, /the file in MATOMO_SALT_FILE is empty/],
            [{ [ENV.login]: "anonymous" }, /MATOMO_IMPORT_LOGIN must be/],
            [{ [ENV.email]: "not an address" }, /MATOMO_IMPORT_EMAIL is not an e-mail address/],
            [{ [ENV.token]: join(dir, "short-token") }, /must hold 32-128 letters and digits/],
            [{ [SALT_FILE]: join(dir, "missing") }, /MATOMO_SALT_FILE does not name a readable file/],
        ] as const) {
            const result = run(extra);
            assert.equal(result.status, 2, JSON.stringify(extra));
            assert.match(result.stderr, message);
        }
    });

    it("refuses a wrong database password at once, as the install Job does, changing nothing", () => {
        writeFileSync(join(dir, "wrong-db-password"), "not-the-password");
        const before = snapshot();
        const started = Date.now();
        // MATOMO_DB_WAIT_SECONDS empty: the pods' default of 600 s.
        const result = run({ [SCRIPT_ENV.dbPasswordFile]: join(dir, "wrong-db-password"), [SCRIPT_ENV.waitSeconds]: "" });
        assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
        assert.equal(result.status, 1);
        assert.match(
            result.stderr,
            /^grant-import-user: FAILED: the database at 127\.0\.0\.1:\d+ refused the password of user matomo \(\[1045\]/,
        );
        assert.ok(!result.stderr.includes("not-the-password"));
        assert.deepEqual(snapshot(), before);
    });

    it("leaves the other users' rows alone, and never prints the database password, the salt or a token", () => {
        assert.deepEqual(others(), othersBefore);
        const secrets = [DB.password, SALT, ...Object.values(tokens)];
        for (const output of outputs) {
            for (const secret of secrets) assert.ok(!output.includes(secret), `a secret in:\n${output}`);
        }
    });

    it("parses (php -l)", () => {
        const result = spawnSync("php", ["-l", SCRIPT], { encoding: "utf8" });
        assert.equal(result.status, 0, result.stdout + result.stderr);
    });
});
