/**
 * A small Matomo database for the backup and restore tests: Matomo 5's user, token, access and site
 * tables (test/fixtures/matomo-users-schema.sql) plus its option table, a site_url table with a
 * foreign key (so dropping tables needs foreign key checks off), a log_visit table whose binary
 * columns hold bytes that are not UTF-8 (quotes, backslashes, NUL, CR/LF, 0x80-0xFF), an archive
 * blob table of random bytes large enough to overflow a small file-size limit, and a view (defined
 * by Matomo's user, as anything in its database would be: a view keeps its DEFINER through a dump,
 * and only a user with SET USER may load one defined by another). Also
 * what the tests compare: a database's contents as checksums and counts, a directory's files.
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./harness";
import type { TestMariaDb } from "./mariadbServer";

/** Visitor IDs (BINARY(8)) and IP addresses (VARBINARY(16)) of the log_visit rows. */
export const VISITS = [
    { idvisitor: Buffer.from("ff00275c0a0d80c3", "hex"), ip: Buffer.from("c0a80001", "hex") },
    { idvisitor: Buffer.from("c328a0a1e282f0fe", "hex"), ip: Buffer.from("20010db8000000000000ff00004283ff", "hex") },
    { idvisitor: randomBytes(8), ip: randomBytes(16) },
];
/** 128 KiB of random bytes in the archive table: its dump is about as large compressed. */
const BLOB_ROWS = 4;
const BLOB_BYTES = 32 * 1024;

const hex = (bytes: Buffer) => `X'${bytes.toString("hex")}'`;

/** Creates the tables, rows and view in `db` (which exists and is empty). */
export function loadFixture(server: TestMariaDb, db: string): void {
    const schema = readFileSync(join(ROOT, "test", "fixtures", "matomo-users-schema.sql"), "utf8");
    const site = (id: number, name: string) =>
        `(${id}, '${name}', 'https://site${id}.example.com', '', '', 'UTC', 'EUR', '', '', '', '', '', 'website')`;
    server.query(
        `SET NAMES utf8mb4; USE \`${db}\`; ${schema}
        CREATE TABLE matomo_option (option_name VARCHAR(191) NOT NULL PRIMARY KEY, option_value LONGTEXT NOT NULL,
            autoload TINYINT NOT NULL DEFAULT 1) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
        CREATE TABLE matomo_site_url (idsite INTEGER(10) UNSIGNED NOT NULL, url VARCHAR(190) NOT NULL, PRIMARY KEY (idsite, url),
            FOREIGN KEY (idsite) REFERENCES matomo_site (idsite)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
        CREATE TABLE matomo_log_visit (idvisit BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, idsite INTEGER UNSIGNED NOT NULL,
            idvisitor BINARY(8) NOT NULL, location_ip VARBINARY(16) NOT NULL, visit_last_action_time DATETIME NOT NULL,
            referer_name VARCHAR(255) NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
        CREATE TABLE matomo_archive_blob_2024_01 (idarchive INTEGER UNSIGNED NOT NULL, name VARCHAR(190) NOT NULL,
            value MEDIUMBLOB NULL, PRIMARY KEY (idarchive, name)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
        CREATE DEFINER = 'matomo'@'%' VIEW matomo_visits_per_site AS SELECT s.idsite, s.name, COUNT(v.idvisit) AS visits
            FROM matomo_site s LEFT JOIN matomo_log_visit v ON v.idsite = s.idsite GROUP BY s.idsite, s.name;
        INSERT INTO matomo_option (option_name, option_value) VALUES ('version_core', '5.9.0'),
            ('MatomoInstallationTime', '1700000000'), ('SitesManager_DefaultTimezone', 'Europe/Copenhagen');
        INSERT INTO matomo_site (idsite, name, main_url, sitesearch_keyword_parameters, sitesearch_category_parameters,
            timezone, currency, excluded_ips, excluded_parameters, excluded_user_agents, excluded_referrers, \`group\`, type)
            VALUES ${site(1, "Café ☕ «Ørsted» 🚀")}, ${site(2, "It''s \\\\ a site")};
        INSERT INTO matomo_site_url VALUES (1, 'https://www.site1.example.com'), (2, 'https://alias.site2.example.com');
        INSERT INTO matomo_user (login, password, email, superuser_access) VALUES
            ('admin', '$2y$10$bcrypt-of-the-admin', 'admin@example.com', 1), ('viewer', 'bcrypt', 'viewer@example.com', 0);
        INSERT INTO matomo_access (login, idsite, access) VALUES ('viewer', 1, 'view'), ('viewer', 2, 'write');
        INSERT INTO matomo_log_visit (idsite, idvisitor, location_ip, visit_last_action_time, referer_name) VALUES
            ${VISITS.map((v, i) => `(${1 + (i % 2)}, ${hex(v.idvisitor)}, ${hex(v.ip)}, '2024-01-0${i + 1} 12:00:00', 'Ünïcode ${i}')`)};`,
    );
    for (let id = 1; id <= BLOB_ROWS; id++) {
        server.query(
            `INSERT INTO \`${db}\`.matomo_archive_blob_2024_01 VALUES (${id}, 'Actions_actions', ${hex(randomBytes(BLOB_BYTES))})`,
        );
    }
}

