/**
 * `npm run migrate`: a values.yaml of the seed chart in, a stack file the program accepts out, with
 * every change explained and the values file's secrets kept out of it. The seed chart's own
 * defaults (test/fixtures/Pulumi.seed-defaults.yaml, turned back into the values.yaml they came
 * from) convert without a hand edit, and deploy.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { parseConfig } from "../components/config";
import { runProgram } from "../scripts/lib/mockEngine";
import { migrate, stackConfigOf, validate } from "../scripts/lib/migrate";
import { EEA_DEFAULTS, eeaDefaultAt, isGenericKey } from "../scripts/lib/migrateChartDefaults";
import { secretCommand, shellQuote } from "../scripts/lib/migrateOutput";
import { configSourceOf, parseStackFile } from "../scripts/lib/stackFile";
import { main } from "../scripts/migrate";
import { ROOT } from "./support/harness";
import { requireBinaries } from "./support/system";

/** The seed chart's default values.yaml: the fixture's `matomo:<key>` entries as top-level keys again. */
function seedValues(): Record<string, unknown> {
    const doc = parse(readFileSync(join(ROOT, "test/fixtures/Pulumi.seed-defaults.yaml"), "utf8")) as { config: Record<string, unknown> };
    return Object.fromEntries(Object.entries(doc.config).map(([key, value]) => [key.replace(/^matomo:/, ""), value]));
}

