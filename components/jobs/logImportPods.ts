/**
 * The pods of the log import's two CronJobs.
 *
 * Both mount the one log volume with the same group (Matomo's www-data, the volume's `fsGroup`),
 * so neither re-owns the other's files. The fetch runs as `nobody` (an existing user is what the
 * OpenSSH client needs) in that group; the import pod's first steps use the Matomo image (the
 * import user's grants, with the database's pod patch, e.g. the Cloud SQL proxy; a copy of the
 * importer), then the importer runs under Python, with the import records beside it: a sidecar in
 * the Matomo image (PHP and PDO; the Python image has no database client) that keeps them in
 * Matomo's database and answers the import over a Unix socket in a volume both mount. The SSH key
 * and the token are mounted files, readable by the group only; neither is ever in an environment
 * variable.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { podImagePullSecrets } from "../k8s/image";
import { toResourceRequirements, HELPER_RESOURCES } from "../k8s/resources";
import { restrictedContainer, restrictedPod } from "../k8s/security";
import { IMAGE_CODE_DIR, SECRETS_DIR_DATABASE, SECRETS_MOUNT, WWW_DATA_UID } from "../matomo/paths";
import { SCRIPT_ENV } from "../matomo/scripts";
import { databaseScriptEnv } from "../matomo/scripts/database";
import type { LogImportArgs } from "./logImportArgs";
import { LOG_SCRIPT_ENV as E } from "./scripts";

/** Keys of the scripts ConfigMap. */
export const SCRIPT_KEYS = {
    sync: "sync-logs.sh",
    import: "import-logs.sh",
    /** Beside import-logs.sh, which finds them there. */
    importFile: "import-file.sh",
    importHelper: "import-helper.py",
    grant: "grant-import-user.php",
    /** Required by the grant script, from its own directory. */
    connection: "database-connection.php",
    records: "import-records.php",
    sources: "sources.tsv",
} as const;

/** The `nobody` user of the images (Alpine and Debian alike). */
const NOBODY_UID = 65534;
const LOGS = "/analytics";
const SCRIPTS = "/etc/log-import";
const SSH_DIR = `${SECRETS_MOUNT}/ssh`;
const TOKEN_DIR = `${SECRETS_MOUNT}/log-import`;
const IMPORTER_DIR = "/opt/log-analytics";
const RECORDS_DIR = "/run/log-import";
/** How long the records sidecar waits for the database (as the grant step), and the import for the sidecar. */
const DATABASE_WAIT_SECONDS = 600;
/** How long an import waits for a backup or restore holding the import lock before it stops until its next run. */
const LOCK_WAIT_SECONDS = 600;

/** Names of the objects the pods mount. */
export interface LogImportNames {
    readonly claim: pulumi.Input<string>;
    readonly ssh: pulumi.Input<string>;
    readonly token: pulumi.Input<string>;
    readonly scripts: pulumi.Input<string>;
}

const volume = {
    logs: (names: LogImportNames) => ({ name: "logs", persistentVolumeClaim: { claimName: names.claim } }),
    scripts: (names: LogImportNames) => ({ name: "scripts", configMap: { name: names.scripts } }),
    tmp: { name: "tmp", emptyDir: {} },
    records: { name: "records", emptyDir: {} },
};
const mount = {
    logs: { name: "logs", mountPath: LOGS },
    scripts: { name: "scripts", mountPath: SCRIPTS, readOnly: true },
    tmp: { name: "tmp", mountPath: "/tmp" },
    records: { name: "records", mountPath: RECORDS_DIR },
    password: { name: "database-password", mountPath: SECRETS_DIR_DATABASE, readOnly: true },
};

function placement(args: LogImportArgs) {
    return Object.keys(args.nodeLabels).length > 0 ? { nodeSelector: { ...args.nodeLabels } } : {};
}

