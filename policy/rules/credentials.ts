/**
 * What counts as a credential, for the two rules that keep credentials out of plain-text places
 * (environment literals and ConfigMaps). A literal there is stored unencrypted in the Pulumi
 * state's inputs, shown by `pulumi preview --diff`, readable by anyone allowed to `get` the
 * workload or ConfigMap (a far wider group than those who may read Secrets), and copied into the
 * pod's `/proc/<pid>/environ`. The project promises that every credential lives in a Secret and is
 * mounted as a file.
 *
 * A name looks like a credential when it ENDS with a credential word: the name is split into words
 * at `_`, `-`, `.` and lower-to-upper case changes (`DB_PASSWORD`, `adminPassword`,
 * `license-key`), and its last word (or last two) is one of {@link CREDENTIAL_WORDS} or
 * {@link CREDENTIAL_PAIRS}. Trailing digits and words that only qualify the credential (`_VALUE`,
 * `_B64`) are ignored first. So a name that continues after the credential word names something
 * about the credential, not the credential: `*_PASSWORD_FILE`, `*_TOKEN_PATH`, `*_SECRET_DIR`,
 * `*_KEY_ID` (an identifier; AWS's access key id, a Secrets Manager secret id), `*_PASSWORD_HASH`,
 * `PASSWORD_MIN_LENGTH`, `TOKEN_DESCRIPTION`. Matching whole words avoids `BYPASS` or `COMPASS`.
 * A name with the word EXISTING (`existingSecret`, the Helm idiom) names a Secret to read from.
 * The lone name `PWD` is the shell's working directory.
 *
 * A value is no credential, whatever its name, when it is empty (or null in YAML), a switch
 * (`MARIADB_RANDOM_ROOT_PASSWORD=yes`, a setting of the MariaDB image this program runs), or an
 * absolute path (`GOOGLE_APPLICATION_CREDENTIALS=/var/secrets/key.json` names the mounted file).
 * A PEM private key is a credential whatever its name.
 */

/** Words that, ending a name, make it a credential's name. */
const CREDENTIAL_WORDS = new Set([
    "PASSWORD",
    "PASSWORDS",
    "PASSWD",
    "PASS",
    "PWD",
    "PASSPHRASE",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "TOKENS",
    "APIKEY",
    "SALT",
    "CREDENTIAL",
    "CREDENTIALS",
    "CREDS",
]);

/** Word pairs that, ending a name, make it a credential's name (`TOKEN AUTH` is Matomo's token_auth). */
const CREDENTIAL_PAIRS = new Set([
    "LICENSE KEY",
    "LICENCE KEY",
    "PRIVATE KEY",
    "API KEY",
    "ACCESS KEY",
    "SECRET KEY",
    "ENCRYPTION KEY",
    "SIGNING KEY",
    "MASTER KEY",
    "TOKEN AUTH",
]);

/** Trailing words that qualify a credential without making the name about something else. */
const QUALIFIERS = new Set(["VALUE", "B64", "BASE64", "PLAIN", "PLAINTEXT", "RAW"]);

/** The words of a name, upper case: `adminPassword_2` -> ADMIN, PASSWORD, 2. */
function nameWords(name: string): string[] {
    return name
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
        .split(/[^A-Za-z0-9]+/)
        .filter((word) => word !== "")
        .map((word) => word.toUpperCase());
}

/** Whether a name (of an environment variable, a ConfigMap key, a setting in a file) is a credential's. */
export function isCredentialName(name: string): boolean {
    const words = nameWords(name);
    if (words.includes("EXISTING") || (words.length === 1 && words[0] === "PWD")) return false;
    while (words.length > 1 && (QUALIFIERS.has(words[words.length - 1]) || /^\d+$/.test(words[words.length - 1]))) words.pop();
    const last = words[words.length - 1] ?? "";
    return CREDENTIAL_WORDS.has(last) || CREDENTIAL_PAIRS.has(words.slice(-2).join(" "));
}

/** Values that say yes or no: settings about a credential, never one. */
const SWITCHES = new Set(["true", "false", "yes", "no", "on", "off", "0", "1"]);

/** Whether a literal value under a credential's name holds no credential (empty, a switch, a path). */
export function isHarmlessValue(value: string): boolean {
    const v = value.trim();
    return v === "" || SWITCHES.has(v.toLowerCase()) || /^\/[^\s]*$/.test(v);
}

/** The header of a PEM private key (PKCS#1, PKCS#8, encrypted, EC, OpenSSH). */
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/** Whether a text holds a PEM private key. */
export function holdsPrivateKey(value: string): boolean {
    return PEM_PRIVATE_KEY.test(value);
}

/** How a message shows a credential it found: never the value itself (messages end up in CI logs). */
export function redacted(value: string): string {
    return `a literal of ${value.length} characters`;
}
