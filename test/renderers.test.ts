import assert from "node:assert/strict";
import {
    bufferPoolBytes,
    formatServerOption,
    mergeServerOptions,
    parseServerOption,
    SEED_SERVER_OPTIONS,
} from "../components/config/sections/serverOptions";
import { renderServerConfig, type ServerOption } from "../components/database/serverOptions";
import { CONFIG_INI_HEADER, renderConfigIni } from "../components/matomo/configIni";
import { iniString, renderIni } from "../components/matomo/ini";
import { renderPhpIni } from "../components/matomo/phpIni";
import { prepareWebrootScript } from "../components/matomo/scripts";
import { ingressAnnotations } from "../components/matomo/web";
import { SAMPLE_INI } from "./support/samples";

describe("config.ini.php renderer", () => {
    const ini = renderConfigIni(SAMPLE_INI);
    const lines = ini.split("\n");

    it("starts with the line that stops PHP from serving the file", () => {
        assert.ok(ini.startsWith("; <?php exit; ?> DO NOT REMOVE THIS LINE\n"));
        assert.ok(ini.startsWith(CONFIG_INI_HEADER));
    });

    it("writes the database section from the settings", () => {
        const section = ini.slice(ini.indexOf("[database]"), ini.indexOf("[General]"));
        assert.equal(
            section,
            [
                "[database]",
                'host = "mariadb.matomo.svc"',
                "port = 3306",
                'username = "matomo"',
                `password = "s3cret-Pa$$;w'rd=#x y"`,
                'dbname = "matomo_db"',
                'tables_prefix = "matomo_"',
                'schema = "Mariadb"',
                'charset = "utf8mb4"',
                'collation = "utf8mb4_general_ci"',
                "",
                "",
            ].join("\n"),
        );
    });

    it("writes array settings as key[] lines, one per value", () => {
        assert.deepEqual(
            lines.filter((l) => l.startsWith("trusted_hosts")),
            ['trusted_hosts[] = "analytics.example.com"', 'trusted_hosts[] = "matomo.matomo.svc"'],
        );
        assert.ok(lines.includes('proxy_client_headers[] = "HTTP_X_FORWARDED_FOR"'));
        assert.ok(lines.includes('proxy_host_headers[] = "HTTP_X_FORWARDED_HOST"'));
        assert.ok(!lines.some((l) => /^proxy_client_headers =/.test(l)), "a scalar proxy header is ignored by Matomo");
    });

    it("turns browser-triggered archiving off and enforces it, and closes the installer", () => {
        for (const expected of [
            "enable_browser_archiving_triggering = 0",
            "browser_archiving_disabled_enforce = 1",
            "multi_server_environment = 1",
            "enable_installer = 0",
            "enable_auto_update = 0",
            "enable_trusted_host_check = 1",
        ]) {
            assert.ok(lines.includes(expected), expected);
        }
    });

    it("keeps the maintenance switches present, driven by the settings", () => {
        assert.ok(lines.includes("maintenance_mode = 0"));
        assert.ok(lines.includes("record_statistics = 1"));
        const maintenance = renderConfigIni({ ...SAMPLE_INI, maintenanceMode: true, recordStatistics: false }).split("\n");
        assert.ok(maintenance.includes("maintenance_mode = 1"));
        assert.ok(maintenance.includes("record_statistics = 0"));
        assert.ok(ini.indexOf("record_statistics") > ini.indexOf("[Tracker]"));
    });

    it("writes assume_secure_protocol only when TLS ends at the ingress", () => {
        assert.ok(lines.includes("assume_secure_protocol = 1"));
        assert.ok(!renderConfigIni({ ...SAMPLE_INI, assumeSecureProtocol: false }).includes("assume_secure_protocol"));
    });

    it("disables LOAD DATA INFILE only where the database forbids it", () => {
        assert.ok(!ini.includes("enable_load_data_infile"));
        assert.ok(
            renderConfigIni({ ...SAMPLE_INI, loadDataInfile: false })
                .split("\n")
                .includes("enable_load_data_infile = 0"),
        );
    });

    it("refuses values the INI format cannot carry instead of writing a broken file", () => {
        for (const bad of ['with"quote', "back\\slash", "line\nbreak", "${ENV}"]) {
            assert.throws(() => renderConfigIni({ ...SAMPLE_INI, salt: bad }), /cannot hold/);
        }
    });
});

