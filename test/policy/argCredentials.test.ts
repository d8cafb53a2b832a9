/**
 * `no-credentials-in-args`: a credential in a container's command line (an option, a URL, a script
 * run by `sh -c`, a literal shaped like a token) is refused, naming the element but never the
 * credential; the command lines the program itself writes pass.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { argCredentialViolations, noCredentialsInArgs } from "../../policy/rules/argCredentials";
import { isHarmlessValue } from "../../policy/rules/credentials";
import { resourceViolations } from "../support/policyArgs";
import { deployment, podOf, WORKLOADS } from "./fixtures";

const CREDENTIAL = "hunter2-but-longer";
/** A Matomo token_auth: an MD5, 32 lower-case hex digits. */
const TOKEN = "c4ca4238a0b923820dcc509a6f75849b";
const PEM = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";

/** A container's command line. */
type CommandLine = { readonly command?: readonly string[]; readonly args?: readonly string[] };

/** The violations of the web container with this command line (its env has MAIL_PASSWORD from a Secret). */
function violationsOf(line: CommandLine): string[] {
    const messages = argCredentialViolations({ containers: [{ ...podOf(deployment()).containers[0], ...line }] });
    for (const m of messages) {
        for (const secret of [CREDENTIAL, TOKEN]) assert.ok(!m.includes(secret), `the message repeats the credential: ${m}`);
    }
    return messages;
}

