/**
 * `matomo:rsyncAnalytics`, `matomo:matomoAnalytics` and `matomo:logsHostLabels`: web-server logs
 * fetched from log hosts over verified SSH and imported into Matomo with Matomo's own importer.
 * The seed chart's keys, with its free-form commands replaced by structured sources.
 */
import { checkByteQuantity } from "../../../k8s/units";
import { boolean, integer, oneOf, string } from "../../schema/fields";
import { ed25519KeyPair } from "../../schema/opensshKey";
import { cronSchedule, deadline, image, resources } from "../../schema/parts";
import { PLACEHOLDER, secret } from "../../schema/secretField";
import { list, object, record } from "../../schema/structures";
import { checkLabelKey, checkLabelValue, checkOptionalDnsSubdomain } from "../../schema/validators";
import { checkMatomoLogin } from "../../schema/matomoUser";
import { sourceField } from "./sources";

/** The seed's `REPLACEME` in a text field is no value; `check` applies to anything else. */
function notPlaceholder(what: string, check?: (value: string) => string | undefined) {
    return (value: string) =>
        value.trim() === PLACEHOLDER
            ? `the seed chart's placeholder ${PLACEHOLDER} is not ${what}; set the real one or remove the key`
            : check?.(value);
}

/** A private key ssh can use without a person: OpenSSH or PEM format, not protected by a passphrase. */
function checkPrivateKey(value: string): string | undefined {
    const block = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----\s*\n([\s\S]*?)\n\s*-----END \1PRIVATE KEY-----/.exec(value);
    if (!block) return "expected a private key (-----BEGIN OPENSSH PRIVATE KEY----- ... -----END OPENSSH PRIVATE KEY-----)";
    if (block[2].includes("ENCRYPTED")) return "the key is protected by a passphrase, which a CronJob cannot type; use a key without one";
    if (block[1] === "OPENSSH ") {
        const body = Buffer.from(block[2].replace(/\s+/g, ""), "base64");
        const cipherLength = body.length > 19 ? body.readUInt32BE(15) : 0;
        if (body.subarray(19, 19 + cipherLength).toString() !== "none") {
            return "the key is protected by a passphrase, which a CronJob cannot type; use a key without one";
        }
    }
    return undefined;
}

/**
 * Importer options a stack may not set: the ones the import script sets itself (one recorder, no
 * retries of a batch, the resume point), and the ones that would make it misread the importer's
 * output (it refuses them too). import_logs.py's argparse also takes any unambiguous prefix.
 */
const PROGRAM_IMPORTER_OPTIONS = [
    "--url",
    "--idsite",
    "--token-auth",
    "--recorders",
    "--retry-max-attempts",
    "--skip",
    "--login",
    "--password",
    "--output",
    "--dry-run",
    "--dump-log-regex",
    "--debug-request-limit",
];

/** Whether argparse would read `name` as one of the program's options (itself or a prefix of one; `--debug` is its own option). */
function isProgramImporterOption(name: string): boolean {
    return PROGRAM_IMPORTER_OPTIONS.includes(name) || (name !== "--debug" && PROGRAM_IMPORTER_OPTIONS.some((o) => o.startsWith(name)));
}

