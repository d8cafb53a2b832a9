/**
 * Reading a stack file as the Pulumi CLI reads it, so that `render` accepts what `pulumi up`
 * accepts: YAML merge keys resolved as gopkg.in/yaml.v3 resolves them (the CLI's YAML reader; a
 * seed values file's too, as Helm does), and each encrypted value replaced by a stand-in the field
 * it sets accepts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parseConfig } from "../components/config";
import { schema } from "../components/config/keys";
import { INVALID, type Field } from "../components/config/schema/fields";
import { isSecretField } from "../components/config/schema/secretField";
import { allFields } from "../components/config/schema/walk";
import { parseStackFile, secretStandIn } from "../scripts/lib/stackFile";
import { main as migrate } from "../scripts/migrate";
import { revealSecrets } from "../scripts/lib/mockEngine";
import { one, run, sourceOf } from "./support/harness";
import { requireBinaries } from "./support/system";

/** Every field of the schema, with the `matomo:` key it belongs to and its path inside. */
const FIELDS = allFields(schema as unknown as Record<string, Field<unknown>>).map(({ path, field }) => ({
    key: `matomo:${String(path[0])}`,
    path: path.slice(1),
    field,
}));
const SECRET_FIELDS = FIELDS.filter(({ field }) => isSecretField(field));

/** The structured value of a key, as the program receives it. */
function valueOf(text: string, key: string): unknown {
    return JSON.parse(parseStackFile(text).values[key]);
}