describe("migrate", () => {
    let dir: string;
    before(() => (dir = mkdtempSync(join(tmpdir(), "matomo-migrate-"))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    /** Runs the command on a values file with this content (text as it is, anything else as YAML). */
    function run(content: unknown, ...flags: string[]) {
        const file = join(dir, `values-${Math.random().toString(36).slice(2)}.yaml`);
        writeFileSync(file, typeof content === "string" ? content : stringify(content));
        let stdout = "";
        let stderr = "";
        const code = main(
            [...flags, file],
            (t) => (stdout += t),
            (t) => (stderr += t),
        );
        return { code, stdout, stderr, file };
    }

    describe("the seed chart's default values.yaml", () => {
        const seed = seedValues();
        let result: ReturnType<typeof run>;
        before(() => (result = run(seed, "--stack", "seed")));

        it("converts into a stack file the program accepts as it is, without REPLACEME", () => {
            assert.equal(result.code, 0, result.stderr);
            const stack = parseStackFile(result.stdout, "stdout");
            assert.deepEqual(parseConfig(configSourceOf(stack, "seed")).issues, []);
            assert.doesNotMatch(JSON.stringify(stack.values), /REPLACEME/);
            assert.deepEqual(stack.secretKeys, [], "the defaults set no secret");
        });

        it("deploys: the program runs under the mock engine with the stack file's values", async function () {
            this.timeout(60_000);
            const stack = parseStackFile(result.stdout, "stdout");
            const { resources } = await runProgram({ config: stack.values, secretKeys: stack.secretKeys, stack: "seed" });
            assert.ok(resources.some((r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "matomo-web-deployment"));
            assert.ok(resources.some((r) => r.type === "kubernetes:apps/v1:StatefulSet"));
        });

        it("explains every problem the program finds in the defaults as pasted (test/migration.test.ts), at or above its key", () => {
            const pasted = stackConfigOf(seed, []);
            const problems = parseConfig(configSourceOf(pasted, "seed")).issues.map((i) => i.key.replace(/^matomo:/, ""));
            assert.ok(problems.length > 10);
            const explained = [...result.stderr.matchAll(/^ {2}- ([^:]+):/gm)].map((m) => m[1]);
            for (const key of problems) {
                assert.ok(
                    explained.some((e) => key === e || key.startsWith(`${e}.`) || key.startsWith(`${e}[`)),
                    `${key} is not explained`,
                );
            }
        });

        it("makes the edits a person would, each commented at its key", () => {
            const { config } = migrate(seed);
            const get = (section: string) => config[section] as Record<string, any>;
            assert.equal(get("matomo").environment.PHP_MEMORY_LIMIT, "512M");
            assert.equal(get("matomo").environment.APACHE_HTTP_PORT_NUMBER, undefined);
            assert.deepEqual(get("matomo").image, { repository: "matomo", tag: "5.11.2-apache" });
            assert.equal(get("matomocronArchive").resources.limits.memory, "8Gi");
            assert.equal(get("matomocronArchive").environment.PHP_MEMORY_LIMIT, "7168Mi", "PHP sizes in Mi stay as they are");
            assert.equal(get("matomocronArchive").image, undefined);
            assert.deepEqual(get("ingress").configuration, {
                "proxy-body-size": "256m",
                "proxy-read-timeout": "180",
                "proxy-send-timeout": "120",
            });
            assert.ok(!(get("mariadb").commands as string[]).some((c) => c.startsWith("--innodb_buffer_pool_size")));
            assert.equal(get("mariadb").password, undefined);
            assert.match(result.stdout, /^ {6}# migrate: matomo\.environment\.PHP_MEMORY_LIMIT: "4096Mi" -> "512M": /m);
            assert.match(result.stdout, /^ {4}# migrate: mariadb\.commands: dropped "--innodb_buffer_pool_size=10G": /m);
            assert.match(result.stdout, /^ {2}# migrate: mariadb\.password: dropped "REPLACEME": the seed chart's placeholder/m);
        });

        it("comments out what cannot work without what the values file lacks, and it comes back with it", () => {
            const { disabled } = migrate(seed);
            const off = disabled.map((d) => d.path.join("."));
            assert.deepEqual(off.sort(), ["geoipupdate", "matomoAnalytics", "matomocronLdapSync", "postfix", "rsyncAnalytics"]);
            // Uncommenting GeoIP's and the relay's lines and setting their credentials gives a valid stack.
            const lines = result.stdout.split("\n");
            const uncommented = ["geoipupdate", "postfix"].flatMap((section) => {
                const start = lines.indexOf(`  # matomo:${section}:`);
                assert.ok(start > 0, section);
                const end = lines.findIndex((l, i) => i > start && !l.startsWith("  #   "));
                return lines.slice(start, end).map((l) => l.replace("  # ", "  "));
            });
            const { values } = parseStackFile(`${result.stdout}\n${uncommented.join("\n")}\n`);
            const add = (key: string, fields: object) => (values[key] = JSON.stringify({ ...JSON.parse(values[key]), ...fields }));
            add("matomo:geoipupdate", { accountId: "1234567", licenseKey: "abcDEF123_license" });
            add("matomo:postfix", { password: "smtp-relay-password" });
            const secretKeys = ["matomo:geoipupdate", "matomo:postfix"];
            assert.deepEqual(parseConfig(configSourceOf({ values, secretKeys }, "seed")).issues, []);
        });
    });

    describe("the seed chart's EEA-specific defaults", () => {
        const EEA_KEPT = [
            "timezone",
            "matomo.hostname",
            "postfix.relay",
            "postfix.port",
            "matomocronDeleteData.environment.siteToDelete",
            "ingress.letsencrypt",
            "ingress.certificate",
            "matomoAnalytics.cronSchedule",
        ];

        /** Every leaf of the chart's defaults: its key (`a.b.c`) and value. */
        function leaves(value: unknown, key = ""): [string, unknown][] {
            if (typeof value !== "object" || value === null || Array.isArray(value) || Object.keys(value).length === 0)
                return [[key, value]];
            return Object.entries(value).flatMap(([k, v]) => leaves(v, key ? `${key}.${k}` : k));
        }

        it("sorts every default of the chart: EEA-specific (by key and value) or generic (by key)", () => {
            const unsorted = leaves(seedValues()).filter(([key, value]) => !eeaDefaultAt(key.split("."), value) && !isGenericKey(key));
            assert.deepEqual(unsorted, []);
            const eea = leaves(seedValues()).filter(([key, value]) => eeaDefaultAt(key.split("."), value));
            assert.deepEqual(eea.map(([key]) => key).sort(), [...EEA_KEPT].sort());
            for (const d of EEA_DEFAULTS) assert.ok(d.why.length > 40 && !d.why.endsWith("."), d.path.join("."));
        });

        it("keeps each of them, and flags it beside its value and on stderr for the user to decide", () => {
            const { config, eeaDefaults } = migrate(seedValues());
            assert.deepEqual(eeaDefaults.map((n) => n.path.join(".")).sort(), [...EEA_KEPT].sort());
            assert.equal((config.matomo as Record<string, unknown>).hostname, "matomo.eea.europa.eu", "kept: the user decides");
            const result = run(seedValues(), "--stack", "seed");
            assert.equal(result.code, 0, result.stderr);
            assert.match(
                result.stdout,
                /^ {4}# migrate: matomo\.hostname: kept "matomo\.eea\.europa\.eu": the seed chart's default, specific to EEA's\n {4}# {3}installation: EEA's own host name/m,
            );
            assert.match(
                result.stdout,
                /^ {6}# migrate: matomocronDeleteData\.environment\.siteToDelete: kept "22": the seed chart's default/m,
            );
            // Postfix is turned off (no password): its EEA relay is flagged in its commented-out block.
            assert.match(
                result.stdout,
                /^ {2}# The seed chart's EEA-specific defaults in it, to decide:\n {2}# {3}postfix\.relay: kept "ironports\.eea\.europa\.eu"/m,
            );
            assert.match(result.stderr, /8 EEA-specific defaults of the seed chart to decide\./);
            for (const key of EEA_KEPT) assert.match(result.stderr, new RegExp(`^ {2}- ${key.replace(/\./g, "\\.")}: kept `, "m"), key);
            assert.match(result.stderr, /site id of EEA's Matomo: every night .* deletes the raw visit data of site 22/);
            assert.deepEqual(parseConfig(configSourceOf(parseStackFile(result.stdout), "seed")).issues, []);
        });

        it("flags the defaults of the chart's later versions too", () => {
            const { eeaDefaults } = migrate({
                matomo: { hostname: "dev-matomo.01dev.eea.europa.eu", storageClassName: "nfs-rancher" },
                mariadb: { storageClassName: "nfs-rancher" },
                matomocronArchive: { cronSchedule: "5 2-22 * * *" },
            });
            assert.deepEqual(
                eeaDefaults.map((n) => `${n.path.join(".")} ${n.change}`),
                [
                    'matomo.hostname kept "dev-matomo.01dev.eea.europa.eu"',
                    'matomo.storageClassName kept "nfs-rancher"',
                    'mariadb.storageClassName kept "nfs-rancher"',
                    'matomocronArchive.cronSchedule kept "5 2-22 * * *"',
                ],
            );
        });

        it("says nothing of values the user chose, or of the chart's generic defaults", () => {
            const values = {
                timezone: "UTC",
                matomo: { hostname: "analytics.example.org", storageClassName: "standard-rwx" },
                mariadb: { user: "eea_matomo", database: "eea_matomo_db" },
                matomocronDeleteData: { cronSchedule: "0 23 * * *", environment: { siteToDelete: "3", daysToKeep: 90 } },
                ingress: { letsencrypt: "letsencrypt-prod" },
            };
            assert.deepEqual(migrate(values).eeaDefaults, []);
            const result = run(values);
            assert.equal(result.code, 0, result.stderr);
            assert.doesNotMatch(result.stdout + result.stderr, /specific to EEA/);
            assert.match(result.stderr, /0 EEA-specific defaults of the seed chart to decide\./);
        });
    });

    describe("secrets", () => {
        const password = "db-pass'word 0123";
        const values = {
            ...seedValues(),
            mariadb: { ...(seedValues().mariadb as object), password },
            matomo: { hostname: "analytics.example.org", salt: "s".repeat(40) },
        };

        it("prints the pulumi config set --secret command for each real one and keeps it out of the stack file", () => {
            const { code, stdout, stderr } = run(values, "--stack", "prod");
            assert.equal(code, 0, stderr);
            assert.ok(!stdout.includes(password), "the password is not in the stack file");
            assert.ok(!stdout.includes("s".repeat(40)), "the salt is not in the stack file");
            assert.ok(stderr.includes(`pulumi config set --stack prod --secret --path mariadb.password 'db-pass'\\''word 0123'`), stderr);
            assert.ok(stderr.includes(`pulumi config set --stack prod --secret --path matomo.salt ${"s".repeat(40)}`));
            const header = stdout.slice(0, stdout.indexOf("\nconfig:")).replace(/\n# /g, " ");
            assert.match(header, /`pulumi config set --secret` commands printed on stderr: matomo\.salt, mariadb\.password\./);
            assert.equal(parseStackFile(stdout).values["matomo:mariadb"].includes("password"), false);
        });

        it("checks the real values as the program will once they are set", () => {
            const migration = migrate({ matomo: { hostname: "analytics.example.org", password: "short" } });
            assert.deepEqual(
                migration.issues.map((i) => i.key),
                ["matomo:matomo.password"],
            );
            assert.doesNotMatch(migration.issues[0].message, /short/);
            const { code, stdout, stderr } = run({ matomo: { hostname: "analytics.example.org", password: "short" } });
            assert.equal(code, 1);
            assert.equal(stdout, "");
            assert.match(stderr, /matomo:matomo\.password: the secret value is not usable/);
        });

        it("quotes each command so that a shell passes the value through unchanged", function () {
            requireBinaries(this, "sh");
            for (const value of [password, "-starts-with-a-dash", 'a$b`c\\d"e', "two\nlines"]) {
                const command = secretCommand({ path: ["mariadb", "password"], value });
                const args = command.replace(/^pulumi config set /, "");
                const echoed = spawnSync("sh", ["-c", `set -- ${args}; for last; do :; done; printf %s "$last"`], { encoding: "utf8" });
                assert.equal(echoed.stdout, value, command);
            }
            assert.equal(shellQuote("ldap.servers[0].adminPassword"), "'ldap.servers[0].adminPassword'");
        });
    });

    it("explains an unknown key and a rejected key, at their place in the stack file", () => {
        const { code, stdout, stderr } = run({
            matomo: { hostname: "analytics.example.org", hostnme: "x" },
            serviceAccount: { create: true },
            postfix: { relay: "smtp.example.org", existingSecret: "smtp", environment: { TZ: "Europe/Copenhagen" } },
        });
        assert.equal(code, 0, stderr);
        assert.match(stderr, /- serviceAccount: dropped: not a key of this program; docs\/seed-parameters\.md maps every key/);
        assert.match(stderr, /- matomo\.hostnme: dropped: not a key of this program \(did you mean "matomo\.hostname"\?\)/);
        assert.match(
            stderr,
            /- postfix\.environment\.TZ: dropped "Europe\/Copenhagen": not supported here: every container uses matomo:timezone/,
        );
        assert.match(stdout, /^ {2}# migrate: postfix\.environment\.TZ: dropped "Europe\/Copenhagen"/m);
        assert.match(stdout, /^# {3}serviceAccount: dropped: not a key of this program/m);
        assert.deepEqual(Object.keys(parseStackFile(stdout).values).sort(), ["matomo:matomo", "matomo:postfix"]);
    });

    it("turns the seed's rsync commands, which skip host-key checks, into sources checked against ssh_known_hosts", () => {
        const hostKey = "[logs.example.org]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
        const migration = migrate({
            matomo: { hostname: "analytics.example.org" },
            rsyncAnalytics: {
                rsyncCommands:
                    "rsync -e 'ssh -p 2222 -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no' -avz --delete root@logs.example.org:/var/log/httpd /analytics/logs/3",
                ssh_known_hosts: hostKey,
            },
            logsHostLabels: { "kubernetes.io/hostname": "node-1" },
        });
        assert.deepEqual(migration.issues, []);
        assert.deepEqual((migration.config.rsyncAnalytics as Record<string, unknown>).sources, [
            { siteId: 3, user: "root", host: "logs.example.org", port: 2222, path: "/var/log/httpd" },
        ]);
        assert.deepEqual(validate({ config: migration.config, secrets: [] }, "x"), []);
    });

    describe("command line", () => {
        it("prints its help with --help and exits 0", () => {
            let stdout = "";
            assert.equal(
                main(["--help"], (t) => (stdout += t), assert.fail),
                0,
            );
            assert.match(stdout, /^usage: npm run --silent migrate -- \[--stack NAME\] VALUES_FILE > Pulumi\.NAME\.yaml$/m);
            assert.match(stdout, /pulumi config set --secret/);
        });

        it("exits 2 naming a values file that is not there, and for no file at all", () => {
            let stderr = "";
            assert.equal(
                main([join(dir, "nope.yaml")], assert.fail, (t) => (stderr += t)),
                2,
            );
            assert.match(stderr, /nope\.yaml: no such file/);
            assert.equal(
                main([], assert.fail, (t) => (stderr += t)),
                2,
            );
            assert.match(stderr, /no values file given\nusage: /);
        });

        it("exits 1 naming a file that is not YAML, or not a values file", () => {
            const bad = run("matomo: [\n");
            assert.equal(bad.code, 1);
            assert.equal(bad.stdout, "");
            assert.ok(bad.stderr.startsWith(`migrate: ${bad.file}: not valid YAML: `), bad.stderr);
            const stackFile = run(readFileSync(join(ROOT, "test/fixtures/Pulumi.seed-defaults.yaml"), "utf8"));
            assert.equal(stackFile.code, 1);
            assert.match(stackFile.stderr, /a Pulumi stack file already/);
        });
    });
});