/** The fetch: sync-logs.sh under the rsync image. */
export function logSyncPodSpec(args: LogImportArgs, names: LogImportNames): k8s.types.input.core.v1.PodSpec {
    const f = args.fetch;
    return {
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        imagePullSecrets: podImagePullSecrets([f.image]),
        securityContext: restrictedPod(NOBODY_UID, WWW_DATA_UID),
        ...placement(args),
        containers: [
            {
                name: "sync-logs",
                image: f.image.reference,
                imagePullPolicy: f.image.pullPolicy,
                command: ["sh", `${SCRIPTS}/${SCRIPT_KEYS.sync}`],
                env: [
                    { name: "TZ", value: args.timezone },
                    { name: E.root, value: `${LOGS}/logs` },
                    { name: E.sourcesFile, value: `${SCRIPTS}/${SCRIPT_KEYS.sources}` },
                    { name: E.sshKeyFile, value: `${SSH_DIR}/id_key` },
                    { name: E.sshKnownHostsFile, value: `${SSH_DIR}/known_hosts` },
                    { name: E.sshConfigFile, value: f.sshConfig ? `${SSH_DIR}/ssh_config` : "" },
                    { name: E.sshStrict, value: f.verifyHostKeys ? "yes" : "no" },
                    { name: E.timeoutSeconds, value: String(f.timeoutSeconds) },
                ],
                resources: toResourceRequirements(f.resources),
                securityContext: restrictedContainer(),
                volumeMounts: [mount.logs, mount.scripts, mount.tmp, { name: "ssh", mountPath: SSH_DIR, readOnly: true }],
            },
        ],
        volumes: [
            volume.logs(names),
            volume.scripts(names),
            volume.tmp,
            // Group-readable only: ssh accepts a key it does not own without checking its mode.
            { name: "ssh", secret: { secretName: names.ssh, defaultMode: 0o440 } },
        ],
    };
}

