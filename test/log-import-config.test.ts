/**
 * The log import's configuration: structured sources, the seed's free-form rsync commands read with
 * their quoting, and the rules that catch what would only fail in the cluster (a site twice, a
 * path with "..", no host key, a log volume two jobs cannot share).
 */
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import fc from "fast-check";
import { hasKnownHost, parseKnownHosts } from "../components/config/sections/logImport/knownHosts";
import { parseRsyncCommand, shellCommands } from "../components/config/sections/logImport/rsyncCommand";
import { ed25519KeyPair } from "../components/config/schema/opensshKey";
import { assertRejected, parse, valid, type Changes } from "./support/configCases";
import { propertyRuns } from "./support/unitMode";

const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJI9rtmAyXccU65ZvPZLFLa8C/Xk2mq2REKACNjUhWZA";
const SOURCE = { siteId: 2, user: "logs", host: "logs.example.com", port: 2222, path: "/var/log/apache2" };
const BASE = {
    "matomo:rsyncAnalytics": {
        storageAccessMode: "ReadWriteMany",
        sources: [SOURCE],
        ssh_known_hosts: `[logs.example.com]:2222 ${HOST_KEY}`,
    },
};
const withRsync = (rsync: Record<string, unknown>, more: Changes = {}): Changes => ({
    "matomo:rsyncAnalytics": { ...BASE["matomo:rsyncAnalytics"], ...rsync },
    ...more,
});
const SEED_COMMAND =
    "rsync -e 'ssh -p 2222 -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no' -avz --delete root@10.0.0.5:/var/log/httpd/ /analytics/logs/3";

