/**
 * The rendered config.ini.php read back with PHP's own `parse_ini_string`, the function Matomo's
 * config reader is built on: every value, including a password full of INI-special characters,
 * arrives exactly as written, and the arrays are arrays.
 */
import assert from "node:assert/strict";
import { renderConfigIni } from "../components/matomo/configIni";
import { DEV_EXTRAS, one, runStack } from "./support/harness";
import { revealSecrets } from "../scripts/lib/mockEngine";
import { parseIniWithPhp as parseWithPhp } from "./support/php";
import { SAMPLE_INI } from "./support/samples";
import { requireBinaries } from "./support/system";

describe("config.ini.php read by PHP", () => {
    before(function () {
        requireBinaries(this, "php");
    });

    it("keeps every value exactly, special characters included", () => {
        const parsed = parseWithPhp(renderConfigIni(SAMPLE_INI));
        assert.deepEqual(parsed.database, {
            host: "mariadb.matomo.svc",
            port: "3306",
            username: "matomo",
            password: SAMPLE_INI.database.password,
            dbname: "matomo_db",
            tables_prefix: "matomo_",
            schema: "Mariadb",
            charset: "utf8mb4",
            collation: "utf8mb4_general_ci",
        });
        assert.equal(parsed.General.salt, SAMPLE_INI.salt);
        assert.deepEqual(parsed.General.trusted_hosts, ["analytics.example.com", "matomo.matomo.svc"]);
        assert.deepEqual(parsed.General.proxy_client_headers, ["HTTP_X_FORWARDED_FOR"]);
        assert.equal(parsed.General.enable_installer, "0");
        assert.equal(parsed.General.browser_archiving_disabled_enforce, "1");
        assert.equal(parsed.Tracker.record_statistics, "1");
    });

    it("parses the config.ini.php of the dev stack with mail", async () => {
        const dev = await runStack(DEV_EXTRAS);
        const ini = (revealSecrets(one(dev, "kubernetes:core/v1:Secret", "matomo-config").inputs.stringData) as Record<string, string>)[
            "config.ini.php"
        ];
        const parsed = parseWithPhp(ini);
        assert.equal(parsed.database.host, "mariadb.matomo-dev.svc");
        assert.deepEqual(parsed.General.trusted_hosts, ["matomo.dev.example.com", "matomo.matomo-dev.svc"]);
        assert.deepEqual(parsed.mail, {
            transport: "smtp",
            host: "smtp.example.com",
            port: "587",
            encryption: "tls",
            type: "LOGIN",
            username: "matomo-dev",
        });
        assert.equal(parsed.General.noreply_email_address, "noreply@matomo.dev.example.com");
    });
});