/** The import: the user's grants and a copy of the importer from the Matomo image, then import-logs.sh. */
export function logImportPodSpec(args: LogImportArgs, names: LogImportNames): k8s.types.input.core.v1.PodSpec {
    const imp = args.importer;
    const db = args.database;
    const sites = args.sources.map((s) => s.siteId).join(" ");
    const tokenMount = { name: "token", mountPath: TOKEN_DIR, readOnly: true };
    // The importer reads the token only; the salt is for the grant step.
    const tokenOnlyMount = { name: "token-only", mountPath: TOKEN_DIR, readOnly: true };
    const grant: k8s.types.input.core.v1.Container[] =
        "login" in imp.credentials
            ? [
                  {
                      name: "grant-import-user",
                      image: args.image.reference,
                      imagePullPolicy: args.image.pullPolicy,
                      command: ["php", `${SCRIPTS}/${SCRIPT_KEYS.grant}`],
                      env: [
                          ...databaseScriptEnv(db, args.tablesPrefix),
                          { name: SCRIPT_ENV.importLogin, value: imp.credentials.login },
                          { name: SCRIPT_ENV.importEmail, value: imp.credentials.email },
                          { name: SCRIPT_ENV.importTokenFile, value: `${TOKEN_DIR}/token` },
                          { name: SCRIPT_ENV.importSites, value: sites },
                          { name: SCRIPT_ENV.saltFile, value: `${TOKEN_DIR}/salt` },
                          // [Tracker] tracker_cache_file_ttl, Matomo's default: the web pods accept a new token after it.
                          { name: SCRIPT_ENV.trackerCacheSeconds, value: "300" },
                      ],
                      resources: toResourceRequirements(HELPER_RESOURCES),
                      securityContext: restrictedContainer(),
                      volumeMounts: [mount.scripts, tokenMount, mount.password, ...(db.podPatch.volumeMounts ?? [])],
                  },
              ]
            : [];
    // A native sidecar: started before the import, stopped after it, restarted if it fails.
    const records: k8s.types.input.core.v1.Container = {
        name: "import-records",
        image: args.image.reference,
        imagePullPolicy: args.image.pullPolicy,
        restartPolicy: "Always",
        command: ["php", `${SCRIPTS}/${SCRIPT_KEYS.records}`],
        env: [
            ...databaseScriptEnv(db, args.tablesPrefix),
            { name: SCRIPT_ENV.waitSeconds, value: String(DATABASE_WAIT_SECONDS) },
            { name: E.stateDir, value: `${LOGS}/state` },
            { name: E.recordsSocket, value: `${RECORDS_DIR}/records.sock` },
        ],
        resources: toResourceRequirements(HELPER_RESOURCES),
        securityContext: restrictedContainer(),
        volumeMounts: [
            { ...mount.logs, readOnly: true },
            mount.scripts,
            mount.records,
            mount.password,
            ...(db.podPatch.volumeMounts ?? []),
        ],
    };
    const passwordItem = { key: db.passwordSecret.key, path: "password" };
    return {
        serviceAccountName: db.podPatch.serviceAccountName,
        imagePullSecrets: podImagePullSecrets([args.image, db.podPatch, imp.image]),
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: restrictedPod(WWW_DATA_UID, WWW_DATA_UID),
        // A stopped import records what its current batch committed; give a batch its time (the
        // importer's request timeout is 300 s).
        terminationGracePeriodSeconds: 330,
        ...placement(args),
        initContainers: [
            ...db.podPatch.initContainers,
            ...grant,
            {
                name: "copy-importer",
                image: args.image.reference,
                imagePullPolicy: args.image.pullPolicy,
                // The importer of this very Matomo version; a missing file fails the run here.
                command: ["cp", `${IMAGE_CODE_DIR}/misc/log-analytics/import_logs.py`, `${IMPORTER_DIR}/import_logs.py`],
                resources: toResourceRequirements(HELPER_RESOURCES),
                securityContext: restrictedContainer(),
                volumeMounts: [{ name: "importer", mountPath: IMPORTER_DIR }],
            },
            records,
        ],
        containers: [
            {
                name: "import-logs",
                image: imp.image.reference,
                imagePullPolicy: imp.image.pullPolicy,
                command: ["sh", `${SCRIPTS}/${SCRIPT_KEYS.import}`],
                env: [
                    { name: "TZ", value: args.timezone },
                    { name: E.root, value: `${LOGS}/logs` },
                    { name: E.stateDir, value: `${LOGS}/state` },
                    { name: E.sites, value: sites },
                    { name: E.importer, value: `${IMPORTER_DIR}/import_logs.py` },
                    { name: E.python, value: "python3" },
                    { name: E.matomoUrl, value: imp.matomoUrl },
                    { name: E.tokenFile, value: `${TOKEN_DIR}/token` },
                    { name: E.options, value: imp.options.join("\n") },
                    { name: E.maxAttempts, value: String(imp.maxAttempts) },
                    { name: E.recordsSocket, value: `${RECORDS_DIR}/records.sock` },
                    { name: E.recordsWaitSeconds, value: String(DATABASE_WAIT_SECONDS + 60) },
                    { name: E.lockWaitSeconds, value: String(LOCK_WAIT_SECONDS) },
                ],
                resources: toResourceRequirements(imp.resources),
                securityContext: restrictedContainer(),
                volumeMounts: [
                    mount.logs,
                    mount.scripts,
                    mount.tmp,
                    tokenOnlyMount,
                    mount.records,
                    { name: "importer", mountPath: IMPORTER_DIR, readOnly: true },
                ],
            },
        ],
        volumes: [
            volume.logs(names),
            volume.scripts(names),
            volume.tmp,
            volume.records,
            { name: "importer", emptyDir: {} },
            { name: "token", secret: { secretName: names.token, defaultMode: 0o440 } },
            { name: "token-only", secret: { secretName: names.token, items: [{ key: "token", path: "token" }], defaultMode: 0o440 } },
            { name: "database-password", secret: { secretName: db.passwordSecret.name, items: [passwordItem], defaultMode: 0o440 } },
            ...db.podPatch.volumes,
        ],
    };
}
