/**
 * `no-credentials-in-env-literals` and `no-credentials-in-configmaps`: which names are a
 * credential's, which literals are harmless, and that no message repeats the credential it found.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { configMapViolations, literalOf, noCredentialsInConfigMaps } from "../../policy/rules/configMapCredentials";
import { isCredentialName } from "../../policy/rules/credentials";
import { noCredentialsInEnvLiterals } from "../../policy/rules/envCredentials";
import { resourceViolations } from "../support/policyArgs";
import { configMap, deployment, podOf, WORKLOADS } from "./fixtures";

const CREDENTIAL = "hunter2-but-longer";
const PEM = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";

const CREDENTIAL_NAMES = [
    "PASSWORD",
    "MATOMO_DB_PASSWORD",
    "MYSQL_PWD",
    "SMTP_PASS",
    "adminPassword",
    "client-secret",
    "GITHUB_TOKEN",
    "GEOIPUPDATE_LICENSE_KEY",
    "TLS_PRIVATE_KEY",
    "apiKey",
    "APIKey",
    "AWS_SECRET_ACCESS_KEY",
    "MATOMO_SALT",
    "token_auth",
    "DB_PASSWORD_2",
    "API_TOKEN_VALUE",
    "GOOGLE_APPLICATION_CREDENTIALS",
];
const OTHER_NAMES = [
    "MATOMO_DB_PASSWORD_FILE",
    "LOG_TOKEN_FILE",
    "TOKEN_PATH",
    "SECRETS_DIR",
    "GEOIPUPDATE_ACCOUNT_ID_FILE",
    "AWS_ACCESS_KEY_ID",
    "MARIADB_ROOT_PASSWORD_HASH",
    "PASSWORD_MIN_LENGTH",
    "TOKEN_DESCRIPTION",
    "password_hash_algorithm",
    "existingSecret",
    "BYPASS",
    "COMPASS_URL",
    "PWD",
    "LOG_SSH_KEY_FILE",
    "MATOMO_DB_USER",
];

describe("credential names", () => {
    for (const name of CREDENTIAL_NAMES) it(`${name} is a credential's name`, () => assert.equal(isCredentialName(name), true));
    for (const name of OTHER_NAMES) it(`${name} is not`, () => assert.equal(isCredentialName(name), false));

    it("a credential's name stays one with a prefix, and names a reference with _FILE, _PATH or _DIR after it", () => {
        fc.assert(
            fc.property(
                fc.stringMatching(/^[A-Z][A-Z0-9]{0,8}$/).filter((p) => !isCredentialName(`${p}_X`) && p !== "EXISTING"),
                fc.constantFrom(...CREDENTIAL_NAMES.filter((n) => /^[A-Z_0-9]+$/.test(n))),
                fc.constantFrom("FILE", "PATH", "DIR"),
                (prefix, name, suffix) => {
                    assert.equal(isCredentialName(`${prefix}_${name}`), true);
                    assert.equal(isCredentialName(`${prefix}_${name}_${suffix}`), false);
                },
            ),
        );
    });
});

describe("policy no-credentials-in-env-literals", () => {
    for (const [kind, make] of Object.entries(WORKLOADS)) {
        it(`passes a compliant ${kind}`, async () => assert.deepEqual(await resourceViolations(noCredentialsInEnvLiterals, make()), []));
    }

    /** The violations after adding an environment variable to the init container. */
    async function withEnv(env: Record<string, unknown>): Promise<string[]> {
        const resource = deployment();
        podOf(resource).initContainers[0].env.push(env);
        return resourceViolations(noCredentialsInEnvLiterals, resource);
    }

    it("refuses a literal password, naming the variable but not the password", async () => {
        const messages = await withEnv({ name: "SMTP_PASSWORD", value: CREDENTIAL });
        assert.deepEqual(messages, [
            `spec.template.spec.initContainers[setup].env[SMTP_PASSWORD].value is a literal of ${CREDENTIAL.length} characters: ` +
                "mount the credential from a Secret as a file and pass its path (SMTP_PASSWORD_FILE), or use valueFrom.secretKeyRef",
        ]);
    });

    it("refuses a private key under any name", async () => {
        const messages = await withEnv({ name: "SSH_IDENTITY", value: PEM });
        assert.equal(messages.length, 1);
        assert.match(messages[0], /^spec\.template\.spec\.initContainers\[setup\]\.env\[SSH_IDENTITY\]\.value is a PEM private key: /);
    });

    for (const [name, value] of [
        ["MARIADB_RANDOM_ROOT_PASSWORD", "yes"],
        ["MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "1"],
        ["SMTP_PASSWORD", ""],
        ["GOOGLE_APPLICATION_CREDENTIALS", "/var/secrets/google/key.json"],
        ["SMTP_PASSWORD", "$(SMTP_PASSWORD_FROM_SECRET)"],
        ["MATOMO_DB_PASSWORD_FILE", "/run/secrets/matomo-database/password"],
    ]) {
        it(`accepts ${name}=${JSON.stringify(value)}`, async () => assert.deepEqual(await withEnv({ name, value }), []));
    }
});

