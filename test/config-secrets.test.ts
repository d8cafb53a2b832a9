/**
 * A credential in plain text beside an encrypted one in the same key: Pulumi marks the key secret
 * as a whole, so only the stack file tells them apart. Refused in the render, in the tests and in a
 * real run (which reads the stack file beside Pulumi.yaml), naming the credential's own path.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parseConfig, type Issue } from "../components/config";
import { pulumiConfigSource, type StackFileOptions } from "../components/config/pulumiSource";
import { stackFilePath } from "../components/config/stackFile";
import { runProgram } from "../scripts/lib/mockEngine";
import { parseStackFile, type StackConfig } from "../scripts/lib/stackFile";
import { deploy } from "../stacks";
import { ensureBuilt } from "../scripts/build";
import { ROOT, sourceOf } from "./support/harness";
import { propertyRuns } from "./support/unitMode";

const SECURE = "{ secure: v1:AAAAAAAAAAAAAAAA }";

/** A stack file with LDAP login (two servers), the superuser, GeoIP and the database's credentials as given. */
function stackText(credentials: {
    readonly salt?: string;
    readonly superuser?: string;
    readonly ldap?: readonly string[];
    readonly accountId?: string;
    readonly licenseKey?: string;
    readonly database?: string;
}): string {
    const line = (name: string, value: string | undefined) => (value === undefined ? [] : [`    ${name}: ${value}`]);
    const servers = (credentials.ldap ?? []).flatMap((password, i) => [
        `      - name: server${i}`,
        `        hostname: ldaps://ldap${i}.example.com`,
        "        baseDn: ou=people,dc=example,dc=com",
        "        adminUser: cn=matomo,ou=services,dc=example,dc=com",
        `        adminPassword: ${password}`,
    ]);
    return [
        "config:",
        "  matomo:matomo:",
        "    hostname: analytics.example.com",
        "    image: { repository: registry.example.com/matomo-ldap, tag: 5.11.2-1 }",
        ...line("salt", credentials.salt),
        ...line("password", credentials.superuser),
        "  matomo:mariadb:",
        "    storage: 10Gi",
        ...line("password", credentials.database),
        ...(servers.length > 0
            ? ["  matomo:ldap:", "    servers:", ...servers, "  matomo:networkPolicy: { egressTo: { ldap: [192.0.2.0/24] } }"]
            : []),
        ...(credentials.accountId || credentials.licenseKey
            ? ["  matomo:geoipupdate:", ...line("accountId", credentials.accountId), ...line("licenseKey", credentials.licenseKey)]
            : []),
    ].join("\n");
}

/** The problems the program finds in a stack-file text. */
function issuesOf(text: string): Issue[] {
    return parseConfig(sourceOf(parseStackFile(text, "Pulumi.test.yaml"))).issues;
}