describe("policy no-credentials-in-args", () => {
    for (const [kind, make] of Object.entries(WORKLOADS)) {
        it(`passes a compliant ${kind}`, async () => assert.deepEqual(await resourceViolations(noCredentialsInArgs, make()), []));
    }

    it("refuses a token passed to the log importer in args, naming the element, in every workload", async () => {
        for (const [kind, make] of Object.entries(WORKLOADS)) {
            const resource = make();
            podOf(resource).containers[0].args = ["--url=http://matomo/", "--idsite=1", `--token-auth=${TOKEN}`, "/logs/access.log"];
            const messages = await resourceViolations(noCredentialsInArgs, resource);
            assert.equal(messages.length, 1, `${kind}: ${messages.join("\n")}`);
            assert.match(
                messages[0],
                /containers\[web\]\.args\[2\] is --token-auth= with a literal of 32 characters: mount the credential/,
            );
        }
    });

    for (const [what, line, element, found] of [
        ["an option with a password", { args: [`--password=${CREDENTIAL}`] }, "args[0]", /^--password= with a literal/],
        ["a password in the next argument", { args: ["--smtp-password", CREDENTIAL] }, "args[0]", /^--smtp-password followed by a literal/],
        ["an API key option", { command: ["geoipupdate", `--license-key=${CREDENTIAL}`] }, "command[1]", /^--license-key= with/],
        ["a variable set by env", { command: ["env", `API_TOKEN=${CREDENTIAL}`, "run"] }, "command[1]", /^API_TOKEN= with/],
        [
            "token_auth in a URL's query",
            { args: [`--url=https://matomo.example.com/index.php?module=API&token_auth=${CREDENTIAL}`] },
            "args[0]",
            /^token_auth= with a literal of 18 characters/,
        ],
        [
            "token_auth in a form body",
            { command: ["curl", "-d", `token_auth=${CREDENTIAL}&module=API`] },
            "command[2]",
            /^token_auth= with a literal of 18/,
        ],
        [
            "a key in an rclone connection string",
            { command: ["rclone", "copy", "/backups", `:s3,provider=AWS,secret_access_key=${CREDENTIAL}:bucket/matomo`] },
            "command[3]",
            /^secret_access_key= with a literal of 18 characters/,
        ],
        ["a URL with a password", { args: [`mysql://matomo:${CREDENTIAL}@mariadb/matomo`] }, "args[0]", /^a URL with a password in it/],
        [
            "an Authorization header",
            { command: ["curl", "-H", `Authorization: Bearer ${CREDENTIAL}`] },
            "command[2]",
            /^an Authorization header/,
        ],
        ["mysql's -p", { command: ["mysql", "-h", "mariadb", `-p${CREDENTIAL}`] }, "command[3]", /^the MySQL client's -p followed by/],
        ["a PEM private key", { args: ["--key", PEM] }, "args[1]", /^a PEM private key/],
        ["a Matomo token alone", { args: [TOKEN] }, "args[0]", /^a literal shaped like a Matomo token_auth \(32 hex digits\)/],
        ["a MaxMind license key", { args: [`aB3dE9_${"x".repeat(29)}_mmk`] }, "args[0]", /^a literal shaped like a MaxMind license key/],
        ["a Google API key", { args: [`key=AIza${"Sy".repeat(17)}A`] }, "args[0]", /^a literal shaped like a Google API key/],
        ["a GitHub token", { args: [`ghp_${"a1".repeat(18)}`] }, "args[0]", /^a literal shaped like a GitHub token/],
        [
            "a variable from a Secret, which the kubelet expands",
            { args: ["--smtp-auth=$(MAIL_PASSWORD)"] },
            "args[0]",
            /^\$\(MAIL_PASSWORD\), which the kubelet replaces with the credential's value/,
        ],
        [
            "a script with a password option",
            { command: ["sh", "-c", `set -eu\nmariadb-dump -u root --password=${CREDENTIAL} matomo > /backups/dump.sql`] },
            "command[2]",
            /^--password= with/,
        ],
        [
            "a script with mysql's -p",
            { command: ["sh", "-c", `set -eu\nmysql -uroot -p'${CREDENTIAL}' -e 'SELECT 1'`] },
            "command[2]",
            /^the MySQL client's -p followed by/,
        ],
        [
            "a script calling Matomo's API with a token",
            { command: ["sh", "-c", `curl -fsS "https://matomo/index.php?module=API&method=X&token_auth=${TOKEN}"`] },
            "command[2]",
            /^token_auth= with a literal of 32/,
        ],
    ] as const) {
        it(`refuses ${what}, naming the element but not the credential`, () => {
            const messages = violationsOf(line);
            assert.equal(messages.length, 1, messages.join("\n"));
            const prefix = `containers[web].${element} is `;
            assert.ok(messages[0].startsWith(prefix), messages[0]);
            assert.match(messages[0].slice(prefix.length), found);
            assert.match(messages[0], /: mount the credential from a Secret as a file and pass the file's path/);
        });
    }

    for (const [what, line] of [
        [
            "the Cloud SQL Auth Proxy's arguments",
            {
                args: [
                    "--port=3306",
                    "--structured-logs",
                    "--health-check",
                    "--http-address=0.0.0.0",
                    "--exit-zero-on-sigterm",
                    "--private-ip",
                    "--credentials-file=/secrets/cloudsql/credentials.json",
                    "acme-analytics-prod:europe-west1:cloudsql-instance-49f6c91",
                ],
            },
        ],
        [
            "Matomo's archiver",
            {
                command: [
                    "php",
                    "-d",
                    "memory_limit=1024M",
                    "/var/www/html/console",
                    "core:archive",
                    "--url=http://matomo.matomo.svc/",
                    "--php-cli-options=-d memory_limit=1024M",
                    "--no-interaction",
                ],
            },
        ],
        [
            "the importer's token read from its file",
            { command: ["sh", "-c", 'token=$(cat "$LOG_TOKEN_FILE")\nimport --token-auth="$token" x'] },
        ],
        ["a token read in the command itself", { args: ['--token-auth=$(cat "$LOG_TOKEN_FILE")', "--password-file=/run/secrets/db"] }],
        ["a file's path as the value", { args: ["--password", "/run/secrets/db/password", "--token=/var/run/token"] }],
        ["switches named like credentials", { args: ["--no-password", "matomo", "--ask-pass", "host", "--skip-password=true"] }],
        ["mysql prompting, and its port", { command: ["mysql", "-h", "mariadb", "-P3306", "-p", "-e", "SELECT 1"] }],
        [
            "an empty password, and variables",
            { args: ["--password=", "PASSWORD=", "--password=${DB_PASSWORD}", "-H", "Authorization: Bearer $TOKEN"] },
        ],
        ["a variable that holds no credential", { args: ["--user=$(MATOMO_DB_USER)", "--pass=$$(MAIL_PASSWORD)", "$(UNDEFINED_TOKEN)"] }],
        [
            "URLs without a password",
            { args: ["https://matomo@example.com/", "https://$USER:$PASS@example.com/", "https://x/?token_auth=$T"] },
        ],
        [
            "hex that is no token",
            { args: [`--digest=sha256:${"0123456789abcdef".repeat(4)}`, "--id=123e4567-e89b-12d3-a456-426614174000"] },
        ],
    ] as const) {
        it(`passes ${what}`, () => assert.deepEqual(violationsOf(line), []));
    }

    it("refuses a literal of any credential option, and passes a reference or a path in its place", () => {
        fc.assert(
            fc.property(
                fc.constantFrom(
                    "--password",
                    "--db-password",
                    "--token-auth",
                    "--api-key",
                    "--secret",
                    "-token",
                    "--smtp-pass",
                    "--pwd",
                    "--auth-token",
                ),
                fc.stringMatching(/^[A-Za-z0-9_.+%-]{1,40}$/).filter((v) => !isHarmlessValue(v)),
                fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/),
                (option, literal, variable) => {
                    const messages = argCredentialViolations({ containers: [{ name: "c", args: [`${option}=${literal}`] }] });
                    assert.equal(messages.length, 1, messages.join("\n"));
                    assert.ok(messages[0].startsWith(`containers[c].args[0] is ${option}= with a literal of ${literal.length} characters`));
                    for (const value of [`$${variable}`, `"\${${variable}}"`, `/run/secrets/${variable}`]) {
                        assert.deepEqual(argCredentialViolations({ containers: [{ name: "c", args: [`${option}=${value}`] }] }), []);
                    }
                },
            ),
        );
    });
});