describe("policy no-credentials-in-configmaps", () => {
    it("passes a compliant ConfigMap (scripts that read credentials from files, an empty password)", async () => {
        assert.deepEqual(await resourceViolations(noCredentialsInConfigMaps, configMap()), []);
    });

    /** The violations after adding a data entry to the fixture. */
    async function withData(key: string, content: string, section = "data"): Promise<string[]> {
        const resource = configMap();
        resource.props[section] = { ...resource.props[section], [key]: content };
        const messages = await resourceViolations(noCredentialsInConfigMaps, resource);
        for (const m of messages) assert.ok(!m.includes(CREDENTIAL), `the message repeats the credential: ${m}`);
        return messages;
    }

    it("refuses an entry named like a credential", async () => {
        assert.deepEqual(await withData("DB_PASSWORD", CREDENTIAL), [
            `data["DB_PASSWORD"] is a literal of ${CREDENTIAL.length} characters: keep it in a Secret (mounted as a file) instead; a ConfigMap is stored and shown in clear`,
        ]);
    });

    it("refuses a private key in data and in binaryData", async () => {
        assert.match((await withData("id_ed25519", PEM))[0], /^data\["id_ed25519"\] is a PEM private key: /);
        const encoded = Buffer.from(PEM).toString("base64");
        assert.match((await withData("key.bin", encoded, "binaryData"))[0], /^binaryData\["key.bin"\] is a PEM private key: /);
    });

    for (const [file, content, line, key] of [
        ["config.ini.php", `[database]\nhost = "mariadb"\npassword = "${CREDENTIAL}"\n`, 3, "password"],
        ["client.env", `MYSQL_HOST=db\nMYSQL_PWD=${CREDENTIAL}\n`, 2, "MYSQL_PWD"],
        ["run.sh", `set -eu\nexport API_TOKEN='${CREDENTIAL}'\n`, 2, "API_TOKEN"],
        ["values.yaml", `smtp:\n  host: mail\n  password: ${CREDENTIAL} # the relay's\n`, 3, "password"],
        ["values.yml", `tls:\n  privateKey: |\n    ${CREDENTIAL}\n  cert: x\n`, 2, "privateKey"],
        ["settings.json", `{\n  "apiKey": "${CREDENTIAL}",\n  "debug": false\n}\n`, 2, "apiKey"],
        ["config.php", `<?php\nreturn [\n    'secret' => '${CREDENTIAL}',\n];\n`, 3, "secret"],
        ["my.cnf", `[client]\nuser=matomo\npassword=${CREDENTIAL}\n`, 3, "password"],
    ] as const) {
        it(`refuses ${file} assigning a literal to ${key}, naming the line`, async () => {
            const messages = await withData(file, content);
            assert.equal(messages.length, 1, messages.join("\n"));
            assert.ok(
                messages[0].startsWith(`data["${file}"] line ${line} (${key}) is a literal of ${CREDENTIAL.length} characters: `),
                messages[0],
            );
        });
    }

    it("skips comments and references, and accepts empty and switch values", () => {
        const file = [
            "# password = commented-out",
            "// token: in a comment",
            'password = ""',
            "password:",
            "token: null",
            "secret = ${SECRET_FROM_ENV}",
            "PASSWORD=$(cat /run/secrets/password)",
            "$password = file_get_contents(getenv('PASSWORD_FILE'));",
            "api_key: '{{ .Values.apiKey }}'",
            "password_file = /run/secrets/password",
            "private_key = /etc/ssl/private/key.pem",
            "fastcgi_pass 127.0.0.1:9000;",
            'if [ "$token" == x ]; then',
            "MARIADB_RANDOM_ROOT_PASSWORD=yes",
        ].join("\n");
        assert.deepEqual(configMapViolations({ data: { "mixed.conf": file } }), []);
    });

    it("reads the literal of an assigned value", () => {
        assert.equal(literalOf(` "x y" ; comment`), "x y");
        assert.equal(literalOf(`'it''s',`), "it");
        assert.equal(literalOf("bare # comment"), "bare");
        assert.equal(literalOf("~"), "");
        assert.equal(literalOf('"$VAR"'), undefined);
        assert.equal(literalOf("getenv('X')"), undefined);
    });
});
