/**
 * Config of the workloads around the web tier, under the seed chart's keys: the console CronJobs
 * (`matomocronArchive`, `matomocronDeleteData`, `matomocronLdapSync`, and the new
 * `matomocronScheduledTasks`), `geoipupdate`, `postfix`, the LDAP server settings (`ldap`) and the
 * CronJob policies (`jobs`, a key of the seed chart's values.yaml).
 */
import { boolean, integer, oneOf, rejected, report, scalar, secret, string, type Field } from "./schema/fields";
import { list, object, oneOrMany } from "./schema/structures";
import { image, phpSize, resources } from "./schema/parts";
import { describeValue } from "./schema/text";
import {
    checkCronSchedule,
    checkDnsLabel,
    checkEmail,
    checkHostname,
    checkIniText,
    checkOptionalDnsSubdomain,
} from "./schema/validators";

const cronSchedule = (doc: string, value: string) => string({ doc, default: value, check: checkCronSchedule });

/** Console jobs run the web tier's image, so their code always matches the database schema. */
const jobImage = rejected({
    doc: "Image of the job (the seed allowed one per job).",
    reason: "console jobs run the web tier's image (matomo.image), so their code always matches the database schema",
});

/** PHP's command line never limits execution or input time; the seed's keys are accepted only as 0. */
const cliTime = (doc: string) =>
    string({
        doc: `${doc} Only \`0\` is accepted: PHP's command line never limits it (activeDeadlineSeconds bounds the job).`,
        default: "0",
        check: (v) => (v === "0" ? undefined : "PHP's command line never limits execution or input time; only 0 is accepted (the job's activeDeadlineSeconds bounds it)"),
    });

const consolePhp = (job: string, memoryLimit: string) =>
    object(
        {
            PHP_MEMORY_LIMIT: phpSize(
                `PHP \`memory_limit\` of each PHP process of the ${job} (\`-d memory_limit\`). Must stay below the container memory limit.`,
                memoryLimit,
            ),
            PHP_MAX_EXECUTION_TIME: cliTime("PHP `max_execution_time`."),
            PHP_MAX_INPUT_TIME: cliTime("PHP `max_input_time`."),
        },
        { doc: `PHP settings of the ${job}.` },
    );

const deadline = (doc: string, value: number) =>
    integer({ doc: `Longest run of the ${doc} in seconds (\`activeDeadlineSeconds\`); a longer run is stopped and counts as failed.`, default: value, min: 60, max: 7 * 86400 });

/** One archiver: a CronJob running `core:archive`, optionally for some sites only. */
const archiver = object(
    {
        name: string({
            doc: "Name of the archiver: its CronJob is `matomo-archive-<name>`. Unset: `matomo-archive`, or `matomo-archive-<index>` in a list.",
            optional: true,
            check: (v) => checkDnsLabel(v) ?? (v.length > 20 ? "expected at most 20 characters" : undefined),
        }),
        image: jobImage,
        cronSchedule: cronSchedule("When the archiver runs (in matomo:timezone).", "5 * * * *"),
        environment: consolePhp("archiver", "4096M"),
        resources: resources("archiving", { requestMemory: "4Gi", requestCpu: "500m", limitMemory: "6Gi" }),
        concurrentArchivers: integer({
            doc: "`--concurrent-archivers`: how many archivers may run at once.",
            default: 3,
            min: 1,
            max: 64,
        }),
        concurrentRequestsPerWebsite: integer({
            doc: "`--concurrent-requests-per-website`: parallel archiving processes per site (each with its own PHP memory limit).",
            default: 3,
            min: 1,
            max: 64,
        }),
        forceIdSites: list(integer({ doc: "A site ID.", required: true, min: 1 }), {
            doc: "Archive only these sites (`--force-idsites`), e.g. one heavy site in its own archiver.",
            default: [],
        }),
        skipIdSites: list(integer({ doc: "A site ID.", required: true, min: 1 }), {
            doc: "Archive every site but these (`--skip-idsites`), e.g. the sites another archiver takes.",
            default: [],
        }),
        activeDeadlineSeconds: deadline("archiver", 6 * 3600),
    },
    { doc: "An archiver." },
);