describe("INI writer", () => {
    it("quotes strings, writes numbers and booleans bare, and skips empty sections", () => {
        assert.equal(
            renderIni([
                [
                    "A",
                    [
                        ["s", "x"],
                        ["n", 3],
                        ["t", true],
                        ["f", false],
                        ["list", ["a", "b"]],
                    ],
                ],
                ["Empty", []],
            ]),
            '[A]\ns = "x"\nn = 3\nt = 1\nf = 0\nlist[] = "a"\nlist[] = "b"\n',
        );
        assert.equal(iniString("plain"), '"plain"');
    });
});

describe("php.ini renderer", () => {
    it("writes every matomo.environment setting and the time zone", () => {
        const ini = renderPhpIni({ memoryLimit: "4096M", maxExecutionTime: "0", maxInputTime: "60", timezone: "Europe/Copenhagen" });
        const lines = ini.split("\n");
        for (const expected of [
            "memory_limit = 4096M",
            "max_execution_time = 0",
            "max_input_time = 60",
            'date.timezone = "Europe/Copenhagen"',
            "opcache.max_accelerated_files = 20000",
        ]) {
            assert.ok(lines.includes(expected), expected);
        }
    });
});

describe("MariaDB server options", () => {
    it("parses the seed's --name=value form and normalises names", () => {
        assert.deepEqual(parseServerOption("--max-allowed-packet=64M"), { name: "max_allowed_packet", value: "64M" });
        assert.deepEqual(parseServerOption("--skip-name-resolve"), { name: "skip_name_resolve" });
        assert.deepEqual(parseServerOption(" --sql_mode=STRICT_TRANS_TABLES,NO_ZERO_DATE "), {
            name: "sql_mode",
            value: "STRICT_TRANS_TABLES,NO_ZERO_DATE",
        });
    });

    it("rejects what is not an option, or what the StatefulSet owns", () => {
        for (const bad of ["max_connections=3", "--", "--x=a\nb", "--port=3307", "--datadir=/d", "--skip-networking", "--a="]) {
            assert.equal(typeof parseServerOption(bad), "string", bad);
        }
    });

    it("parses all 13 remaining seed options", () => {
        const parsed = SEED_SERVER_OPTIONS.map(parseServerOption);
        assert.equal(parsed.length, 13);
        for (const p of parsed) assert.equal(typeof p, "object");
    });

    it("merges by name, later options winning, order kept", () => {
        const merged = mergeServerOptions(
            [
                { name: "a", value: "1" },
                { name: "b", value: "2" },
            ],
            [
                { name: "b", value: "3" },
                { name: "c", value: "4" },
            ],
        );
        assert.deepEqual(merged, [
            { name: "a", value: "1" },
            { name: "b", value: "3" },
            { name: "c", value: "4" },
        ]);
    });

    it("renders one line per option in a [mysqld] section, so each reaches the server", () => {
        const options: ServerOption[] = [{ name: "max_connections", value: "300" }, { name: "skip_name_resolve" }];
        const cnf = renderServerConfig(options).split("\n");
        const body = cnf.slice(cnf.indexOf("[mysqld]") + 1).filter((l) => l !== "");
        assert.deepEqual(body, ["max_connections = 300", "skip_name_resolve"]);
        assert.equal(formatServerOption(options[1]), "--skip_name_resolve");
    });

    it("reads the buffer pool size in bytes", () => {
        assert.equal(bufferPoolBytes([{ name: "innodb_buffer_pool_size", value: "7168M" }]), 7168 * 2 ** 20);
        assert.equal(bufferPoolBytes([]), undefined);
    });
});

describe("ingress annotations", () => {
    it("adds the cert-manager issuer and prefixes the nginx settings; user annotations win", () => {
        assert.deepEqual(
            ingressAnnotations({
                hostname: "a.example.com",
                clusterIssuer: "letsencrypt",
                nginx: { "proxy-body-size": "256m" },
                annotations: { "nginx.ingress.kubernetes.io/proxy-body-size": "1g", "example.com/x": "y" },
            }),
            {
                "cert-manager.io/cluster-issuer": "letsencrypt",
                "nginx.ingress.kubernetes.io/proxy-body-size": "1g",
                "example.com/x": "y",
            },
        );
    });
});

describe("prepare-webroot script", () => {
    const script = prepareWebrootScript();

    it("fails fast, copies the image's code and the generated config", () => {
        assert.ok(script.startsWith("set -eu\n"));
        assert.match(script, /cp -R "\$src\/\." "\$dst\/"/);
        assert.match(script, /cp "\/etc\/matomo\/config\.ini\.php" "\$dst\/config\/config\.ini\.php"/);
        assert.match(script, /exit 1/);
    });
});