/** Every table of `db` as "<checksum> <rows>", and every view as its rows: equal contents, equal snapshots. */
export function snapshot(server: TestMariaDb, db: string): Record<string, string> {
    const quoted = (name: string) => `\`${db}\`.\`${name}\``;
    const all = server.query(`SHOW FULL TABLES FROM \`${db}\``);
    const tables = all.filter(([, type]) => type !== "VIEW").map(([name]) => name);
    const views = all.filter(([, type]) => type === "VIEW").map(([name]) => name);
    const checksums = new Map(server.query(`CHECKSUM TABLE ${tables.map(quoted).join(", ")}`).map(([name, sum]) => [name, sum]));
    const counts = server.query(tables.map((t) => `SELECT '${t}', COUNT(*) FROM ${quoted(t)}`).join(" UNION ALL "));
    return Object.fromEntries([
        ...counts.map(([name, count]) => [name, `${checksums.get(`${db}.${name}`)} ${count}`]),
        ...views.map((name) => [name, JSON.stringify(server.query(`SELECT * FROM ${quoted(name)} ORDER BY 1`))]),
    ]);
}

/** Values that must come back exactly: the binary columns of log_visit in hex, the site names in utf8mb4. */
export function exactValues(server: TestMariaDb, db: string): string[] {
    return [
        ...server.query(`SELECT LOWER(HEX(idvisitor)), LOWER(HEX(location_ip)) FROM \`${db}\`.matomo_log_visit ORDER BY idvisit`),
        ...server.query(`SET NAMES utf8mb4; SELECT name FROM \`${db}\`.matomo_site ORDER BY idsite`),
    ].flat();
}
/** What exactValues reads from the fixture (the client prints a backslash doubled). */
export const EXACT_VALUES = [
    ...VISITS.flatMap((v) => [v.idvisitor.toString("hex"), v.ip.toString("hex")]),
    ...["Café ☕ «Ørsted» 🚀", "It's \\\\ a site"],
];

/** The files of a directory (dot-files too), each name with the SHA-256 of its contents. */
export function filesOf(dir: string): Record<string, string> {
    return Object.fromEntries(
        readdirSync(dir)
            .sort()
            .map((name) => [
                name,
                createHash("sha256")
                    .update(readFileSync(join(dir, name)))
                    .digest("hex"),
            ]),
    );
}

/** The complete backups in a directory, oldest first. */
export const backupsIn = (dir: string) =>
    readdirSync(dir)
        .filter((f) => /^matomo-\d{8}T\d{6}Z\.sql\.gz$/.test(f))
        .sort();

/** A gzip file's contents, bytes as latin1 characters. */
export const gunzip = (file: string) => spawnSync("gzip", ["-dc", file], { encoding: "latin1", maxBuffer: 64 << 20 });

/** Bytes standing in for an uploaded logo. */
export const LOGO = Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), randomBytes(300)]);