export const rsyncKey = object(
    {
        image: image("log fetching (rsync and an OpenSSH client)", "eeacms/rsync", "2.8"),
        cronSchedule: cronSchedule("When logs are fetched from the log hosts (in matomo:timezone).", "5 * * * *"),
        storage: string({
            doc: "Size of the volume the fetched logs are kept on (the import records are in Matomo's database).",
            default: "1Gi",
            check: checkByteQuantity,
        }),
        storageClassName: string({
            doc: "StorageClass of the log volume; empty for the cluster default.",
            default: "",
            check: checkOptionalDnsSubdomain,
        }),
        storageAccessMode: oneOf(["ReadWriteOnce", "ReadWriteMany"], {
            doc: "Access mode of the log volume, which the fetch and the import job share: `ReadWriteOnce` needs `logsHostLabels` to pin both to one node.",
            default: "ReadWriteOnce",
        }),
        sources: list(sourceField, { doc: "Where each site's logs are fetched from.", default: [], maxItems: 100 }),
        rsyncCommands: string({
            doc: "The seed's form: `rsync -e 'ssh -p <port>' -avz --delete <user>@<host>:<dir> /analytics/logs/<site id>`, several separated by `;` or line breaks. Read with its quoting and turned into `sources`; anything else is refused with the reason.",
            optional: true,
            multiline: true,
            emptyIsUnset: true,
            check: (v) =>
                /<[A-Z_]+>/.test(v)
                    ? `holds the seed's placeholders (${[...new Set(v.match(/<[A-Z_]+>/g))].join(", ")}); set the real user, host, directory and site id, or remove it and describe the sources in matomo:rsyncAnalytics.sources`
                    : undefined,
        }),
        ssh_id_rsa: secret({
            doc: "Private key for the log hosts (any type, without a passphrase). Generated (Ed25519) when unset; the public key is the stack output `logImport.publicKey`.",
            alternative: "or remove the key to have one generated",
            check: checkPrivateKey,
            standIn: (seed) => ed25519KeyPair(seed).privateKeyOpenssh,
        }),
        ssh_id_rsa_pub: {
            ...string({
                doc: "The public key of `ssh_id_rsa`, shown as the stack output `logImport.publicKey`; required with `ssh_id_rsa`.",
                optional: true,
                emptyIsUnset: true,
                // `cat id.pub` ends in a line break; one line with it is what ssh-keygen writes.
                multiline: true,
                check: notPlaceholder("a public key", (v) =>
                    /^(ssh-|ecdsa-|sk-)\S+ [A-Za-z0-9+/]+={0,2}( [^\n]*)?$/.test(v.trim())
                        ? undefined
                        : "expected one OpenSSH public key line",
                ),
            }),
            // Encrypted along with the private key, it renders offline too.
            standIn: (seed: string) => ed25519KeyPair(seed).publicKeyOpenssh,
        },
        ssh_known_hosts: string({
            doc: "The log hosts' public host keys in known_hosts format (`ssh-keyscan -p <port> <host>`); every source's host needs one. Host keys are always verified.",
            optional: true,
            multiline: true,
            emptyIsUnset: true,
            check: notPlaceholder("a host key"),
        }),
        ssh_config: string({
            doc: "Extra ssh_config settings for the log hosts (e.g. `ProxyJump`); the program's own options (key, host-key checking, port) take precedence.",
            optional: true,
            multiline: true,
            emptyIsUnset: true,
            check: notPlaceholder("an ssh_config"),
        }),
        insecureSkipHostKeyVerification: boolean({
            doc: "Turns SSH host-key verification off, so anyone who can intercept the connection can serve fake logs and read the key's access. Only for a first test; every run warns.",
            default: false,
        }),
        timeoutSeconds: integer({ doc: "SSH connect and rsync I/O timeout in seconds.", default: 120, min: 5, max: 3600 }),
        activeDeadlineSeconds: deadline("log fetching", 3600),
        resources: resources("log fetching", { requestMemory: "64Mi", requestCpu: "50m", limitMemory: "256Mi" }),
    },
    { doc: "Fetching web-server logs from log hosts with rsync over SSH (on when sources are set)." },
);

export const importKey = object(
    {
        image: image(
            "the log importer's Python (the importer itself is copied from the Matomo image, so it matches Matomo's version)",
            "python",
            "3.13-slim",
        ),
        cronSchedule: cronSchedule("When fetched logs are imported (in matomo:timezone).", "35 * * * *"),
        resources: resources("log import", { requestMemory: "512Mi", requestCpu: "100m", limitMemory: "1Gi" }),
        options: list(
            string({
                doc: "An importer option, e.g. `--enable-bots`.",
                required: true,
                check: (v) =>
                    !/^--[a-z][a-z0-9-]*(=.*)?$/.test(v)
                        ? "expected one option of import_logs.py, such as --enable-static or --exclude-path=/health"
                        : isProgramImporterOption(v.split("=")[0])
                          ? `${v.split("=")[0]} is set by the program (or would mislead its reading of the importer's output)`
                          : undefined,
            }),
            {
                doc: "Options of Matomo's `import_logs.py` (the seed's: also record HTTP errors, redirects, static files and bots).",
                default: ["--enable-http-errors", "--enable-http-redirects", "--enable-static", "--enable-bots"],
                maxItems: 50,
            },
        ),
        maxAttempts: integer({ doc: "Runs a failing file is tried in before it is given up and reported.", default: 3, min: 1, max: 20 }),
        login: string({
            doc: "Matomo user the program creates for the import, with write access to exactly the sources' sites.",
            default: "log-import",
            check: checkMatomoLogin,
        }),
        activeDeadlineSeconds: deadline("log import", 6 * 3600),
    },
    { doc: "Importing the fetched logs with Matomo's log importer." },
);

export const logImportKeys = {
    rsyncAnalytics: rsyncKey,
    matomoAnalytics: importKey,
    logsHostLabels: record(string({ doc: "Label value.", required: true, check: checkLabelValue }), {
        doc: "Node labels both log jobs are pinned to (their node selector): with a ReadWriteOnce log volume they must select the one node that holds it (e.g. `kubernetes.io/hostname: <node>`).",
        default: {},
        checkKey: checkLabelKey,
    }),
};
