/**
 * Migrating from the seed chart: its own defaults, pasted as a stack file, deploy after one round
 * of the edits the errors ask for. Every problem is reported in the first round, each naming its
 * key and saying what to do, and the edits that follow the messages leave nothing to report.
 */
import assert from "node:assert/strict";
import { parseConfig } from "../components/config";
import { run, sourceOf, stackConfig, withChanges } from "./support/harness";

const SEED = stackConfig("test/fixtures/Pulumi.seed-defaults.yaml");

/** What a user does for each reported key, following its message. */
const EDITS: Record<string, { readonly change: Parameters<typeof withChanges>[1]; readonly secret?: string }> = {
    // "is not supported": remove it.
    "matomo:matomo.token": { change: { "matomo:matomo": { token: null } } },
    "matomo:matomo.environment.APACHE_HTTP_PORT_NUMBER": {
        change: { "matomo:matomo": { environment: { APACHE_HTTP_PORT_NUMBER: null } } },
    },
    "matomo:matomocronArchive.image": { change: { "matomo:matomocronArchive": { image: null } } },
    "matomo:matomocronDeleteData.image": { change: { "matomo:matomocronDeleteData": { image: null } } },
    "matomo:matomocronLdapSync.image": { change: { "matomo:matomocronLdapSync": { image: null } } },
    "matomo:geoipupdate.storage": { change: { "matomo:geoipupdate": { storage: null } } },
    "matomo:postfix.environment.TZ": { change: { "matomo:postfix": { environment: { TZ: null } } } },
    "matomo:postfix.image": { change: { "matomo:postfix": { image: null } } },
    "matomo:postfix.resources": { change: { "matomo:postfix": { resources: null } } },
    // The seed's log import is placeholders only: no host, no key, no token; without it, nothing is fetched.
    "matomo:rsyncAnalytics.rsyncCommands": { change: { "matomo:rsyncAnalytics": null } },
    "matomo:rsyncAnalytics.ssh_id_rsa": { change: { "matomo:rsyncAnalytics": null } },
    "matomo:rsyncAnalytics.ssh_id_rsa_pub": { change: { "matomo:rsyncAnalytics": null } },
    "matomo:rsyncAnalytics.ssh_known_hosts": { change: { "matomo:rsyncAnalytics": null } },
    "matomo:rsyncAnalytics.ssh_config": { change: { "matomo:rsyncAnalytics": null } },
    "matomo:matomoAnalytics.image.repository": { change: { "matomo:matomoAnalytics": null } },
    // REPLACEME: remove the key to have a password generated ...
    "matomo:mariadb.password": { change: { "matomo:mariadb": { password: null } } },
    "matomo:mariadb.rootPassword": { change: { "matomo:mariadb": { rootPassword: null } } },
    // ... or set the real one with --secret.
    "matomo:geoipupdate.accountId": { change: { "matomo:geoipupdate": { accountId: "1234567" } }, secret: "matomo:geoipupdate" },
    "matomo:geoipupdate.licenseKey": {
        change: { "matomo:geoipupdate": { licenseKey: "abcDEF123_license" } },
        secret: "matomo:geoipupdate",
    },
    "matomo:postfix.password": { change: { "matomo:postfix": { password: "smtp-relay-password" } }, secret: "matomo:postfix" },
    // "expected whole seconds such as 1200 (without a unit)".
    "matomo:ingress.configuration.proxy-read-timeout": { change: { "matomo:ingress": { configuration: { "proxy-read-timeout": "180" } } } },
    "matomo:ingress.configuration.proxy-send-timeout": { change: { "matomo:ingress": { configuration: { "proxy-send-timeout": "120" } } } },
    // The seed's own inconsistency: the container limit must exceed PHP's memory_limit.
    "matomo:matomocronArchive.resources.limits.memory": {
        change: { "matomo:matomocronArchive": { resources: { limits: { memory: "8Gi" } } } },
    },
    // Each web worker may reach PHP's memory_limit: the seed's 4096M fits one worker in 5Gi.
    "matomo:matomo.environment.PHP_MEMORY_LIMIT": {
        change: { "matomo:matomo": { environment: { PHP_MEMORY_LIMIT: "512M" } } },
    },
    // "configure matomo:ldap.servers or remove it".
    "matomo:matomocronLdapSync": { change: { "matomo:matomocronLdapSync": null } },
    // "use the official image ...".
    "matomo:matomo.image.repository": { change: { "matomo:matomo": { image: { repository: "matomo", tag: "5.11.2-apache" } } } },
    // "at most 75% of the limit ..., or leave it out to get a safe default".
    "matomo:mariadb.commands": {
        change: {
            "matomo:mariadb": {
                commands: (JSON.parse(SEED.values["matomo:mariadb"]) as { commands: string[] }).commands.filter(
                    (c) => !c.startsWith("--innodb_buffer_pool_size="),
                ),
            },
        },
    },
};

/** Words of advice: every message says what to do, or what is allowed. */
const ADVICE = /\b(remove|set|use|configure|leave it out|expected|must)\b/;

describe("migrating the seed chart's defaults", () => {
    const first = parseConfig(sourceOf(SEED, "seed-defaults"));

    it("reports every problem in the first round, each naming its key and saying what to do", () => {
        assert.equal(first.config, undefined);
        for (const issue of first.issues) {
            assert.match(issue.key, /^matomo:/, JSON.stringify(issue));
            assert.match(issue.message, ADVICE, `${issue.key}: ${issue.message}`);
        }
        assert.deepEqual(
            first.issues.map((i) => i.key).sort(),
            Object.keys(EDITS).sort(),
            "each reported key has its edit, and only those",
        );
    });

    it("reads the seed's empty login, password and storage classes as unset, not as problems", () => {
        const keys = first.issues.map((i) => i.key);
        for (const key of [
            "matomo:matomo.username",
            "matomo:matomo.password",
            "matomo:matomo.storageClassName",
            "matomo:geoipupdate.storageClassName",
        ]) {
            assert.ok(!keys.includes(key), key);
        }
    });

    it("deploys after those edits alone, with nothing left for a second round", async () => {
        let edited = SEED;
        for (const { change, secret } of Object.values(EDITS)) edited = withChanges(edited, change, secret ? [secret] : []);
        const second = parseConfig(sourceOf(edited, "seed-defaults"));
        assert.deepEqual(second.issues, []);
        const result = await run(edited);
        assert.ok(result.resources.some((r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "matomo-web-deployment"));
    });
});