describe("log import configuration", () => {
    it("is off without sources, and turns on with one: its defaults keep verification on", () => {
        assert.equal(valid({}).logImport, undefined);
        const logs = valid(BASE).logImport!;
        assert.deepEqual(logs.sources, [
            { ...SOURCE, pattern: "access_log.*", skipNewest: true, settleMinutes: 5, delete: true, rrsyncDir: undefined },
        ]);
        assert.equal(logs.fetch.verifyHostKeys, true);
        assert.equal(logs.fetch.key, undefined, "generated");
        assert.equal(logs.importer.login, "log-import");
        assert.deepEqual(logs.importer.options, ["--enable-http-errors", "--enable-http-redirects", "--enable-static", "--enable-bots"]);
    });

    describe("the seed's rsyncCommands", () => {
        it("reads the seed's command with its quoting into a source", () => {
            const cfg = valid(
                withRsync({ sources: [], rsyncCommands: SEED_COMMAND, insecureSkipHostKeyVerification: true, ssh_known_hosts: "" }),
            );
            assert.deepEqual(cfg.logImport!.sources, [
                {
                    siteId: 3,
                    user: "root",
                    host: "10.0.0.5",
                    port: 2222,
                    path: "/var/log/httpd/",
                    delete: true,
                    pattern: "access_log.*",
                    skipNewest: true,
                    settleMinutes: 5,
                    rrsyncDir: undefined,
                },
            ]);
            assert.equal(cfg.logImport!.fetch.verifyHostKeys, false);
        });

        it("keeps quoted spaces in a path, and reads several commands", () => {
            const commands = shellCommands(
                `rsync -e "ssh -p 22" -az 'web@a.example.com:/var/log/my logs/' /analytics/logs/4; rsync -az web@b.example.com:/l\\ x /analytics/logs/5`,
            );
            assert.ok(Array.isArray(commands));
            const parsed = commands.map((c) => parseRsyncCommand(c));
            assert.deepEqual(
                parsed.map((p) => (typeof p === "string" ? p : [p.siteId, p.host, p.path])),
                [
                    [4, "a.example.com", "/var/log/my logs/"],
                    [5, "b.example.com", "/l x"],
                ],
            );
        });

        it("refuses a command that turns host-key checking off, saying what to do", () => {
            assertRejected(
                withRsync({ sources: [], rsyncCommands: SEED_COMMAND }),
                "matomo:rsyncAnalytics.rsyncCommands",
                "ssh-keyscan -p 2222 10.0.0.5",
            );
        });

        it("refuses the seed's placeholder command and shell features instead of guessing", () => {
            const placeholder = "rsync -e 'ssh -p 2222' -avz --delete root@<IP>:<LOG_LOCATION_REMOTE> /analytics/logs/<SITE_ID>";
            assertRejected(
                withRsync({ sources: [], rsyncCommands: placeholder }),
                "matomo:rsyncAnalytics.rsyncCommands",
                "placeholders (<IP>, <LOG_LOCATION_REMOTE>, <SITE_ID>)",
            );
            assertRejected(
                withRsync({ sources: [], rsyncCommands: "rsync -az a@b:/x /analytics/logs/1 | tee log" }),
                "matomo:rsyncAnalytics.rsyncCommands",
                "uses |",
            );
            assertRejected(
                withRsync({ sources: [], rsyncCommands: "rsync -az --exclude=x a@b:/x /analytics/logs/1" }),
                "matomo:rsyncAnalytics.rsyncCommands",
                "--exclude",
            );
            assertRejected(
                withRsync({ sources: [], rsyncCommands: "rsync -az a@b:/x /data/1" }),
                "matomo:rsyncAnalytics.rsyncCommands",
                "/analytics/logs/<site id>",
            );
        });
    });

    describe("rules", () => {
        it("refuses a site with two sources, a path with '..', a port out of range", () => {
            assertRejected(
                withRsync({ sources: [SOURCE, { ...SOURCE, host: "other.example.com" }] }),
                "matomo:rsyncAnalytics.sources",
                "site 2 has two sources",
            );
            assertRejected(
                withRsync({ sources: [{ ...SOURCE, path: "/var/log/../etc" }] }),
                "matomo:rsyncAnalytics.sources[0].path",
                '".."',
            );
            assertRejected(withRsync({ sources: [{ ...SOURCE, port: 70000 }] }), "matomo:rsyncAnalytics.sources[0].port", "65535");
            assertRejected(
                withRsync({ sources: [{ ...SOURCE, path: "/var/log\tx" }] }),
                "matomo:rsyncAnalytics.sources[0].path",
                "control character",
            );
        });

        it("takes the directory the log host's rrsync serves, and refuses a path rrsync cannot serve", () => {
            const served = { ...SOURCE, path: "/var/log/apache2/www.example.com", rrsyncDir: "/var/log/apache2/" };
            assert.equal(valid(withRsync({ sources: [served] })).logImport!.sources[0].rrsyncDir, "/var/log/apache2/");
            assert.ok(valid(withRsync({ sources: [{ ...served, path: "/var/log/apache2" }] })).logImport);
            assert.ok(valid(withRsync({ sources: [{ ...served, rrsyncDir: "/" }] })).logImport);
            assertRejected(
                withRsync({ sources: [{ ...served, path: "/var/log/apache" }] }),
                "matomo:rsyncAnalytics.sources[0].path",
                '"/var/log/apache" is outside rrsyncDir "/var/log/apache2/"',
            );
            assertRejected(
                withRsync({ sources: [{ ...served, rrsyncDir: "logs" }] }),
                "matomo:rsyncAnalytics.sources[0].rrsyncDir",
                "absolute directory the log host's `rrsync -ro` command names",
            );
            assertRejected(
                withRsync({ sources: [{ ...served, path: "/var/log/apache2/a\\b" }] }),
                "matomo:rsyncAnalytics.sources[0].path",
                "holds a backslash",
            );
        });

        it("requires a known host key for every log host, with the command that gets it", () => {
            assertRejected(
                withRsync({ ssh_known_hosts: "" }),
                "matomo:rsyncAnalytics.ssh_known_hosts",
                "ssh-keyscan -p 2222 logs.example.com",
            );
            assertRejected(
                withRsync({ ssh_known_hosts: `logs.example.com ${HOST_KEY}` }),
                "matomo:rsyncAnalytics.ssh_known_hosts",
                "no key for [logs.example.com]:2222",
            );
            assertRejected(
                withRsync({ ssh_known_hosts: "[logs.example.com]:2222 ssh-ed25519 AAAAB3NzaC1yc2E" }),
                "matomo:rsyncAnalytics.ssh_known_hosts",
                "not a ssh-ed25519 key",
            );
        });

        it("matches hashed and wildcard known_hosts entries as OpenSSH does", () => {
            const salt = randomBytes(20);
            const hashed = `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update("[logs.example.com]:2222").digest("base64")}`;
            const hosts = parseKnownHosts(`${hashed} ${HOST_KEY}\n*.example.org,!bad.example.org ${HOST_KEY}\n`);
            assert.ok(Array.isArray(hosts));
            assert.ok(hasKnownHost(hosts, "logs.example.com", 2222));
            assert.ok(!hasKnownHost(hosts, "logs.example.com", 22));
            assert.ok(hasKnownHost(hosts, "a.example.org", 22));
            assert.ok(!hasKnownHost(hosts, "bad.example.org", 22));
        });

        it("refuses a ReadWriteOnce log volume the two jobs could mount on different nodes", () => {
            assertRejected(withRsync({ storageAccessMode: "ReadWriteOnce" }), "matomo:logsHostLabels", "kubernetes.io/hostname");
            assert.ok(
                valid(
                    withRsync({ storageAccessMode: "ReadWriteOnce" }, { "matomo:logsHostLabels": { "kubernetes.io/hostname": "node-1" } }),
                ).logImport,
            );
        });

        it("takes a key pair from the stack only whole and without a passphrase", () => {
            const pair = ed25519KeyPair("stack key");
            const secrets = ["matomo:rsyncAnalytics"];
            const given = parse(
                withRsync({ ssh_id_rsa: pair.privateKeyOpenssh, ssh_id_rsa_pub: pair.publicKeyOpenssh }),
                undefined,
                secrets,
            );
            assert.deepEqual(given.issues, []);
            assert.equal(given.config!.logImport!.fetch.key!.publicKey, pair.publicKeyOpenssh.trim());
            const alone = parse(withRsync({ ssh_id_rsa: pair.privateKeyOpenssh }), undefined, secrets);
            assert.ok(alone.issues.some((i) => i.key === "matomo:rsyncAnalytics.ssh_id_rsa_pub"));
            const locked = pair.privateKeyOpenssh.replace(/^(-----BEGIN OPENSSH PRIVATE KEY-----\n)(.*)$/m, (_, head, line: string) => {
                const body = Buffer.from(line, "base64");
                Buffer.from("aes256-ctr").copy(body, 19, 0, 4);
                return head + body.toString("base64").slice(0, line.length);
            });
            const refused = parse(withRsync({ ssh_id_rsa: locked, ssh_id_rsa_pub: pair.publicKeyOpenssh }), undefined, secrets);
            assert.ok(
                refused.issues.some((i) => i.key === "matomo:rsyncAnalytics.ssh_id_rsa" && i.message.includes("passphrase")),
                JSON.stringify(refused.issues),
            );
        });

        it("refuses importer options the program sets itself, and log settings without sources", () => {
            assertRejected(
                withRsync({}, { "matomo:matomoAnalytics": { options: ["--token-auth=abc"] } }),
                "matomo:matomoAnalytics.options[0]",
                "set by the program",
            );
            assertRejected({ "matomo:matomoAnalytics": { maxAttempts: 5 } }, "matomo:matomoAnalytics", "no effect without log sources");
        });
    });
});

