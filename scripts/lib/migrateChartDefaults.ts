/**
 * The seed chart's own default values, sorted into two kinds for `npm run migrate`:
 *
 * - EEA-specific: values that are right for EEA's installation only (its host names, its mail
 *   relay, a site id of its Matomo, its cluster's certificate issuer and storage class, schedules
 *   fitted around its nightly jobs). A values file that still holds one most likely kept the
 *   chart's default rather than chose it; the conversion keeps it (it may be yours: a migration of
 *   EEA's own installation) and flags it, beside the value in the stack file and on stderr, so the
 *   user decides.
 * - Generic: sizes, images, retention, login and database names, schedules that fit any
 *   installation. They pass without a word (the conversion fixes the ones the program refuses).
 *
 * Values are those of the chart's README table and values.yaml, in every generation of the chart
 * (eea/helm-charts `sources/matomo`: 5.3.2-1, 1.4.2 and 3.15.2) where they use a key this program
 * reads. test/migrate.test.ts checks that every default of test/fixtures/Pulumi.seed-defaults.yaml is
 * of exactly one kind.
 */
import { getAt, isUnder, show, type MigrationState, type Note, type Path } from "./migrateModel";

/** A default of the chart that only fits EEA's installation. */
export interface EeaDefault {
    readonly path: Path;
    /** The chart's values at this key (its README and its values.yaml differ for some). */
    readonly values: readonly (string | number)[];
    /** What keeping it does on another installation. */
    readonly why: string;
}

export const EEA_DEFAULTS: readonly EeaDefault[] = [
    {
        path: ["timezone"],
        values: ["Europe/Copenhagen"],
        why:
            "EEA's time zone (also this program's default, so removing the key changes nothing): every schedule " +
            "(archiving, backups, deletion) and PHP's date.timezone follow it; set yours, e.g. Europe/Berlin or UTC",
    },
    {
        path: ["matomo", "hostname"],
        values: ["matomo.eea.europa.eu", "dev-matomo.01dev.eea.europa.eu"],
        why:
            "EEA's own host name: the Ingress would serve it and Matomo trust only it, and the superuser's and the " +
            "sender's addresses (admin@, noreply@) are made from it; set the name your ingress serves",
    },
    {
        path: ["matomo", "storageClassName"],
        values: ["nfs-rancher"],
        why: "a StorageClass of EEA's clusters: the claim stays Pending where there is none of that name",
    },
    {
        path: ["mariadb", "storageClassName"],
        values: ["nfs-rancher"],
        why: "a StorageClass of EEA's clusters: the database's claim stays Pending where there is none of that name",
    },
    {
        path: ["rsyncAnalytics", "storageClassName"],
        values: ["nfs-rancher"],
        why: "a StorageClass of EEA's clusters: the log volume's claim stays Pending where there is none of that name",
    },
    {
        path: ["postfix", "relay"],
        values: ["ironports.eea.europa.eu"],
        why: "EEA's own mail relay, for EEA's network: Matomo would send its mail there; set your SMTP server",
    },
    {
        path: ["postfix", "port"],
        values: [8587],
        why: "the port of EEA's relay (ironports.eea.europa.eu); mail submission is usually 587",
    },
    {
        path: ["matomocronDeleteData", "environment", "siteToDelete"],
        values: ["22"],
        why:
            "a site id of EEA's Matomo: every night (matomocronDeleteData.cronSchedule) the CronJob deletes the raw " +
            "visit data of site 22 older than daysToKeep days, whichever site is 22 here; set the site you mean, " +
            "or all, or remove the section to keep every raw visit",
    },
    {
        path: ["ingress", "letsencrypt"],
        values: ["01dev-eea-letsencrypt"],
        why: "the cert-manager ClusterIssuer of EEA's cluster: without one of that name no certificate is issued; set yours, or empty",
    },
    {
        path: ["ingress", "certificate"],
        values: ["dev-matomo.01dev.eea.europa.eu-tls", "eggrepo.eea.europa.eu-tls"],
        why: "the TLS Secret named after an EEA host; empty names it after your host name (<hostname>-tls)",
    },
    {
        path: ["matomocronArchive", "cronSchedule"],
        values: ["5 2-22 * * *"],
        why: "EEA's archiving window, around its nightly jobs: no report is built from 23:00 to 02:04; this program's default is hourly",
    },
    {
        path: ["matomoAnalytics", "cronSchedule"],
        values: ["30 0 * * *", "15,45 22,23,0,1 * * *"],
        why: "the chart's import times for EEA's nightly logs: visits from the logs show up once a night; this program's default imports hourly",
    },
];