/** `all`, one site ID, a comma-separated list or a YAML list: which sites lose their old raw data. */
const siteSelection: Field<"all" | readonly number[] | undefined> = scalar<"all" | readonly number[] | undefined, { optional: true }>(
    "`all`, a site ID or a list of them",
    {
        doc: "Sites whose raw data is deleted: `all`, one site ID, or a list (`1,2,5` or a YAML list). Unset: no deletion job.",
        optional: true,
    },
    (raw, ctx) => {
        if (raw === "all") return "all";
        const items = Array.isArray(raw) ? raw : typeof raw === "number" ? [raw] : typeof raw === "string" ? raw.split(",").map((s) => s.trim()) : [raw];
        const ids = items.map((i) => (typeof i === "string" && /^\d+$/.test(i) ? Number(i) : i));
        if (ids.length === 0 || !ids.every((i) => typeof i === "number" && Number.isSafeInteger(i) && i >= 1)) {
            return report(ctx, `got ${describeValue(raw)}; expected "all", a site ID (a positive integer) or a list of them`);
        }
        return [...new Set(ids as number[])];
    },
);

export const workloads = {
    matomocronArchive: oneOrMany(archiver, {
        doc: "Report archiving (`core:archive`, browser-triggered archiving being off): one archiver (the seed's form) or a list (EEA's later form), e.g. a heavy site on its own schedule and memory, and the rest. In a list, the keys below take an index: `matomocronArchive[0].cronSchedule`.",
    }),
    matomocronScheduledTasks: object(
        {
            cronSchedule: cronSchedule("When the scheduled tasks run (`scheduled-tasks:run`: e-mail reports, data purges, ...).", "15 * * * *"),
            environment: consolePhp("scheduled tasks", "1024M"),
            resources: resources("scheduled tasks", { requestMemory: "512Mi", requestCpu: "100m", limitMemory: "2Gi" }),
            activeDeadlineSeconds: deadline("scheduled tasks", 3600),
        },
        { doc: "Matomo's scheduled tasks. The archivers run with `--disable-scheduled-tasks`, so they run here, once." },
    ),
    matomocronDeleteData: object(
        {
            image: jobImage,
            cronSchedule: cronSchedule("When old raw data is deleted.", "0 23 * * *"),
            environment: object(
                {
                    PHP_MEMORY_LIMIT: phpSize("PHP `memory_limit` of the deletion.", "512M"),
                    siteToDelete: siteSelection,
                    daysToKeep: integer({ doc: "Days of raw visitor logs kept; older ones are deleted.", default: 90, min: 1, max: 36500 }),
                },
                { doc: "What the deletion job deletes." },
            ),
            resources: resources("raw-data deletion", { requestMemory: "512Mi", requestCpu: "100m", limitMemory: "2Gi" }),
            activeDeadlineSeconds: deadline("deletion", 4 * 3600),
        },
        { doc: "Deletion of raw visitor logs older than `daysToKeep` (`core:delete-logs-data`); runs only when `siteToDelete` is set." },
    ),
    matomocronLdapSync: object(
        {
            image: jobImage,
            cronSchedule: cronSchedule("When users are synchronised from LDAP.", "10 1 * * *"),
            environment: object(
                { PHP_MEMORY_LIMIT: phpSize("PHP `memory_limit` of the sync.", "192M") },
                { doc: "PHP settings of the sync." },
            ),
            resources: resources("LDAP sync", { requestMemory: "256Mi", requestCpu: "50m", limitMemory: "256Mi" }),
            purgeNonExistentUsers: boolean({
                doc: "Delete Matomo users that no longer exist in LDAP (`--purge-non-existent-users`).",
                default: false,
            }),
            activeDeadlineSeconds: deadline("sync", 1800),
        },
        { doc: "LDAP user synchronisation (`loginldap:synchronize-users`); runs when `ldap` has servers." },
    ),
    ldap: object(
        {
            servers: list(
                object(
                    {
                        name: string({
                            doc: "Server name (its config section is `[LoginLdap_<name>]`).",
                            required: true,
                            check: (v) => (/^[A-Za-z0-9_]{1,30}$/.test(v) ? undefined : "expected 1-30 letters, digits or underscores"),
                        }),
                        hostname: string({
                            doc: "Host, or an `ldaps://` / `ldap://` URI (with `ldaps://` the port is ignored).",
                            required: true,
                            check: (v) => {
                                const host = v.replace(/^ldaps?:\/\//, "");
                                return checkHostname(host) === undefined || /^\d+\.\d+\.\d+\.\d+$/.test(host)
                                    ? undefined
                                    : "expected a hostname or an ldap:// or ldaps:// URI";
                            },
                        }),
                        port: integer({ doc: "Port.", default: 389, min: 1, max: 65535 }),
                        baseDn: string({ doc: "Base DN of user searches.", required: true, check: checkDn }),
                        adminUser: string({ doc: "DN of the account the plugin binds as.", required: true, check: checkDn }),
                        // Set by the directory's owner: only what config.ini.php cannot hold is refused.
                        adminPassword: secret({ doc: "Its password (set with `--secret`).", defaultDoc: "required", check: checkIniText }),
                        startTls: boolean({ doc: "Use StartTLS.", default: false }),
                    },
                    { doc: "An LDAP server." },
                ),
                { doc: "LDAP servers, tried in order. Configuring one enables LDAP login and the sync job.", default: [], maxItems: 10 },
            ),
            useLdapForAuthentication: boolean({ doc: "Check passwords against LDAP.", default: true }),
            synchronizeUsersAfterLogin: boolean({ doc: "Update a user from LDAP when they log in.", default: true }),
            enableSynchronizeAccessFromLdap: boolean({ doc: "Take site access from LDAP attributes.", default: false }),
            newUserDefaultSitesViewAccess: string({
                doc: "Sites new users may view (`all`, or site IDs `1,2`); empty for none.",
                default: "",
                check: (v) => (v === "" || v === "all" || /^\d+(,\d+)*$/.test(v) ? undefined : 'expected "", "all" or site IDs such as 1,2'),
            }),
            userIdField: string({ doc: "LDAP attribute of the login.", default: "uid", check: checkAttribute }),
            mailField: string({ doc: "LDAP attribute of the e-mail address.", default: "mail", check: checkAttribute }),
            userEmailSuffix: string({ doc: "Suffix added to logins to form e-mail addresses when LDAP has none.", default: "", check: checkIniText }),
            requiredMemberOf: string({ doc: "DN of a group users must belong to; empty for any.", default: "", check: (v) => (v === "" ? undefined : checkDn(v)) }),
            ldapUserFilter: string({ doc: "Extra LDAP filter for users, e.g. `(objectClass=person)`.", default: "", check: checkIniText }),
        },
        { doc: "LDAP login (the LoginLdap plugin, which the image must contain) and the settings of the sync job." },
    ),
    geoipupdate: object(
        {
            image: image("MaxMind's geoipupdate", "maxmindinc/geoipupdate", "v7.1.1"),
            accountId: secret({
                doc: "MaxMind account ID (set with `--secret`).",
                defaultDoc: "unset",
                check: (v) => (/^\d{1,12}$/.test(v) ? undefined : "a MaxMind account ID is a number"),
            }),
            licenseKey: secret({
                doc: "MaxMind license key (set with `--secret`).",
                defaultDoc: "unset",
                check: (v) => (/^[A-Za-z0-9_]{10,64}$/.test(v) ? undefined : "a MaxMind license key is 10-64 letters, digits or underscores"),
            }),
            existingSecret: string({
                doc: "Instead of accountId and licenseKey: a Secret in the namespace with the keys `account-id` and `license-key` (e.g. from External Secrets).",
                optional: true,
                check: checkOptionalDnsSubdomain,
            }),
            cronSchedule: cronSchedule("When the GeoIP databases are refreshed.", "0 4 5 * *"),
            environment: object(
                {
                    GEOIPUPDATE_EDITION_IDS: string({
                        doc: "Databases to download, space-separated (e.g. `GeoLite2-City`, `GeoIP2-City`).",
                        default: "GeoLite2-City",
                        check: (v) => (/^[A-Za-z0-9-]+( [A-Za-z0-9-]+)*$/.test(v) ? undefined : "expected space-separated edition IDs such as GeoLite2-City"),
                    }),
                    GEOIPUPDATE_VERBOSE: scalar<"0" | "1", { default: "1" }>(
                        "`0` or `1`",
                        { doc: "Verbose output (passed as `1` or `0`; the seed's quoted `\"1\"` failed every run).", default: "1" },
                        (raw, ctx) =>
                            raw === 1 || raw === "1" || raw === true || raw === "true"
                                ? "1"
                                : raw === 0 || raw === "0" || raw === false || raw === "false"
                                  ? "0"
                                  : report(ctx, `got ${describeValue(raw)}; expected 1 or 0`),
                    ),
                },
                { doc: "Environment of geoipupdate." },
            ),
            storage: rejected({ doc: "Size of a separate GeoIP volume.", reason: "the databases go into Matomo's misc/ volume (matomo.storage), which Matomo reads" }),
            storageClassName: rejected({ doc: "StorageClass of a separate GeoIP volume.", reason: "the databases go into Matomo's misc/ volume (matomo.storageClassName)" }),
            resources: resources("GeoIP update", { requestMemory: "64Mi", requestCpu: "50m", limitMemory: "256Mi" }),
        },
        { doc: "MaxMind GeoIP databases for Matomo's geolocation; enabled when credentials are set." },
    ),
    postfix: object(
        {
            image: image("the Postfix relay", "eeacms/postfix", "3.5-1.2"),
            relay: string({ doc: "SMTP server the relay forwards mail to. Setting it enables the relay and Matomo's mail.", optional: true, check: checkHostname }),
            port: integer({ doc: "Port of that server (587 is SMTP submission).", default: 587, min: 1, max: 65535 }),
            user: string({ doc: "Login at the SMTP server (used with a password).", default: "postfix", check: checkIniText }),
            password: secret({
                doc: "Password of `user` at the SMTP server (set with `--secret`). Required with a relay (or `existingSecret`): the image relays only with a login.",
                defaultDoc: "unset",
                // Postfix's relay_passwd holds it on one line; its length is the SMTP provider's business.
                check: (v) => (/[\r\n\0]/.test(v) || v === "" ? "must be one non-empty line" : undefined),
            }),
            existingSecret: string({
                doc: "Instead of password: a Secret in the namespace with the key `password`.",
                optional: true,
                check: checkOptionalDnsSubdomain,
            }),
            tlsSecurityLevel: oneOf(["encrypt", "may", "none"], {
                doc: "TLS towards the SMTP server (`SMTP_TLS_SECURITY_LEVEL`). `encrypt` by default: the image would otherwise send credentials over plain text when the server offers no TLS.",
                default: "encrypt",
            }),
            senderAddress: string({ doc: "Sender of Matomo's mail. Unset: `noreply@<hostname>`.", optional: true, defaultDoc: "`noreply@<hostname>`", check: checkEmail }),
            senderName: string({ doc: "Sender name of Matomo's mail.", default: "Matomo", check: checkIniText }),
            environment: object(
                { TZ: rejected({ doc: "Time zone of the relay.", reason: "every container uses matomo:timezone" }) },
                { doc: "Environment of the relay." },
            ),
            resources: resources("Postfix", { requestMemory: "256Mi", requestCpu: "50m", limitMemory: "256Mi" }),
        },
        { doc: "The Postfix mail relay Matomo sends its mail (reports, password resets) through." },
    ),
    jobs: object(
        {
            ttlSecondsAfterFinished: integer({ doc: "How long finished CronJob runs are kept, in seconds.", default: 86400, min: 0 }),
            successfulJobsHistoryLimit: integer({ doc: "Successful runs kept per CronJob.", default: 1, min: 0, max: 20 }),
            failedJobsHistoryLimit: integer({ doc: "Failed runs kept per CronJob (for their logs).", default: 3, min: 0, max: 20 }),
            startingDeadlineSeconds: integer({ doc: "A run that cannot start within this many seconds of its time is skipped.", default: 600, min: 10 }),
        },
        { doc: "Policies of every CronJob." },
    ),
};

/** An LDAP distinguished name that config.ini.php can hold. */
function checkDn(value: string): string | undefined {
    return /^[A-Za-z][A-Za-z0-9-]*=[^,]+(,\s*[A-Za-z][A-Za-z0-9-]*=[^,]+)*$/.test(value) && checkIniText(value) === undefined
        ? undefined
        : "expected a distinguished name such as dc=example,dc=com";
}

function checkAttribute(value: string): string | undefined {
    return /^[A-Za-z][A-Za-z0-9-]*$/.test(value) ? undefined : "expected an LDAP attribute name";
}