describe("a plain-text credential beside an encrypted one", () => {
    it("is refused for MaxMind's license key beside an encrypted account ID, naming the value's path and the command", () => {
        const issues = issuesOf(stackText({ accountId: SECURE, licenseKey: "maxmindlicense1" }));
        assert.equal(issues.length, 1, JSON.stringify(issues));
        assert.equal(issues[0].key, "matomo:geoipupdate.licenseKey");
        assert.match(issues[0].message, /^is stored in plain text in the stack file, beside encrypted values of matomo:geoipupdate /);
        assert.ok(issues[0].message.includes("`pulumi config set --secret --path geoipupdate.licenseKey <value>`"), issues[0].message);
    });

    it("is refused for the salt beside an encrypted superuser password", () => {
        const issues = issuesOf(stackText({ superuser: SECURE, salt: "plain-salt-000000" }));
        assert.deepEqual(
            issues.map((i) => i.key),
            ["matomo:matomo.salt"],
        );
    });

    it("is refused for a second LDAP server's bind password, quoting the path for the shell", () => {
        const issues = issuesOf(stackText({ ldap: [SECURE, "plain-bind-secret-1"] }));
        assert.deepEqual(
            issues.map((i) => i.key),
            ["matomo:ldap.servers[1].adminPassword"],
        );
        assert.ok(issues[0].message.includes("`pulumi config set --secret --path 'ldap.servers[1].adminPassword' <value>`"));
    });

    it("is refused when a YAML anchor merges it in beside an encrypted one, and accepted when the anchor holds it encrypted", () => {
        const server = (password: string) =>
            [
                "config:",
                "  matomo:matomo:",
                "    hostname: analytics.example.com",
                "    image: { repository: registry.example.com/matomo-ldap, tag: 5.11.2-1 }",
                "  matomo:ldap:",
                "    servers:",
                "      - &corp",
                "        name: corp",
                "        hostname: ldaps://ldap.example.com",
                "        baseDn: ou=people,dc=example,dc=com",
                "        adminUser: cn=matomo,ou=services,dc=example,dc=com",
                `        adminPassword: ${password}`,
                "      - <<: *corp",
                "        name: backup",
                `        adminPassword: ${SECURE}`,
                "  matomo:networkPolicy: { egressTo: { ldap: [192.0.2.0/24] } }",
            ].join("\n");
        assert.deepEqual(
            issuesOf(server("plain-bind-secret-1")).map((i) => i.key),
            ["matomo:ldap.servers[0].adminPassword"],
        );
        assert.deepEqual(issuesOf(server(SECURE)), []);
    });

    it("is told from a key with no encrypted value at all, and from a key encrypted in every value", () => {
        const plain = issuesOf(stackText({ accountId: "123456", licenseKey: "maxmindlicense1" }));
        assert.deepEqual(
            plain.map((i) => i.key),
            ["matomo:geoipupdate.accountId", "matomo:geoipupdate.licenseKey"],
        );
        assert.ok(
            plain.every((i) => !i.message.includes("beside")),
            "no encrypted value to be beside",
        );
        assert.deepEqual(issuesOf(stackText({ accountId: SECURE, licenseKey: SECURE, salt: SECURE, ldap: [SECURE, SECURE] })), []);
    });

    it("is refused wherever credentials are encrypted or not: exactly the plain ones, each by its path", () => {
        const value = fc.constantFrom<"plain" | "secure" | undefined>("plain", "secure", undefined);
        fc.assert(
            fc.property(
                fc.record({ salt: value, superuser: value, database: value, accountId: value, licenseKey: value }),
                fc.array(fc.constantFrom<"plain" | "secure">("plain", "secure"), { maxLength: 4 }),
                (chosen, ldap) => {
                    const text = (v: "plain" | "secure" | undefined, plain: string) => (v === "plain" ? plain : v && SECURE);
                    const issues = issuesOf(
                        stackText({
                            salt: text(chosen.salt, "plain-salt-000000"),
                            superuser: text(chosen.superuser, "plain-password-0"),
                            database: text(chosen.database, "plain-password-1"),
                            // GeoIP needs both; a missing one is another problem, not this one.
                            accountId: chosen.licenseKey ? text(chosen.accountId ?? "secure", "123456") : undefined,
                            licenseKey: chosen.licenseKey && text(chosen.licenseKey, "maxmindlicense1"),
                            ldap: ldap.map((v) => text(v, "plain-bind-secret-1")!),
                        }),
                    );
                    const expected = [
                        ...(chosen.salt === "plain" ? ["matomo:matomo.salt"] : []),
                        ...(chosen.superuser === "plain" ? ["matomo:matomo.password"] : []),
                        ...(chosen.database === "plain" ? ["matomo:mariadb.password"] : []),
                        ...(chosen.licenseKey && chosen.accountId === "plain" ? ["matomo:geoipupdate.accountId"] : []),
                        ...(chosen.licenseKey === "plain" ? ["matomo:geoipupdate.licenseKey"] : []),
                        ...ldap.flatMap((v, i) => (v === "plain" ? [`matomo:ldap.servers[${i}].adminPassword`] : [])),
                    ];
                    assert.deepEqual(issues.map((i) => i.key).sort(), expected.sort());
                    for (const issue of issues) assert.match(issue.message, /^is stored in plain text in the stack file/);
                },
            ),
            { numRuns: propertyRuns(60) },
        );
    });
});

