import assert from "node:assert/strict";
import { inspect } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, SecretValue, type Issue } from "../components/config";
import { rejected, string } from "../components/config/schema/fields";
import { parseKeys } from "../components/config/schema/parse";
import { deploy } from "../stacks";
import { assertRejected, devExtras, eea, minimal, parse, valid } from "./support/configCases";
import { sourceOf, stackConfig, withChanges } from "./support/harness";

describe("configuration", () => {
    describe("defaults", () => {
        const cfg = eea(valid({}, minimal));

        it("keep the seed chart's defaults where they are sound", () => {
            assert.equal(cfg.topology, "eea");
            assert.equal(cfg.timezone, "Europe/Copenhagen");
            assert.equal(cfg.pvc.resourcePolicyKeep, true);
            assert.equal(cfg.matomo.replicaCount, 1);
            assert.equal(cfg.matomo.php.maxExecutionTime, "0");
            assert.deepEqual(cfg.matomo.resources.requests.memory, "2Gi");
            assert.deepEqual(cfg.matomo.resources.limits.memory, "5Gi");
            assert.equal(cfg.mariadb.user, "eea_matomo");
            assert.equal(cfg.mariadb.database, "eea_matomo_db");
            assert.equal(cfg.mariadb.storage, "10Gi");
            assert.equal(cfg.mariadb.resources.requests.memory, "7Gi");
            assert.equal(cfg.mariadb.resources.limits.memory, "10Gi");
            assert.equal(cfg.ingress.nginx["proxy-body-size"], "256m");
        });

        it("replace the seed's broken or insecure defaults", () => {
            assert.equal(cfg.matomo.image.repository, "matomo", "the Bitnami-based eeacms image is gone");
            assert.match(cfg.matomo.image.reference, /^matomo:5\.\d+\.\d+-apache$/);
            assert.notEqual(cfg.matomo.username, "user");
            assert.equal(cfg.matomo.php.memoryLimit, "512M", "a web worker never archives; the seed's 4096M fits one worker in 5Gi");
            assert.equal(cfg.webServer.workers, 9, "(5Gi - 192 MiB) / (512M + 16 MiB)");
            assert.equal(cfg.ingress.nginx["proxy-read-timeout"], "1200", 'ingress-nginx ignores "180s"');
            assert.equal(cfg.ingress.clusterIssuer, undefined, "no EEA ClusterIssuer by default");
            assert.equal(cfg.matomo.password, undefined, "generated, never a placeholder default");
            assert.equal(cfg.mariadb.password, undefined);
            assert.equal(cfg.mariadb.rootPassword, undefined);
        });

        it("size the InnoDB buffer pool to fit the memory limit (the seed's 10G did not fit 10Gi)", () => {
            const pool = cfg.mariadb.serverOptions.find((o) => o.name === "innodb_buffer_pool_size");
            assert.equal(pool?.value, "7168M");
        });

        it("apply every option of the seed's mariadb.commands, plus utf8mb4", () => {
            const names = cfg.mariadb.serverOptions.map((o) => o.name);
            for (const name of [
                "max_allowed_packet",
                "wait_timeout",
                "interactive_timeout",
                "net_read_timeout",
                "net_write_timeout",
                "connect_timeout",
                "innodb_flush_log_at_trx_commit",
                "max_connections",
                "table_open_cache",
                "table_definition_cache",
                "innodb_buffer_pool_size",
                "innodb_log_file_size",
                "query_cache_size",
                "query_cache_type",
                "character_set_server",
                "collation_server",
            ]) {
                assert.ok(names.includes(name), `missing ${name}`);
            }
        });

        it("anonymise IP addresses and honour Do Not Track, as a browser install does", () => {
            assert.deepEqual(cfg.privacy, {
                anonymizeIp: true,
                ipAddressMaskLength: 2,
                useAnonymizedIpForVisitEnrichment: false,
                doNotTrack: true,
                forceCookielessTracking: false,
                anonymizeUserId: false,
                anonymizeOrderId: false,
                anonymizeReferrer: "",
            });
        });

        it("name the TLS Secret after the hostname", () => {
            assert.equal(cfg.ingress.certificate, "analytics.example.com-tls");
        });
    });

    describe("accepted input", () => {
        it("reads the dev stack as it is", () => {
            const cfg = valid({}, stackConfig("dev"));
            assert.equal(cfg.namespace, "matomo-dev");
            assert.equal(cfg.matomo.hostname, "matomo.dev.example.com");
            assert.equal(cfg.matomo.replicaCount, 1);
        });

        it("converts Kubernetes-style PHP sizes to what PHP understands", () => {
            const cfg = valid({ "matomo:matomo": { environment: { PHP_MEMORY_LIMIT: "384Mi" } } });
            assert.equal(cfg.matomo.php.memoryLimit, "384M", 'PHP reads "384Mi" as 384 bytes');
        });

        it("takes numbers and booleans written as text, as `pulumi config set` may store them", () => {
            const cfg = valid({
                "matomo:matomo": { replicaCount: "3", storageAccessMode: "ReadWriteMany" },
                "matomo:createNamespace": "false",
            });
            assert.equal(cfg.matomo.replicaCount, 3);
            assert.equal(cfg.createNamespace, false);
        });

        it("merges mariadb.commands into the defaults by option name", () => {
            const cfg = eea(valid({ "matomo:mariadb": { commands: ["--max-connections=500", "--innodb_buffer_pool_size=1G"] } }));
            const value = (name: string) => cfg.mariadb.serverOptions.find((o) => o.name === name)?.value;
            assert.equal(value("max_connections"), "500");
            assert.equal(value("innodb_buffer_pool_size"), "1G");
            assert.equal(value("max_allowed_packet"), "128M");
            assert.equal(cfg.mariadb.serverOptions.filter((o) => o.name === "max_connections").length, 1);
        });

        it("accepts the Matomo versions it runs, and custom images whose tags are their own", () => {
            for (const image of [
                { repository: "matomo", tag: "5" },
                { repository: "docker.io/library/matomo", tag: "5.1.2-apache" },
                { repository: "registry.example.com/matomo-ldap", tag: "1.2.0" },
            ]) {
                assert.deepEqual(valid({ "matomo:matomo": { image } }).matomo.image.tag, image.tag);
            }
            // Topology google (Matomo's MySQL schema) runs them from 4.16 on.
            for (const image of [
                { repository: "matomo", tag: "4.16.1-apache" },
                { repository: "matomo", tag: "4-apache" },
                { repository: "matomo", tag: "5.0.3-apache" },
            ]) {
                assert.deepEqual(valid({ "matomo:matomo": { image } }, stackConfig("prod")).matomo.image.tag, image.tag);
            }
        });

        it("accepts credentials set with --secret and never prints them", () => {
            const cfg = eea(valid({ "matomo:mariadb": { password: "a-long-database-password" } }, devExtras, ["matomo:mariadb"]));
            assert.ok(cfg.mariadb.password instanceof SecretValue);
            assert.equal(cfg.mariadb.password.reveal(), "a-long-database-password");
            const dumped = JSON.stringify(cfg) + inspect(cfg, { depth: 10 }) + String(cfg.mariadb.password);
            assert.ok(!dumped.includes("a-long-database-password"));
        });

        it('reads the seed chart\'s "" as unset where the seed did: login, password, storage classes', () => {
            const cfg = eea(
                valid({
                    "matomo:matomo": { username: "", password: "", storageClassName: "" },
                    "matomo:mariadb": { storageClassName: "" },
                    "matomo:geoipupdate": { storageClassName: "" },
                }),
            );
            assert.equal(cfg.matomo.username, "admin");
            assert.equal(cfg.matomo.password, undefined, "generated");
            assert.equal(cfg.matomo.storageClassName, undefined);
            assert.equal(cfg.mariadb.storageClassName, undefined);
        });

        it("takes plugin names as Matomo does, underscores included, each once", () => {
            const cfg = valid({ "matomo:matomo": { plugins: ["QueuedTracking", "Custom_Reports", "QueuedTracking"] } });
            assert.deepEqual(cfg.matomo.plugins, ["QueuedTracking", "Custom_Reports"]);
        });

        it("keeps the nginx settings with the cluster's default class, the seed's empty className", () => {
            const cfg = valid({ "matomo:ingress": { className: "", configuration: { "proxy-read-timeout": "180" } } });
            assert.equal(cfg.ingress.className, undefined);
            assert.equal(cfg.ingress.nginx["proxy-read-timeout"], "180");
        });

        it("drops the nginx settings for another ingress class when they were not changed", () => {
            const cfg = valid({ "matomo:ingress": { className: "traefik" } });
            assert.deepEqual(cfg.ingress.nginx, {});
        });
    });

    describe("rejected input", () => {
        // [what, config changes, key the message must name, text the message must contain]
        const cases: [string, Parameters<typeof withChanges>[1], string, string][] = [
            ["an unknown topology", { "matomo:topology": "gke" }, "matomo:topology", '"gke"'],
            ["a misspelt top-level key", { "matomo:matomoo": { replicaCount: 2 } }, "matomo:matomoo", 'did you mean "matomo:matomo"?'],
            ["a misspelt namespace", { "matmo:timezone": "UTC" }, "matmo:timezone", 'did you mean "matomo:timezone"?'],
            ["a namespace nothing reads", { "aws:region": "eu-west-1" }, "aws:region", "nothing in this program reads"],
            ["a namespace that is no DNS label", { "matomo:namespace": "Matomo_Prod" }, "matomo:namespace", '"Matomo_Prod"'],
            ["an unknown time zone", { "matomo:timezone": "Mars/Olympus_Mons" }, "matomo:timezone", "IANA"],
            ["a UTC offset as time zone", { "matomo:timezone": "+02:00" }, "matomo:timezone", "IANA"],
            [
                "a time zone in the wrong case",
                { "matomo:timezone": "europe/copenhagen" },
                "matomo:timezone",
                'case-sensitive; use "Europe/Copenhagen"',
            ],
            ["UTC in lower case", { "matomo:timezone": "utc" }, "matomo:timezone", 'use "UTC"'],
            ["an alias in the wrong case", { "matomo:timezone": "asia/calcutta" }, "matomo:timezone", "case-sensitive"],
            [
                "a line break in free text",
                { "matomo:matomo": { siteName: "Intranet\nstats" } },
                "matomo:matomo.siteName",
                'control character ("\\n") at position 9',
            ],
            [
                "a tab in an LDAP filter",
                { "matomo:ldap": { ldapUserFilter: "(objectClass=person)\t" } },
                "matomo:ldap.ldapUserFilter",
                "control character",
            ],
            [
                "an LDAP filter without parentheses",
                { "matomo:ldap": { ldapUserFilter: "objectClass=person" } },
                "matomo:ldap.ldapUserFilter",
                'at character 1: expected "("',
            ],
            [
                "an unbalanced LDAP filter",
                { "matomo:ldap": { ldapUserFilter: "(&(objectClass=person)(mail=*)" } },
                "matomo:ldap.ldapUserFilter",
                'expected ")"',
            ],
            [
                "an e-mail suffix without @",
                { "matomo:ldap": { userEmailSuffix: "example.com" } },
                "matomo:ldap.userEmailSuffix",
                "expected @ and a domain",
            ],
            ["no archiver at all", { "matomo:matomocronArchive": [] }, "matomo:matomocronArchive", "no report would ever be built"],
            [
                "GeoIP editions without locations",
                { "matomo:geoipupdate": { environment: { GEOIPUPDATE_EDITION_IDS: "GeoLite2-ASN" } } },
                "matomo:geoipupdate.environment.GEOIPUPDATE_EDITION_IDS",
                "none of these editions holds locations",
            ],
            [
                "implicit TLS without requiring TLS",
                { "matomo:postfix": { port: 465, tlsSecurityLevel: "may" } },
                "matomo:postfix.tlsSecurityLevel",
                "port 465, which speaks TLS from the first byte",
            ],
            [
                "a sender domain Matomo refuses",
                { "matomo:postfix": { senderAddress: "noreply@-stats.example.org" } },
                "matomo:postfix.senderAddress",
                "dash",
            ],
            [
                "a missing hostname",
                { "matomo:matomo": { hostname: null } },
                "matomo:matomo.hostname",
                "pulumi config set --path matomo.hostname",
            ],
            [
                "a URL as hostname",
                { "matomo:matomo": { hostname: "https://analytics.example.com" } },
                "matomo:matomo.hostname",
                "without a scheme",
            ],
            ["an upper-case hostname", { "matomo:matomo": { hostname: "Analytics.Example.com" } }, "matomo:matomo.hostname", "lower-case"],
            ["a hostname without domain", { "matomo:matomo": { hostname: "matomo" } }, "matomo:matomo.hostname", "fully qualified"],
            ["zero replicas", { "matomo:matomo": { replicaCount: 0 } }, "matomo:matomo.replicaCount", "got 0"],
            [
                "a plugin path instead of a name",
                { "matomo:matomo": { plugins: ["plugins/LoginLdap"] } },
                "matomo:matomo.plugins[0]",
                "plugin name",
            ],
            ["plugins as one string", { "matomo:matomo": { plugins: "LoginLdap,QueuedTracking" } }, "matomo:matomo.plugins", "list"],
            ["a non-numeric replica count", { "matomo:matomo": { replicaCount: "two" } }, "matomo:matomo.replicaCount", '"two"'],
            [
                "an upper-case image repository",
                { "matomo:matomo": { image: { repository: "Matomo" } } },
                "matomo:matomo.image.repository",
                '"Matomo"',
            ],
            [
                "a tag inside the repository",
                { "matomo:mariadb": { image: { repository: "mariadb:10.11" } } },
                "matomo:mariadb.image.repository",
                "without tag",
            ],
            ["the latest tag", { "matomo:matomo": { image: { tag: "latest" } } }, "matomo:matomo.image.tag", "pinned"],
            [
                "the seed's Bitnami-based image",
                { "matomo:matomo": { image: { repository: "eeacms/matomo", tag: "5.3.2-1" } } },
                "matomo:matomo.image.repository",
                "got eeacms/matomo:5.3.2-1, a Bitnami-based image",
            ],
            [
                "the last Bitnami-based EEA image",
                { "matomo:matomo": { image: { repository: "docker.io/eeacms/matomo", tag: "5.7.1-1" } } },
                "matomo:matomo.image.repository",
                "Bitnami-based",
            ],
            [
                "Bitnami's own image",
                { "matomo:matomo": { image: { repository: "bitnami/matomo", tag: "5.3.2" } } },
                "matomo:matomo.image.repository",
                "Bitnami-based",
            ],
            [
                "EEA's later fpm-based image",
                { "matomo:matomo": { image: { repository: "eeacms/matomo", tag: "5.11.2" } } },
                "matomo:matomo.image.repository",
                "it has no web server",
            ],
            [
                "the official fpm variant",
                { "matomo:matomo": { image: { tag: "5.11.2-fpm-alpine" } } },
                "matomo:matomo.image.tag",
                "Apache variant",
            ],
            [
                "a Matomo older than 4.16",
                { "matomo:matomo": { image: { tag: "4.15.1-apache" } } },
                "matomo:matomo.image.tag",
                "got matomo:4.15.1-apache, Matomo 4.15; this program runs Matomo 4.16 or 5.x (5.1 or later on topology eea): use a 5.x tag (e.g. 5.11.2-apache) or 4.16.1",
            ],
            [
                "a Matomo before 5.1 on topology eea, whose config names the MariaDB schema",
                { "matomo:matomo": { image: { tag: "5.0.3-apache" } } },
                "matomo:matomo.image.tag",
                "topology eea runs Matomo 5.1 or later 5.x: its config.ini.php names Matomo's MariaDB schema",
            ],
            [
                "Matomo 3 from a registry mirror",
                { "matomo:matomo": { image: { repository: "mirror.gcr.io/library/matomo", tag: "3" } } },
                "matomo:matomo.image.tag",
                "Matomo 3; this program runs Matomo 4.16 or 5.x (5.1 or later on topology eea)",
            ],
            [
                "a Matomo major version newer than the program",
                { "matomo:matomo": { image: { tag: "6.0.0-apache" } } },
                "matomo:matomo.image.tag",
                "Matomo 6.0, newer than this program knows",
            ],
            ["a malformed tag", { "matomo:mariadb": { image: { tag: "10.11 18" } } }, "matomo:mariadb.image.tag", '"10.11 18"'],
            ["a storage size in GB", { "matomo:mariadb": { storage: "10GB" } }, "matomo:mariadb.storage", "Kubernetes quantity"],
            [
                "a quantity with a space",
                { "matomo:matomo": { resources: { limits: { memory: "5 Gi" } } } },
                "matomo:matomo.resources.limits.memory",
                '"5 Gi"',
            ],
            [
                "a negative CPU request",
                { "matomo:matomo": { resources: { requests: { cpu: "-1" } } } },
                "matomo:matomo.resources.requests.cpu",
                '"-1"',
            ],
            [
                "a PHP memory limit PHP cannot read",
                { "matomo:matomo": { environment: { PHP_MEMORY_LIMIT: "lots" } } },
                "matomo:matomo.environment.PHP_MEMORY_LIMIT",
                "PHP size",
            ],
            [
                "a container limit not above PHP's limit",
                { "matomo:matomo": { environment: { PHP_MEMORY_LIMIT: "1G" } } },
                "matomo:matomo.resources.limits.memory",
                "must exceed PHP's memory_limit",
            ],
            [
                "an unlimited PHP memory limit",
                { "matomo:matomo": { environment: { PHP_MEMORY_LIMIT: "-1" } } },
                "matomo:matomo.environment.PHP_MEMORY_LIMIT",
                "no limit",
            ],
            [
                "the Bitnami Apache port",
                { "matomo:matomo": { environment: { APACHE_HTTP_PORT_NUMBER: "9080" } } },
                "matomo:matomo.environment.APACHE_HTTP_PORT_NUMBER",
                "port 80",
            ],
            [
                "a buffer pool as large as the memory limit",
                { "matomo:mariadb": { commands: ["--innodb_buffer_pool_size=2G"] } },
                "matomo:mariadb.commands",
                "does not fit",
            ],
            [
                "a server option without dashes",
                { "matomo:mariadb": { commands: ["max_connections=300"] } },
                "matomo:mariadb.commands[0]",
                "--name=value",
            ],
            [
                "a server option the StatefulSet owns",
                { "matomo:mariadb": { commands: ["--datadir=/data"] } },
                "matomo:mariadb.commands[0]",
                "managed by the program",
            ],
            ["an unknown top-level key", { "matomo:hostname": "analytics.example.com" }, "matomo:hostname", "unknown key"],
            [
                "a typo in a nested key",
                { "matomo:matomo": { hostnmae: "x.example.com" } },
                "matomo:matomo.hostnmae",
                'did you mean "hostname"',
            ],
            [
                "a password in plain text",
                { "matomo:mariadb": { password: "a-long-database-password" } },
                "matomo:mariadb.password",
                "plain text in the stack file, readable by anyone who can read the file: set it with `pulumi config set --secret --path mariadb.password <value>` (which stores it encrypted in its place), or remove the key to have one generated",
            ],
            [
                "the seed's REPLACEME as root password",
                { "matomo:mariadb": { rootPassword: "REPLACEME" } },
                "matomo:mariadb.rootPassword",
                'the seed chart\'s placeholder "REPLACEME", not a value: set the real one with `pulumi config set --secret --path mariadb.rootPassword <value>`, or remove the key to have one generated',
            ],
            [
                "an empty root password allowed",
                { "matomo:mariadb": { environment: { MYSQL_ALLOW_EMPTY_PASSWORD: "yes" } } },
                "matomo:mariadb.environment.MYSQL_ALLOW_EMPTY_PASSWORD",
                "never allowed",
            ],
            [
                "replicas that cannot share a ReadWriteOnce volume",
                { "matomo:matomo": { replicaCount: 2 } },
                "matomo:matomo.replicaCount",
                "ReadWriteMany",
            ],
            [
                "a request above its limit",
                { "matomo:mariadb": { resources: { requests: { memory: "3Gi" } } } },
                "matomo:mariadb.resources.requests.memory",
                "may not exceed",
            ],
            [
                "an ingress timeout with a unit",
                { "matomo:ingress": { configuration: { "proxy-read-timeout": "180s" } } },
                "matomo:ingress.configuration.proxy-read-timeout",
                '"180s"',
            ],
            [
                "nginx settings for another ingress class",
                { "matomo:ingress": { className: "traefik", configuration: { "proxy-body-size": "1g" } } },
                "matomo:ingress.configuration",
                "no effect",
            ],
            [
                "an invalid annotation key",
                { "matomo:ingress": { annotations: { "bad key!": "x" } } },
                "matomo:ingress.annotations.bad key!",
                "not an allowed key",
            ],
            ["a one-letter superuser login", { "matomo:matomo": { username: "a" } }, "matomo:matomo.username", "2 to 100 bytes"],
            ["a database user with a dash", { "matomo:mariadb": { user: "eea-matomo" } }, "matomo:mariadb.user", '"eea-matomo"'],
            ["structured config as plain text", { "matomo:pvc": "keep" }, "matomo:pvc", "structured"],
            ["a boolean written as yes", { "matomo:pvc": { resourcePolicyKeep: "yes" } }, "matomo:pvc.resourcePolicyKeep", "true or false"],
            [
                "an access mode the volume cannot have",
                { "matomo:matomo": { storageAccessMode: "ReadOnlyMany" } },
                "matomo:matomo.storageAccessMode",
                '"ReadWriteMany"',
            ],
            ["an invalid superuser e-mail", { "matomo:matomo": { email: "admin" } }, "matomo:matomo.email", "e-mail address"],
            [
                "a first-site URL that is not http(s)",
                { "matomo:matomo": { siteUrl: "ftp://example.com" } },
                "matomo:matomo.siteUrl",
                "https://",
            ],
            [
                "a maintenance switch that is no boolean",
                { "matomo:maintenance": { disableUi: "maybe" } },
                "matomo:maintenance.disableUi",
                "true or false",
            ],
            [
                "log settings without a log source",
                { "matomo:rsyncAnalytics": { cronSchedule: "0 * * * *" } },
                "matomo:rsyncAnalytics",
                "no effect without log sources",
            ],
            [
                "an IP mask of five bytes",
                { "matomo:privacy": { ipAddressMaskLength: 5 } },
                "matomo:privacy.ipAddressMaskLength",
                "from 1 to 4",
            ],
            [
                "a mask length with anonymisation off",
                { "matomo:privacy": { anonymizeIp: false, ipAddressMaskLength: 3 } },
                "matomo:privacy.ipAddressMaskLength",
                "no effect",
            ],
            [
                "an unknown referrer anonymisation",
                { "matomo:privacy": { anonymizeReferrer: "all" } },
                "matomo:privacy.anonymizeReferrer",
                '"exclude_all"',
            ],
        ];

        for (const [what, changes, key, text] of cases) {
            it(`rejects ${what}, naming ${key}`, () => assertRejected(changes, key, text));
        }

        it("reports the rules across keys in the same round as invalid values", () => {
            const { issues } = parse({
                "matomo:matomo": { replicaCount: "two" },
                "matomo:mariadb": { commands: ["--innodb_buffer_pool_size=64G"] },
            });
            assert.deepEqual(issues.map((i) => i.key).sort(), ["matomo:mariadb.commands", "matomo:matomo.replicaCount"]);
        });

        it("does not report what an invalid value, assumed corrected, would have caused", () => {
            const placeholders = parse({ "matomo:geoipupdate": { existingSecret: null, accountId: "REPLACEME", licenseKey: "REPLACEME" } });
            assert.deepEqual(placeholders.issues.map((i) => i.key).sort(), [
                "matomo:geoipupdate.accountId",
                "matomo:geoipupdate.licenseKey",
            ]);
            const php = parse({
                "matomo:matomocronArchive": { environment: { PHP_MEMORY_LIMIT: "lots" }, resources: { limits: { memory: "512Mi" } } },
            });
            assert.deepEqual(
                php.issues.map((i) => i.key),
                ["matomo:matomocronArchive.environment.PHP_MEMORY_LIMIT"],
                "no complaint about a limit below the default PHP memory_limit",
            );
        });

        it("offers only keys that can be set as known keys, not those always rejected", () => {
            const { issues } = parse({ "matomo:foo": "bar" });
            const message = issues.find((i) => i.key === "matomo:foo")!.message;
            assert.match(
                message,
                /known keys are .*matomo:matomo, .*matomo:rsyncAnalytics, matomo:matomoAnalytics, matomo:logsHostLabels$/,
            );
            const schema = { kept: string({ doc: "Kept.", default: "" }), gone: rejected({ doc: "Gone.", reason: "replaced" }) };
            const found: Issue[] = [];
            parseKeys(schema, "x", sourceOf({ values: { "x:other": "1" }, secretKeys: [] }), found);
            assert.match(found[0].message, /known keys are x:kept$/);
        });

        it("rejects a secret config.ini.php cannot hold, without showing it", () => {
            const { issues } = parse({ "matomo:matomo": { password: 'quote"in-the-password' } }, devExtras, ["matomo:matomo"]);
            assert.equal(issues.length, 1);
            assert.equal(issues[0].key, "matomo:matomo.password");
            assert.match(issues[0].message, /double quote/);
            assert.ok(!issues[0].message.includes('quote"in'));
        });

        it("reports every problem of a run at once, one line each", () => {
            const { issues } = parse({ "matomo:namespace": "Bad_NS", "matomo:timezone": "Nowhere", "matomo:matomo": { replicaCount: -1 } });
            assert.deepEqual(issues.map((i) => i.key).sort(), ["matomo:matomo.replicaCount", "matomo:namespace", "matomo:timezone"]);
            const message = new ConfigError(issues).message;
            assert.equal(message.split("\n").length, 4);
            assert.match(message, /^Invalid stack configuration \(3 problems\):/);
        });

        it("fails before any resource is registered, with a clean error instead of a stack trace", async () => {
            const registered: string[] = [];
            await pulumi.runtime.setMocks(
                {
                    newResource: (args) => {
                        registered.push(args.type);
                        return { id: "id", state: args.inputs };
                    },
                    call: () => ({}),
                },
                "matomo",
                "test",
            );
            const bad = sourceOf(withChanges(devExtras, { "matomo:matomo": { hostname: "Not A Host" } }));
            assert.throws(
                () => deploy(bad),
                (e: unknown) => e instanceof ConfigError && pulumi.RunError.isInstance(e),
            );
            await pulumi.runtime.disconnect();
            assert.deepEqual(registered, []);
        });
    });
});
