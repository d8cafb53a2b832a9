/**
 * The PHP scripts that read and write Matomo's database with plain PDO, without Matomo's bootstrap
 * (database.php for the install Job, grant-import-user.php for the log import), the connection
 * both require from their own directory (database-connection.php), and the environment that tells
 * them where the database is.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseEndpoint } from "../../database/endpoint";
import { SECRETS_DIR_DATABASE } from "../paths";
import { SCRIPT_ENV, scriptSource } from "./index";

/**
 * The database variables of a script that reads the database itself (database.php,
 * grant-import-user.php): where it is, as whom, the password as a file mounted at
 * {@link SECRETS_DIR_DATABASE}, the table prefix, and TLS when the database has it (the CA file is
 * mounted by the database's pod patch).
 */
export function databaseScriptEnv(db: DatabaseEndpoint, tablesPrefix: string): { name: string; value: pulumi.Input<string> }[] {
    const e = SCRIPT_ENV;
    return [
        { name: e.dbHost, value: db.host },
        { name: e.dbPort, value: String(db.port) },
        { name: e.dbName, value: db.database },
        { name: e.dbUser, value: db.user },
        { name: e.dbPasswordFile, value: `${SECRETS_DIR_DATABASE}/password` },
        { name: e.tablesPrefix, value: tablesPrefix },
        ...(db.tls
            ? [
                  { name: e.dbSslCa, value: db.tls.caFile },
                  { name: e.dbSslVerify, value: db.tls.verifyServerCertificate ? "1" : "0" },
              ]
            : []),
    ];
}

/**
 * `php database.php state|set-options`: Matomo's database as the install Job sees it.
 *
 * - `state` prints `installed` (tables, a superuser and a website exist), `empty` (no Matomo tables)
 *   or `partial` (tables without a superuser or website: an installation that did not finish) and
 *   exits with the matching {@link DATABASE_STATE} code.
 * - `set-options` writes the options of the JSON object in `MATOMO_OPTIONS` (e.g. the GeoIP
 *   location provider), the way Matomo's own settings pages store them.
 *
 * Both wait for the database to accept connections first, so a database still starting (or a
 * proxy still connecting) is not taken for a failure; a refused password or database fails at once
 * ({@link databaseConnectionScript}). The password is never printed.
 */
export function databaseScript(): string {
    return scriptSource("database.php");
}

/**
 * `php grant-import-user.php`: the log import's Matomo user, its API token and its write access
 * to exactly the configured sites, made so in one transaction on every run of the import job
 * (rows as Matomo's UsersManager writes them; see the file).
 */
export function grantImportUserScript(): string {
    return scriptSource("grant-import-user.php");
}

/**
 * `database-connection.php`, which database.php and grant-import-user.php require from their own
 * directory (ship it beside them): the connection to Matomo's database, waited for while the
 * database cannot be reached yet (`MATOMO_DB_WAIT_SECONDS`, 600 s by default) and refused at once,
 * saying what to check, when waiting cannot help (a wrong password, a missing database).
 */
export function databaseConnectionScript(): string {
    return scriptSource("database-connection.php");
}