describe("a real run's check of the stack file", () => {
    let project: string;
    let cwd: string;
    beforeEach(() => {
        project = mkdtempSync(join(tmpdir(), "matomo-project-"));
        writeFileSync(join(project, "Pulumi.yaml"), "name: matomo\nruntime: nodejs\nmain: scripts/pulumi-program.js\n");
        mkdirSync(join(project, "scripts"));
        cwd = process.cwd();
        // Where Pulumi runs the program: the directory of Pulumi.yaml's main.
        process.chdir(join(project, "scripts"));
    });
    afterEach(() => {
        process.chdir(cwd);
        rmSync(project, { recursive: true, force: true });
    });

    /**
     * Runs the program as `pulumi up` would on the stack file `text` (its encrypted values passed
     * decrypted, the key of each secret), with the stack file of the directory (or `stackFile`),
     * and returns the error it failed with, if any, and the warnings it logged.
     */
    async function up(
        config: StackConfig,
        stackFile: StackFileOptions = {},
        program: (warn: (message: string) => void) => unknown = (warn) => deploy(pulumiConfigSource({ ...stackFile, warn })),
    ): Promise<{ error?: string; warnings: string[] }> {
        const warnings: string[] = [];
        try {
            await runProgram({
                config: config.values,
                secretKeys: config.secretKeys,
                stack: "staging",
                program: () => program((m) => warnings.push(m)),
            });
            return { warnings };
        } catch (e) {
            return { error: (e as Error).message, warnings };
        }
    }

    const mixed = stackText({ accountId: SECURE, licenseKey: "maxmindlicense1" });

    it("reads Pulumi.<stack>.yaml beside Pulumi.yaml and refuses the plain-text credential before anything is created", async () => {
        writeFileSync(join(project, "Pulumi.staging.yaml"), mixed);
        const { error } = await up(parseStackFile(mixed));
        assert.match(error ?? "", /matomo:geoipupdate\.licenseKey: is stored in plain text in the stack file, beside encrypted values/);
        assert.match(error ?? "", /pulumi config set --secret --path geoipupdate\.licenseKey/);
    });

    it("is made by the compiled program Pulumi runs (scripts/pulumi-program.js), loading the YAML reader on demand", async () => {
        writeFileSync(join(project, "Pulumi.staging.yaml"), mixed);
        ensureBuilt();
        const launcher = join(ROOT, "scripts", "pulumi-program.js");
        const { error } = await up(parseStackFile(mixed), {}, () => {
            // Loaded afresh, so that the program runs again in this process.
            for (const file of [launcher, join(ROOT, "bin", "index.js")]) delete require.cache[file];
            return require(launcher) as unknown;
        });
        assert.match(error ?? "", /matomo:geoipupdate\.licenseKey: is stored in plain text in the stack file, beside encrypted values/);
    });

    it("reads it from the project's stackConfigDir", async () => {
        writeFileSync(join(project, "Pulumi.yaml"), "name: matomo\nruntime: nodejs\nstackConfigDir: stacks\n");
        mkdirSync(join(project, "stacks"));
        writeFileSync(join(project, "stacks", "Pulumi.staging.yaml"), mixed);
        assert.equal(stackFilePath(project, "staging"), join(project, "stacks", "Pulumi.staging.yaml"));
        assert.match((await up(parseStackFile(mixed))).error ?? "", /matomo:geoipupdate\.licenseKey: is stored in plain text/);
    });

    it("runs a stack whose every credential is encrypted, without a warning", async () => {
        const text = stackText({ accountId: SECURE, licenseKey: SECURE, ldap: [SECURE] });
        writeFileSync(join(project, "Pulumi.staging.yaml"), text);
        assert.deepEqual(await up(parseStackFile(text)), { warnings: [] });
    });

    it("warns, naming the key, where the stack file is missing, and goes by the key alone", async () => {
        const { error, warnings } = await up(parseStackFile(mixed));
        assert.equal(error, undefined);
        assert.equal(warnings.length, 1);
        assert.match(
            warnings[0],
            /^matomo:geoipupdate: whether each credential in it is encrypted, .* cannot be checked: there is no .*Pulumi\.staging\.yaml/,
        );
        assert.match(warnings[0], /pulumi config set --secret --path/);
    });

    it("warns where the stack file holds another configuration than the run's (pulumi up --config-file)", async () => {
        writeFileSync(join(project, "Pulumi.staging.yaml"), mixed.replace("analytics.example.com", "other.example.com"));
        const { error, warnings } = await up(parseStackFile(mixed));
        assert.equal(error, undefined);
        assert.match(warnings.join("\n"), /does not hold the configuration of this run \(its matomo:matomo is not the one Pulumi passed\)/);
    });

    it("goes by the key alone, without a warning, for a key the stack file does not set (an ESC environment's)", async () => {
        writeFileSync(join(project, "Pulumi.staging.yaml"), stackText({}));
        assert.deepEqual(await up(parseStackFile(mixed)), { warnings: [] });
    });

    it("uses what the offline render read from the file when given it", async () => {
        const config = parseStackFile(mixed, "stacks/analytics.yaml");
        const { error } = await up(config, { path: config.file, encryption: config.encryption });
        assert.match(error ?? "", /matomo:geoipupdate\.licenseKey: is stored in plain text/);
    });
});