describe("a log source's path", () => {
    const sourceWithPath = (path: string) => withRsync({ sources: [{ ...SOURCE, path }] });

    it("is a directory: a wildcard in it is refused, with the path and pattern that mean it", () => {
        assertRejected(
            sourceWithPath("/var/log/apache2/access_log.*"),
            "matomo:rsyncAnalytics.sources[0].path",
            "path is a directory, taken as written, and the files in it are chosen by pattern: the wildcard * in it matches nothing; " +
                "set path to /var/log/apache2 and pattern to access_log.*",
        );
        assertRejected(sourceWithPath("/var/log/*/access.log"), "matomo:rsyncAnalytics.sources[0].path", "a source per directory");
        assertRejected(sourceWithPath("/srv/logs/site[12]"), "matomo:rsyncAnalytics.sources[0].path", "the wildcard [ in it");
    });

    it("is refused in the seed's commands too, which fetched files by a wildcard", () => {
        assertRejected(
            {
                "matomo:rsyncAnalytics": {
                    storageAccessMode: "ReadWriteMany",
                    rsyncCommands: "rsync -avz logs@logs.example.com:/var/log/httpd/*.log /analytics/logs/3",
                },
            },
            "matomo:rsyncAnalytics.rsyncCommands",
            'fetches "/var/log/httpd/*.log", but path is a directory',
        );
    });

    it("is refused exactly when it holds *, ? or [", () => {
        const component = fc.stringMatching(/^[A-Za-z0-9._ *?[\]-]{1,12}$/);
        fc.assert(
            fc.property(fc.array(component, { minLength: 1, maxLength: 4 }), (parts) => {
                const path = `/${parts.join("/")}`;
                fc.pre(!parts.includes("..") && !parts.includes("."));
                const { issues } = parse(sourceWithPath(path));
                const refused = issues.some(
                    (i) => i.key === "matomo:rsyncAnalytics.sources[0].path" && i.message.includes("path is a directory"),
                );
                assert.equal(refused, /[*?[]/.test(path), path);
            }),
            { numRuns: propertyRuns(60) },
        );
    });
});
