/**
 * The workload keys (matomocronArchive, matomocronScheduledTasks, matomocronDeleteData,
 * matomocronLdapSync, ldap, geoipupdate, postfix, jobs): what they resolve to, and a clear message
 * naming the key for every bad value or setting that would have no effect.
 */
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { assertRejected, devExtras, minimal, parse, valid, type Changes } from "./support/configCases";

/** What LDAP needs besides its servers: an image built with the LoginLdap plugin, and the servers' blocks for the NetworkPolicies. */
const LDAP_IMAGE = {
    "matomo:matomo": { image: { repository: "registry.example.com/matomo-ldap", tag: "5.11.2-1" } },
    "matomo:networkPolicy": { egressTo: { ldap: ["192.0.2.0/24"] } },
};
const LDAP_SERVER = {
    name: "corp",
    hostname: "ldaps://ldap.example.com",
    baseDn: "dc=example,dc=com",
    adminUser: "cn=matomo,dc=example,dc=com",
    adminPassword: "bind-secret-123",
};

describe("workload configuration", () => {
    describe("defaults (no workload keys set)", () => {
        const cfg = valid({}, minimal);

        it("archive hourly at minute 5 with the seed's memory, scheduled tasks at minute 15", () => {
            assert.equal(cfg.archivers.length, 1);
            const [archive] = cfg.archivers;
            assert.equal(archive.name, "archive");
            assert.equal(archive.schedule, "5 * * * *");
            assert.equal(archive.phpMemoryLimit, "4096M");
            assert.equal(archive.resources.limits.memory, "6Gi");
            assert.equal(cfg.scheduledTasks.schedule, "15 * * * *");
        });

        it("turn on no feature that needs something from the user", () => {
            assert.equal(cfg.deleteData, undefined, "no deletion without siteToDelete");
            assert.equal(cfg.ldap, undefined);
            assert.equal(cfg.ldapSync, undefined);
            assert.equal(cfg.geoip, undefined, "no GeoIP without MaxMind credentials");
            assert.equal(cfg.mail, undefined, "no relay without an SMTP server");
        });

        it("bound every CronJob's history and start", () => {
            assert.deepEqual(cfg.jobs, {
                ttlSecondsAfterFinished: 86400,
                successfulJobsHistoryLimit: 1,
                failedJobsHistoryLimit: 3,
                startingDeadlineSeconds: 600,
            });
        });
    });

    describe("archivers", () => {
        it("take the seed's single form or a list, named for their CronJobs", () => {
            const list = valid({
                "matomo:matomocronArchive": [
                    { name: "big", forceIdSites: [3] },
                    { forceIdSites: [4], cronSchedule: "20 * * * *" },
                    { skipIdSites: [3, 4] },
                ],
            });
            assert.deepEqual(
                list.archivers.map((a) => a.name),
                ["archive-big", "archive-1", "archive-2"],
            );
            assert.equal(list.archivers[1].schedule, "20 * * * *");
            assert.deepEqual(list.archivers[2].skipIdSites, [3, 4]);
        });
    });

    describe("raw-data deletion", () => {
        const sites = (siteToDelete: unknown) =>
            valid({ "matomo:matomocronDeleteData": { environment: { siteToDelete } } } as Changes).deleteData!.sites;

        it('takes "all", one site, a comma-separated list or a YAML list', () => {
            assert.equal(sites("all"), "all");
            assert.deepEqual(sites(7), [7]);
            assert.deepEqual(sites("7"), [7]);
            assert.deepEqual(sites("1, 2,5"), [1, 2, 5]);
            assert.deepEqual(sites([3, "4", 3]), [3, 4]);
        });

        it("keeps 90 days unless told otherwise", () => {
            const cfg = valid({ "matomo:matomocronDeleteData": { environment: { siteToDelete: "all", daysToKeep: null } } });
            assert.equal(cfg.deleteData!.daysToKeep, 90);
        });
    });

    describe("GeoIP and mail", () => {
        it("read MaxMind credentials and the SMTP password as secrets that never print", () => {
            const cfg = valid(
                {
                    "matomo:geoipupdate": { existingSecret: null, accountId: "123456", licenseKey: "abcDEF123_licence" },
                    "matomo:postfix": { existingSecret: null, password: "smtp-password-1" },
                },
                devExtras,
                ["matomo:geoipupdate", "matomo:postfix"],
            );
            const printed = inspect(cfg, { depth: 10 }) + JSON.stringify(cfg);
            for (const secret of ["123456", "abcDEF123_licence", "smtp-password-1"]) assert.ok(!printed.includes(secret), secret);
            assert.ok("accountId" in cfg.geoip!.credentials);
            assert.ok("value" in cfg.mail!.login!.password);
        });

        it("take external passwords as their owners set them: short ones too, as long as the file formats can hold them", () => {
            const cfg = valid(
                {
                    ...LDAP_IMAGE,
                    "matomo:ldap": { servers: [{ ...LDAP_SERVER, adminPassword: "short1" }] },
                    "matomo:postfix": { existingSecret: null, password: "pw1" },
                },
                devExtras,
                ["matomo:ldap", "matomo:postfix"],
            );
            assert.equal(cfg.ldap!.servers[0].adminPassword.reveal(), "short1");
            const smtp = cfg.mail!.login!.password;
            assert.ok("value" in smtp && smtp.value.reveal() === "pw1");
        });

        it("accept geoipupdate's verbose flag as 1/0, true/false, quoted or not", () => {
            for (const [raw, expected] of [
                [1, "1"],
                ["1", "1"],
                [true, "1"],
                [0, "0"],
                ["false", "0"],
            ] as const) {
                const cfg = valid({ "matomo:geoipupdate": { environment: { GEOIPUPDATE_VERBOSE: raw } } });
                assert.equal(cfg.geoip!.verbose, expected, String(raw));
            }
        });

        it("send Matomo's mail as noreply@<hostname> unless a sender is set", () => {
            assert.equal(valid({}).mail!.senderAddress, "noreply@matomo.dev.example.com");
            assert.equal(valid({ "matomo:postfix": { senderAddress: "web@example.org" } }).mail!.senderAddress, "web@example.org");
            assert.equal(valid({}).mail!.tlsSecurityLevel, "encrypt", "never the image's `may`");
        });
    });

    describe("LDAP", () => {
        it("turns on LDAP login and the sync with a server, given an image with the plugin", () => {
            const cfg = valid({ ...LDAP_IMAGE, "matomo:ldap": { servers: [LDAP_SERVER] } }, devExtras, ["matomo:ldap"]);
            assert.equal(cfg.ldap!.servers[0].port, 636, "LDAPS's port for an ldaps:// server");
            assert.equal(cfg.ldapSync!.schedule, "10 1 * * *");
            assert.equal(cfg.ldapSync!.purgeNonExistentUsers, false);
            assert.ok(!JSON.stringify(cfg).includes("bind-secret-123"));
        });

        it("dials the port the plugin dials: the URI's, the port setting's, or the scheme's", () => {
            const server = (hostname: string, port?: number) => {
                const cfg = valid(
                    { ...LDAP_IMAGE, "matomo:ldap": { servers: [{ ...LDAP_SERVER, hostname, port: port ?? null }] } },
                    devExtras,
                    ["matomo:ldap"],
                );
                const [s] = cfg.ldap!.servers;
                return [s.hostname, s.host, s.port];
            };
            assert.deepEqual(server("ldaps://ldap.example.com:1636"), ["ldaps://ldap.example.com", "ldap.example.com", 1636]);
            assert.deepEqual(server("ldap://ldap.example.com"), ["ldap://ldap.example.com", "ldap.example.com", 389]);
            assert.deepEqual(server("ldap.example.com", 3389), ["ldap.example.com", "ldap.example.com", 3389]);
            assert.deepEqual(server("ldaps://192.0.2.7/", 636), ["ldaps://192.0.2.7", "192.0.2.7", 636]);
        });
    });

    describe("rejected input", () => {
        const archive = "matomo:matomocronArchive";
        const cases: [string, Changes, string, string, string[]?][] = [
            [
                "an archiver whose PHP limit does not fit its container",
                { [archive]: { environment: { PHP_MEMORY_LIMIT: "2048M" } } },
                `${archive}.resources.limits.memory`,
                "must exceed PHP's memory_limit",
            ],
            [
                "an archiver below Matomo's archiving minimum",
                { [archive]: { environment: { PHP_MEMORY_LIMIT: "512M" } } },
                `${archive}.environment.PHP_MEMORY_LIMIT`,
                "768M",
            ],
            [
                "an archiver without a PHP memory limit",
                { [archive]: { environment: { PHP_MEMORY_LIMIT: "-1" } } },
                `${archive}.environment.PHP_MEMORY_LIMIT`,
                "no limit",
            ],
            [
                "an archiver with a CLI execution time",
                { [archive]: { environment: { PHP_MAX_EXECUTION_TIME: "300" } } },
                `${archive}.environment.PHP_MAX_EXECUTION_TIME`,
                "only 0",
            ],
            [
                "an archiver with its own image",
                { [archive]: { image: { repository: "eeacms/matomo" } } },
                `${archive}.image`,
                "web tier's image",
            ],
            ["a schedule in words", { [archive]: { cronSchedule: "every hour" } }, `${archive}.cronSchedule`, "five-field cron schedule"],
            ["a schedule with seconds", { [archive]: { cronSchedule: "0 5 * * * *" } }, `${archive}.cronSchedule`, "got 6 fields"],
            [
                "a schedule with its own time zone",
                { [archive]: { cronSchedule: "TZ=UTC 5 * * * *" } },
                `${archive}.cronSchedule`,
                "matomo:timezone",
            ],
            ["a schedule out of range", { [archive]: { cronSchedule: "61 * * * *" } }, `${archive}.cronSchedule`, "five-field"],
            [
                "no concurrent archivers",
                { [archive]: { concurrentArchivers: 0 } },
                `${archive}.concurrentArchivers`,
                "an integer from 1 to 64",
            ],
            ["a site ID of 0", { [archive]: { forceIdSites: [0] } }, `${archive}.forceIdSites[0]`, ">= 1"],
            ["an archiver forcing and skipping sites", { [archive]: [{ forceIdSites: [1], skipIdSites: [2] }] }, `${archive}[0]`, "either"],
            ["two archivers for every site", { [archive]: [{}, {}] }, `${archive}[1]`, "both archive every site"],
            [
                "a site forced by two archivers",
                { [archive]: [{ name: "a", forceIdSites: [1] }, { name: "b", forceIdSites: [1, 2] }, { skipIdSites: [1, 2] }] },
                `${archive}[1].forceIdSites`,
                "site 1 is also forced by archiver 0",
            ],
            [
                "a catch-all archiver that archives a forced site again",
                { [archive]: [{ forceIdSites: [1] }, {}] },
                `${archive}[1].skipIdSites`,
                "archived twice",
            ],
            [
                "two archivers with one name",
                {
                    [archive]: [
                        { name: "x", forceIdSites: [1] },
                        { name: "x", skipIdSites: [1] },
                    ],
                },
                `${archive}[1].name`,
                "distinct names",
            ],
            ["an archiver name that is no DNS label", { [archive]: { name: "Big_Site" } }, `${archive}.name`, "DNS"],
            [
                "scheduled tasks whose PHP limit does not fit",
                { "matomo:matomocronScheduledTasks": { environment: { PHP_MEMORY_LIMIT: "3G" } } },
                "matomo:matomocronScheduledTasks.resources.limits.memory",
                "must exceed",
            ],
            [
                'a deletion of site "all, 2"',
                { "matomo:matomocronDeleteData": { environment: { siteToDelete: "all,2" } } },
                "matomo:matomocronDeleteData.environment.siteToDelete",
                'expected "all", a site ID',
            ],
            [
                "a deletion of site 0",
                { "matomo:matomocronDeleteData": { environment: { siteToDelete: 0 } } },
                "matomo:matomocronDeleteData.environment.siteToDelete",
                "positive integer",
            ],
            [
                "a deletion of site -3",
                { "matomo:matomocronDeleteData": { environment: { siteToDelete: "-3" } } },
                "matomo:matomocronDeleteData.environment.siteToDelete",
                "positive integer",
            ],
            [
                "keeping 0 days",
                { "matomo:matomocronDeleteData": { environment: { daysToKeep: 0 } } },
                "matomo:matomocronDeleteData.environment.daysToKeep",
                "from 1",
            ],
            [
                "deletion settings without sites",
                { "matomo:matomocronDeleteData": { environment: { siteToDelete: null } } },
                "matomo:matomocronDeleteData.environment.siteToDelete",
                "is not set, so the deletion job does not run",
            ],
            [
                "a deletion job with its own image",
                { "matomo:matomocronDeleteData": { image: { tag: "5" } } },
                "matomo:matomocronDeleteData.image",
                "web tier's image",
            ],
            [
                "an LDAP sync without LDAP servers",
                { "matomo:matomocronLdapSync": { purgeNonExistentUsers: true } },
                "matomo:matomocronLdapSync",
                "no effect without LDAP servers",
            ],
            [
                "LDAP with the official image",
                { "matomo:ldap": { servers: [LDAP_SERVER] } },
                "matomo:ldap",
                "LoginLdap plugin",
                ["matomo:ldap"],
            ],
            [
                "an LDAP server without a bind password",
                { ...LDAP_IMAGE, "matomo:ldap": { servers: [{ ...LDAP_SERVER, adminPassword: null }] } },
                "matomo:ldap.servers[0].adminPassword",
                "pulumi config set --secret --path 'ldap.servers[0].adminPassword'",
            ],
            [
                "an LDAP bind password in plain text",
                { ...LDAP_IMAGE, "matomo:ldap": { servers: [LDAP_SERVER] } },
                "matomo:ldap.servers[0].adminPassword",
                "--secret",
            ],
            [
                "an LDAP base DN that is no DN",
                { ...LDAP_IMAGE, "matomo:ldap": { servers: [{ ...LDAP_SERVER, baseDn: "example.com" }] } },
                "matomo:ldap.servers[0].baseDn",
                "distinguished name",
                ["matomo:ldap"],
            ],
            [
                "two LDAP servers with one name",
                { ...LDAP_IMAGE, "matomo:ldap": { servers: [LDAP_SERVER, LDAP_SERVER] } },
                "matomo:ldap.servers[1].name",
                "unique",
                ["matomo:ldap"],
            ],
            ["LDAP settings without servers", { "matomo:ldap": { userIdField: "sAMAccountName" } }, "matomo:ldap.servers", "is empty"],
            [
                "an LDAP server whose URI and port setting name two ports",
                { ...LDAP_IMAGE, "matomo:ldap": { servers: [{ ...LDAP_SERVER, hostname: "ldaps://ldap.example.com:636", port: 3269 }] } },
                "matomo:ldap.servers[0].port",
                "set the port in one place",
                ["matomo:ldap"],
            ],
            [
                "an LDAP server as a host with a port, or another URI scheme",
                { ...LDAP_IMAGE, "matomo:ldap": { servers: [{ ...LDAP_SERVER, hostname: "ldap.example.com:389" }] } },
                "matomo:ldap.servers[0].hostname",
                "ldaps://ldap.example.com:636",
                ["matomo:ldap"],
            ],
            [
                "LDAP under the NetworkPolicies without its servers' blocks",
                { ...LDAP_IMAGE, "matomo:ldap": { servers: [LDAP_SERVER] }, "matomo:networkPolicy": { egressTo: { ldap: null } } },
                "matomo:networkPolicy.egressTo.ldap",
                "is required: the pods connect to ldap.example.com",
                ["matomo:ldap"],
            ],
            [
                "LDAP blocks that leave a server given as an address out",
                { ...LDAP_IMAGE, "matomo:ldap": { servers: [{ ...LDAP_SERVER, hostname: "ldaps://198.51.100.9" }] } },
                "matomo:networkPolicy.egressTo.ldap",
                "does not cover 198.51.100.9",
                ["matomo:ldap"],
            ],
            [
                "LDAP blocks without LDAP",
                { "matomo:networkPolicy": { egressTo: { ldap: ["192.0.2.0/24"] } } },
                "matomo:networkPolicy.egressTo.ldap",
                "has no effect",
            ],
            [
                "GeoIP settings without credentials",
                { "matomo:geoipupdate": { existingSecret: null } },
                "matomo:geoipupdate",
                "pulumi config set --secret --path geoipupdate.accountId",
            ],
            [
                "GeoIP credentials twice",
                { "matomo:geoipupdate": { accountId: "12345", licenseKey: "abcdefghij12" } },
                "matomo:geoipupdate.existingSecret",
                "one or the other",
                ["matomo:geoipupdate"],
            ],
            [
                "a MaxMind account ID in plain text",
                { "matomo:geoipupdate": { existingSecret: null, accountId: "12345", licenseKey: "abcdefghij12" } },
                "matomo:geoipupdate.accountId",
                "--secret",
            ],
            [
                "the seed's REPLACEME as MaxMind account ID",
                { "matomo:geoipupdate": { existingSecret: null, accountId: "REPLACEME", licenseKey: "abcdefghij12" } },
                "matomo:geoipupdate.accountId",
                'placeholder "REPLACEME", not a value: set the real one with `pulumi config set --secret --path geoipupdate.accountId <value>`, or remove matomo:geoipupdate to go without GeoIP',
                ["matomo:geoipupdate"],
            ],
            [
                "the seed's REPLACEME as relay password",
                { "matomo:postfix": { existingSecret: null, password: "REPLACEME" } },
                "matomo:postfix.password",
                "or name a Secret holding it in postfix.existingSecret",
            ],
            [
                "a MaxMind account ID that is no number",
                { "matomo:geoipupdate": { existingSecret: null, accountId: "acct-42", licenseKey: "abcdefghij12" } },
                "matomo:geoipupdate.accountId",
                "is a number",
                ["matomo:geoipupdate"],
            ],
            [
                "the seed's quoted verbose flag",
                { "matomo:geoipupdate": { environment: { GEOIPUPDATE_VERBOSE: '"1"' } } },
                "matomo:geoipupdate.environment.GEOIPUPDATE_VERBOSE",
                "expected 1 or 0",
            ],
            [
                "GeoIP edition IDs with commas",
                { "matomo:geoipupdate": { environment: { GEOIPUPDATE_EDITION_IDS: "GeoLite2-City,GeoLite2-ASN" } } },
                "matomo:geoipupdate.environment.GEOIPUPDATE_EDITION_IDS",
                "space-separated",
            ],
            ["a separate GeoIP volume", { "matomo:geoipupdate": { storage: "1Gi" } }, "matomo:geoipupdate.storage", "misc/"],
            ["postfix settings without a relay", { "matomo:postfix": { relay: null } }, "matomo:postfix.relay", "no effect"],
            [
                "an SMTP login without a password",
                { "matomo:postfix": { existingSecret: null } },
                "matomo:postfix.user",
                "has no effect without a password: Matomo sends without logging in; set postfix.password (or postfix.existingSecret)",
            ],
            [
                "an SMTP password with a line break",
                { "matomo:postfix": { existingSecret: null, password: "line\nbreak" } },
                "matomo:postfix.password",
                "must not contain a double quote, a backslash, a line break",
                ["matomo:postfix"],
            ],
            [
                "an SMTP password with a double quote (config.ini.php holds it)",
                { "matomo:postfix": { existingSecret: null, password: 'p"w' } },
                "matomo:postfix.password",
                "config.ini.php cannot hold them",
                ["matomo:postfix"],
            ],
            [
                "a login sent in clear text",
                { "matomo:postfix": { tlsSecurityLevel: "none" } },
                "matomo:postfix.tlsSecurityLevel",
                "would send the login to smtp.example.com in clear text",
            ],
            [
                "the seed relay's image, which no pod runs any more",
                { "matomo:postfix": { image: { repository: "eeacms/postfix", tag: "3.5-1.0" } } },
                "matomo:postfix.image",
                "Matomo sends its mail to postfix.relay itself, without a relay pod; remove it",
            ],
            [
                "an LDAP bind password with a double quote",
                { ...LDAP_IMAGE, "matomo:ldap": { servers: [{ ...LDAP_SERVER, adminPassword: 'a"b' }] } },
                "matomo:ldap.servers[0].adminPassword",
                "double quote",
                ["matomo:ldap"],
            ],
            [
                "a relay password twice",
                { "matomo:postfix": { password: "smtp-password-1" } },
                "matomo:postfix.existingSecret",
                "one or the other",
                ["matomo:postfix"],
            ],
            ["a relay host that is no hostname", { "matomo:postfix": { relay: "smtp://mail" } }, "matomo:postfix.relay", "hostname"],
            ["an unknown TLS level", { "matomo:postfix": { tlsSecurityLevel: "maybe" } }, "matomo:postfix.tlsSecurityLevel", '"encrypt"'],
            [
                "a sender that is no e-mail address",
                { "matomo:postfix": { senderAddress: "matomo" } },
                "matomo:postfix.senderAddress",
                "e-mail address",
            ],
            [
                "a relay time zone of its own",
                { "matomo:postfix": { environment: { TZ: "UTC" } } },
                "matomo:postfix.environment.TZ",
                "matomo:timezone",
            ],
            [
                "a starting deadline below 10 s",
                { "matomo:jobs": { startingDeadlineSeconds: 0 } },
                "matomo:jobs.startingDeadlineSeconds",
                ">= 10",
            ],
        ];

        for (const [what, changes, key, text, secretKeys] of cases) {
            it(`rejects ${what}, naming ${key}`, () => assertRejected(changes, key, text, secretKeys));
        }

        it("never shows a rejected secret in the message", () => {
            const { issues } = parse(
                { "matomo:geoipupdate": { existingSecret: null, accountId: "acct-42", licenseKey: "abcdefghij12" } },
                devExtras,
                ["matomo:geoipupdate"],
            );
            assert.ok(issues.length > 0);
            assert.ok(!JSON.stringify(issues).includes("acct-42"));
        });
    });
});
