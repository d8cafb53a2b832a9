/**
 * MariaDB on the claim of an earlier installation (`mariadb.existingClaim`), on a real mariadbd
 * 10.11: the init container's check (components/database/scripts/check-data-directory.sh) on data
 * directories as earlier installations leave them, and the server started by the rendered config on
 * the directory the sub-path names, with the earlier installation's data in it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../components/config";
import { checkDataDirectoryScript } from "../components/database/mariadbData";
import { renderServerConfig } from "../components/database/serverOptions";
import { eea } from "./support/configCases";
import { sourceOf, stackConfig } from "./support/harness";
import { templateDataDirectory, TestMariaDb } from "./support/mariadbServer";
import { requireBinaries } from "./support/system";

/** The official image's `mysql` user, as whom the pod runs. */
const MYSQL_UID = 999;
const asRoot = process.getuid?.() === 0;

/** Gives a tree to `uid` (as root), or leaves it to the test's own user, who stands in for MariaDB's. */
function chownTree(path: string, uid: number): void {
    chownSync(path, uid, uid);
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) chownTree(join(path, entry), uid);
}

/** Writes a file of the data directory as MariaDB's user's. */
function writeOwned(path: string, text: string): void {
    writeFileSync(path, text);
    if (asRoot) chownSync(path, MYSQL_UID, MYSQL_UID);
}

/** The check as the init container runs it: MariaDB's user, the claim's directory at `dir`. */
function check(dir: string, subPath = "") {
    const env = { ...process.env, CHECK_DATA_DIR: dir, CHECK_CLAIM: "data-chart-mariadb-0", CHECK_SUB_PATH: subPath };
    const script = checkDataDirectoryScript();
    const command = asRoot
        ? ["setpriv", `--reuid=${MYSQL_UID}`, `--regid=${MYSQL_UID}`, "--clear-groups", "sh", "-c", script]
        : ["sh", "-c", script];
    return spawnSync(command[0], command.slice(1), { env, encoding: "utf8" });
}