/**
 * The generic defaults, by key (`*` for any section), with why any installation may keep them.
 * Only for the test that every default of the chart is sorted; the conversion says nothing of them.
 */
export const GENERIC_DEFAULTS: readonly { readonly keys: readonly string[]; readonly why: string }[] = [
    {
        keys: ["*.image.repository", "*.image.tag", "*.resources.requests.memory", "*.resources.limits.memory"],
        why: "images and sizes: the conversion replaces what the program cannot run and raises what does not fit",
    },
    {
        keys: ["*.environment.PHP_MEMORY_LIMIT", "*.environment.PHP_MAX_EXECUTION_TIME", "*.environment.PHP_MAX_INPUT_TIME"],
        why: "PHP limits, checked against the containers' memory",
    },
    {
        keys: ["*.storage", "*.storageClassName", "pvc.resourcePolicyKeep", "jobs.ttlSecondsAfterFinished", "matomo.replicaCount"],
        why: "storage and lifecycle; an empty storage class is the cluster's default",
    },
    {
        keys: ["*.cronSchedule", "matomocronDeleteData.environment.daysToKeep"],
        why: "schedules and a retention any installation may keep (but the EEA-specific schedules above, by value)",
    },
    {
        keys: ["mariadb.user", "mariadb.database", "mariadb.commands", "mariadb.environment.MYSQL_ALLOW_EMPTY_PASSWORD", "postfix.user"],
        why: "EEA-named but only names (also this program's defaults), and the server's tuning",
    },
    {
        keys: ["*.password", "*.rootPassword", "*.token", "*.accountId", "*.licenseKey", "*.username", "rsyncAnalytics.*"],
        why: "placeholders and empty values, dropped by the conversion, and the log import's example, replaced by sources",
    },
    {
        keys: [
            "matomo.environment.APACHE_HTTP_PORT_NUMBER",
            "postfix.environment.TZ",
            "geoipupdate.environment.*",
            "ingress.enabled",
            "ingress.className",
            "ingress.annotations",
            "ingress.tls",
            "ingress.configuration.*",
        ],
        why: "settings of the chart's pods and ingress-nginx that fit any cluster (or that the program drops)",
    },
];

/** Whether a key (`a.b.c`) is one of a generic entry's keys. */
export function isGenericKey(key: string): boolean {
    return GENERIC_DEFAULTS.some((g) =>
        g.keys.some((pattern) => new RegExp(`^${pattern.replace(/\./g, "\\.").replace(/\*/g, "[^.]+(\\.[^.]+)*")}$`).test(key)),
    );
}

/** A value as the chart's default is compared: text, without case and extra spaces. */
function normal(value: unknown): string {
    return String(value).trim().replace(/\s+/g, " ").toLowerCase();
}

/** The EEA-specific default a value at `path` equals, if any. */
export function eeaDefaultAt(path: Path, value: unknown): EeaDefault | undefined {
    if (value === undefined || value === null || typeof value === "object") return undefined;
    return EEA_DEFAULTS.find((d) => d.path.join(".") === path.join(".") && d.values.some((v) => normal(v) === normal(value)));
}

/**
 * A note for each value of the converted config, or of a part it turned off, that is one of the
 * chart's EEA-specific defaults.
 */
export function eeaDefaultNotes(state: Pick<MigrationState, "config" | "disabled">): Note[] {
    return EEA_DEFAULTS.flatMap((d) => {
        const off = state.disabled.find((x) => isUnder(d.path, x.path));
        const value = off ? getAt(off.value, d.path.slice(off.path.length)) : getAt(state.config, d.path);
        if (!eeaDefaultAt(d.path, value)) return [];
        return [
            { path: d.path, change: `kept ${show(value)}`, reason: `the seed chart's default, specific to EEA's installation: ${d.why}` },
        ];
    });
}