describe("stack files", () => {
    describe("YAML merge keys", () => {
        it("merge an anchored mapping into another, whose own keys win wherever they stand", () => {
            const text = [
                "config:",
                "  matomo:defaults: &base",
                "    a: 1",
                "    b: 2",
                "  matomo:before:",
                "    b: 20",
                "    <<: *base",
                "  matomo:after:",
                "    <<: *base",
                "    b: 20",
            ].join("\n");
            assert.deepEqual(valueOf(text, "matomo:before"), { a: 1, b: 20 });
            assert.deepEqual(valueOf(text, "matomo:after"), { a: 1, b: 20 });
        });

        it("merge a list of mappings in order: an earlier one wins over a later one", () => {
            const text = [
                "config:",
                "  matomo:one: &one { a: 1 }",
                "  matomo:two: &two { a: 2, b: 2 }",
                "  matomo:both:",
                "    <<: [*one, *two, { c: 3, a: 4 }]",
            ].join("\n");
            assert.deepEqual(valueOf(text, "matomo:both"), { a: 1, b: 2, c: 3 });
        });

        it("merge at every level: inside a key, inside a list entry, and an anchor that merges another", () => {
            const text = [
                "config:",
                "  matomo:ldap:",
                "    servers:",
                "      - &corp",
                "        name: corp",
                "        baseDn: ou=people,dc=example,dc=org",
                "        tls: &tls { startTls: false }",
                "      - <<: *corp",
                "        name: backup",
                "        tls:",
                "          <<: *tls",
                "          port: 389",
                "  matomo:copy:",
                "    inner:",
                "      <<: { deep: { <<: *tls, extra: 1 } }",
            ].join("\n");
            const servers = (valueOf(text, "matomo:ldap") as { servers: unknown[] }).servers;
            assert.deepEqual(servers[1], { name: "backup", baseDn: "ou=people,dc=example,dc=org", tls: { startTls: false, port: 389 } });
            assert.deepEqual(valueOf(text, "matomo:copy"), { inner: { deep: { startTls: false, extra: 1 } } });
        });

        it("are not the key '<<' once quoted, as yaml.v3 reads a quoted '<<' as text", () => {
            assert.deepEqual(valueOf("config:\n  matomo:x:\n    '<<': { a: 1 }\n", "matomo:x"), { "<<": { a: 1 } });
        });

        it("let a stack share settings between keys, and the program accepts it as pulumi up would", () => {
            const text = [
                "config:",
                "  matomo:matomo:",
                "    hostname: analytics.example.com",
                "    resources: &small",
                "      requests: { memory: 2Gi, cpu: 100m }",
                "      limits: { memory: 3Gi }",
                "  matomo:matomocronScheduledTasks:",
                "    resources:",
                "      <<: *small",
                "      limits: { memory: 2Gi }",
            ].join("\n");
            const { config, issues } = parseConfig(sourceOf(parseStackFile(text)));
            assert.deepEqual(issues, []);
            assert.equal(config?.scheduledTasks.resources.limits.memory, "2Gi");
            assert.equal(config?.scheduledTasks.resources.requests.memory, "2Gi");
        });

        it("refuse a merge of something other than a mapping, naming the file", () => {
            assert.throws(() => parseStackFile("config:\n  matomo:x:\n    <<: 5\n", "Pulumi.x.yaml"), {
                message: /^Pulumi\.x\.yaml: not valid YAML: .*Merge sources must be maps/,
            });
        });

        it("are resolved in a seed chart values file too, as Helm resolves them, so migrate keeps what they merge", () => {
            const dir = mkdtempSync(join(tmpdir(), "matomo-merge-"));
            try {
                const file = join(dir, "values.yaml");
                const values = [
                    "matomo:",
                    "  hostname: analytics.example.org",
                    "  resources: &res",
                    "    requests: { memory: 2Gi, cpu: 100m }",
                    "    limits: { memory: 3Gi }",
                    "matomocronScheduledTasks:",
                    "  resources:",
                    "    <<: *res",
                    "    limits: { memory: 2Gi }",
                ];
                writeFileSync(file, values.join("\n"));
                let stdout = "";
                assert.equal(
                    migrate(
                        [file],
                        (t) => (stdout += t),
                        () => undefined,
                    ),
                    0,
                );
                assert.deepEqual(JSON.parse(parseStackFile(stdout).values["matomo:matomocronScheduledTasks"]), {
                    resources: { requests: { memory: "2Gi", cpu: "100m" }, limits: { memory: "2Gi" } },
                });
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
        });

        it("resolve as yaml.v3 does for any mappings merged: own keys first, then each source in order", () => {
            const key = fc.constantFrom("a", "b", "c", "d", "e");
            const mapping = fc.dictionary(key, fc.integer({ min: 0, max: 99 }), { maxKeys: 5 });
            fc.assert(
                fc.property(fc.array(mapping, { minLength: 1, maxLength: 4 }), mapping, (sources, own) => {
                    const anchors = sources.map((s, i) => `  matomo:s${i}: &s${i} ${JSON.stringify(s)}`);
                    const merged = `    <<: [${sources.map((_, i) => `*s${i}`).join(", ")}]`;
                    const ownLines = Object.entries(own).map(([k, v]) => `    ${k}: ${v}`);
                    const text = ["config:", ...anchors, "  matomo:merged:", merged, ...ownLines].join("\n");
                    const expected: Record<string, number> = {};
                    for (const source of [own, ...sources]) {
                        for (const [k, v] of Object.entries(source)) if (!(k in expected)) expected[k] = v;
                    }
                    assert.deepEqual(valueOf(text, "matomo:merged"), expected);
                }),
            );
        });
    });
});

describe("stand-ins for encrypted values", () => {
    const SECURE = "{ secure: v1:AAAAAAAAAAAAAAAA }";
    const text = (key: string, path: readonly (string | number)[]) =>
        key + path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("");

    it("exist for every credential of the schema (a walk over every field finds them)", () => {
        const found = SECRET_FIELDS.map(({ key, path }) => text(key, path));
        for (const known of ["matomo:mariadb.password", "matomo:matomo.token", "matomo:rsyncAnalytics.ssh_id_rsa"]) {
            assert.ok(found.includes(known), `${known} not found among ${found.join(", ")}`);
        }
        assert.ok(found.includes("matomo:ldap.servers[0].adminPassword"), "a credential inside a list entry");
    });

    it("pass the check of the field they stand in for, whatever the seed", () => {
        const withStandIn = FIELDS.filter(({ field }) => field.standIn);
        assert.ok(
            withStandIn.some(({ path }) => path.at(-1) === "ssh_id_rsa_pub"),
            "a field that is no credential can have one too",
        );
        fc.assert(
            fc.property(fc.string({ minLength: 1 }), (seed) => {
                for (const { key, path, field } of withStandIn) {
                    const issues: { key: string; message: string }[] = [];
                    const parsed = field.parse(field.standIn!(seed), { key: text(key, path), setPath: "", secretKey: true, issues });
                    assert.deepEqual(issues, [], text(key, path));
                    assert.notEqual(parsed, INVALID);
                }
            }),
            { numRuns: 20 },
        );
    });

    it("are chosen by the field the encrypted value sets, and the same for the same place", () => {
        const token = secretStandIn("matomo:matomo", ["token"]);
        assert.match(token, /^[0-9a-f]{32}$/);
        assert.equal(secretStandIn("matomo:matomo", ["token"]), token);
        assert.match(secretStandIn("matomo:rsyncAnalytics", ["ssh_id_rsa"]), /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
        assert.match(secretStandIn("gcp:credentials"), /^\d{12}$/, "a key of another namespace: digits");
        assert.notEqual(secretStandIn("matomo:mariadb", ["password"]), secretStandIn("matomo:mariadb", ["rootPassword"]));
    });

    it("let a stack with its own SSH key and import token encrypted validate and run as pulumi up would", async () => {
        const secure = (indent: string) => `\n${indent}  secure: v1:AAAAAAAAAAAAAAAA`;
        const stack = parseStackFile(
            [
                "config:",
                "  matomo:matomo:",
                "    hostname: analytics.example.com",
                "    token:" + secure("    "),
                "  matomo:rsyncAnalytics:",
                "    sources: [{ siteId: 1, user: logs, host: 10.0.0.5, path: /var/log/apache2 }]",
                "    ssh_known_hosts: 10.0.0.5 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJI9rtmAyXccU65ZvPZLFLa8C/Xk2mq2REKACNjUhWZA",
                "    ssh_id_rsa_pub: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJI9rtmAyXccU65ZvPZLFLa8C/Xk2mq2REKACNjUhWZA",
                "    ssh_id_rsa:" + secure("    "),
                "  matomo:logsHostLabels: { kubernetes.io/hostname: node-1 }",
            ].join("\n"),
        );
        assert.deepEqual(stack.secretKeys, ["matomo:matomo", "matomo:rsyncAnalytics"]);
        const { config, issues } = parseConfig(sourceOf(stack));
        assert.deepEqual(issues, []);
        assert.ok(config?.logImport?.importer.token, "the encrypted token is used");
        const key = one(await run(stack), "kubernetes:core/v1:Secret", "log-import-ssh");
        assert.ok(JSON.stringify(revealSecrets(key.inputs)).includes("BEGIN OPENSSH PRIVATE KEY"), "the key's stand-in is deployed");
    });

    it("stand in for a value that is no credential with its own stand-in, else its default", () => {
        const stack = parseStackFile(
            [
                "config:",
                "  matomo:matomo: { hostname: analytics.example.com }",
                `  matomo:postfix: { relay: smtp.example.com, port: ${SECURE}, existingSecret: smtp }`,
                "  matomo:rsyncAnalytics:",
                `    ssh_id_rsa: ${SECURE}`,
                `    ssh_id_rsa_pub: ${SECURE}`,
            ].join("\n"),
        );
        assert.equal(JSON.parse(stack.values["matomo:postfix"]).port, 587, "the default stands in");
        const rsync = JSON.parse(stack.values["matomo:rsyncAnalytics"]) as Record<string, string>;
        assert.match(rsync.ssh_id_rsa_pub, /^ssh-ed25519 /);
        const issues = parseConfig(sourceOf(stack)).issues.filter((i) => i.key.startsWith("matomo:rsyncAnalytics.ssh_id_rsa"));
        assert.deepEqual(issues, []);
    });

    it("are refused with what to do where nothing can stand in: a value with neither stand-in nor default, a key encrypted whole", () => {
        assert.throws(() => parseStackFile(`config:\n  matomo:matomo: { hostname: ${SECURE} }\n`, "Pulumi.x.yaml"), {
            message:
                "Pulumi.x.yaml: matomo:matomo.hostname: is encrypted, and the offline render can neither decrypt it nor make up a value " +
                "it accepts (it is no credential, and has no default): set it in plain text with `pulumi config set --path 'matomo.hostname' <value>`",
        });
        assert.throws(() => parseStackFile(`config:\n  matomo:geoipupdate: ${SECURE}\n`, "Pulumi.x.yaml"), {
            message:
                /^Pulumi\.x\.yaml: matomo:geoipupdate: is encrypted as a whole, .* `pulumi config set --secret --path 'geoipupdate\.<field>' <value>`/,
        });
    });

    it("of a private key is one ssh-keygen reads", function () {
        requireBinaries(this, "ssh-keygen");
        const dir = mkdtempSync(join(tmpdir(), "matomo-stand-in-"));
        try {
            writeFileSync(join(dir, "id"), secretStandIn("matomo:rsyncAnalytics", ["ssh_id_rsa"]), { mode: 0o600 });
            const result = spawnSync("ssh-keygen", ["-y", "-f", join(dir, "id")], { encoding: "utf8" });
            assert.equal(result.status, 0, result.stderr);
            assert.match(result.stdout, /^ssh-ed25519 /);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