describe("MariaDB on the claim of an earlier installation, on a real mariadbd", () => {
    let dir: string;
    let n = 0;
    before(function () {
        requireBinaries(this, "mariadbd", "mariadb-install-db", "mariadb-upgrade", ...(asRoot ? ["setpriv"] : []));
        dir = mkdtempSync(join(tmpdir(), "matomo-existing-data-"));
        chmodSync(dir, 0o755);
    });
    after(() => {
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /**
     * A volume as an earlier installation leaves it: its data directory at `layout` inside (`""`
     * for the official image's layout, `data` for Bitnami's), owned by MariaDB's user.
     */
    async function volume(layout: string): Promise<{ root: string; data: string }> {
        const root = join(dir, `volume-${++n}`);
        const data = join(root, layout);
        mkdirSync(root, { recursive: true });
        cpSync(await templateDataDirectory(), data, { recursive: true });
        if (asRoot) chownTree(root, MYSQL_UID);
        return { root, data };
    }

    it("opens the data directory the sub-path names, with the earlier installation's data, under the rendered server config", async function () {
        this.timeout(120_000);
        // A Bitnami volume: the data directory one level down, in data/.
        const { root, data } = await volume("data");
        const earlier = await TestMariaDb.start("", { dataDirectory: data });
        try {
            earlier.createDatabase("eea_matomo_db", "eea_matomo", "chart-password-1");
            earlier.query(
                "CREATE TABLE eea_matomo_db.matomo_site (idsite INT PRIMARY KEY, name TEXT); INSERT INTO eea_matomo_db.matomo_site VALUES (1, 'kept')",
            );
        } finally {
            await earlier.stop();
        }
        if (asRoot) chownTree(root, MYSQL_UID);

        const atRoot = check(root);
        assert.equal(atRoot.status, 1);
        assert.match(
            atRoot.stderr,
            /the claim data-chart-mariadb-0 holds no MariaDB data directory, but its directory data does: set mariadb\.existingClaimSubPath to data$/m,
        );

        const atData = check(data, "data");
        assert.equal(atData.status, 0, atData.stderr);
        assert.match(
            atData.stdout,
            /the directory data of the claim data-chart-mariadb-0 holds the data directory of MariaDB 10\.11, which this image's MariaDB 10\.11 opens as it is/,
        );

        const { config, issues } = parseConfig(sourceOf(stackConfig("dev")));
        assert.deepEqual(issues, []);
        const server = await TestMariaDb.start(renderServerConfig(eea(config!).mariadb.serverOptions), { dataDirectory: data });
        try {
            assert.deepEqual(server.query("SELECT name FROM eea_matomo_db.matomo_site"), [["kept"]]);
            assert.equal(server.variables().get("datadir"), `${data}/`);
        } finally {
            await server.stop();
        }
    });

    it("refuses a data directory of a newer series, and lets the entrypoint upgrade one of an older series", async function () {
        this.timeout(120_000);
        const { root } = await volume("");
        const info = join(root, "mysql_upgrade_info");
        assert.match(
            readFileSync(info, "utf8"),
            /^10\.11\.\d+-MariaDB/,
            "mariadb-install-db writes the version it made the directory with",
        );

        writeOwned(info, "11.4.5-MariaDB");
        const newer = check(root);
        assert.equal(newer.status, 1);
        assert.match(
            newer.stderr,
            /holds the data directory of MariaDB 11\.4, a newer series than this image's MariaDB 10\.11: a data directory cannot go back/,
        );

        writeOwned(info, "10.6.21-MariaDB\0");
        const older = check(root);
        assert.equal(older.status, 0, older.stderr);
        assert.match(older.stdout, /holds the data directory of MariaDB 10\.6: the entrypoint upgrades it to MariaDB 10\.11 now/);

        // What the entrypoint then runs (MARIADB_AUTO_UPGRADE): mariadb-upgrade records the server's version.
        const server = await TestMariaDb.start("", { dataDirectory: root });
        try {
            const upgrade = spawnSync("mariadb-upgrade", [`--defaults-file=${server.defaultsFile}`, "--upgrade-system-tables"], {
                encoding: "utf8",
            });
            assert.equal(upgrade.status, 0, upgrade.stderr + upgrade.stdout);
        } finally {
            await server.stop();
        }
        if (asRoot) chownTree(root, MYSQL_UID);
        assert.match(check(root).stdout, /holds the data directory of MariaDB 10\.11, which this image's MariaDB 10\.11 opens as it is/);

        rmSync(info);
        assert.match(check(root).stdout, /of an unknown version \(no mysql_upgrade_info\): the entrypoint upgrades its system tables/);
    });

    it("refuses files MariaDB's user cannot read and write, but not the file system's lost+found", async () => {
        const { root } = await volume("");
        mkdirSync(join(root, "lost+found"), { mode: 0o700 });
        if (asRoot) chownSync(join(root, "lost+found"), 0, 0);
        assert.equal(check(root).status, 0, check(root).stderr);

        const table = join(root, "mysql", "db.MAI");
        if (asRoot)
            chownSync(table, 1001, 1001); // a Bitnami image's user
        else chmodSync(table, 0o000);
        const refused = check(root);
        assert.equal(refused.status, 1);
        assert.match(
            refused.stderr,
            /has files MariaDB's user \(uid \d+\) cannot read and write \(mysql\/db\.MAI, perhaps more\): give the data directory to that user/,
        );
    });

    it("refuses a claim without a data directory, on which the entrypoint would initialise a new database", () => {
        const empty = join(dir, "empty");
        mkdirSync(empty, { mode: 0o755 });
        if (asRoot) chownSync(empty, MYSQL_UID, MYSQL_UID);
        const result = check(empty);
        assert.equal(result.status, 1);
        assert.match(result.stderr, /the claim data-chart-mariadb-0 holds no MariaDB data directory \(no mysql\/ in it\)/);
    });
});
