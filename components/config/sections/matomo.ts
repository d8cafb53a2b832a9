/**
 * `matomo:matomo`: the web tier (image, replicas, PHP settings, resources, the `misc/` volume),
 * the superuser and the first website. Keys keep the seed chart's names.
 */
import type { ContainerResources } from "../../k8s/resources";
import { checkByteQuantity } from "../../k8s/units";
import { integer, oneOf, rejected, string, type Issue, type ValueOf } from "../schema/fields";
import { hexStandIn, secret } from "../schema/secretField";
import { list, object } from "../schema/structures";
import { phpWorkloadIssues } from "../schema/limits";
import { image, phpSize, resources, seconds, type Image } from "../schema/parts";
import { existingClaimFields, existingClaimOf, type ExistingClaim } from "./existingClaims";
import { MATOMO_IMAGE, SUPPORTED_MATOMO } from "./matomoImage";
import { webServerKey } from "./webServer";
import type { SecretValue } from "../schema/secretValue";
import { checkMatomoLogin, checkMatomoPassword, checkNewUserEmail } from "../schema/matomoUser";
import {
    checkEmail,
    checkHostname,
    checkMailDomain,
    checkIniSafeSecret,
    checkOptionalDnsSubdomain,
    checkWebsiteUrl,
} from "../schema/validators";

/** A plugin name as Matomo accepts it (`Plugin\Manager::isValidPluginName`), which is also its folder. */
const PLUGIN_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,59}$/;

export const matomoKey = object(
    {
        hostname: string({
            doc: "Public hostname of Matomo: the Ingress host and Matomo's `trusted_hosts[]`. Required (the seed defaulted to EEA's own host). A DNS name: Kubernetes refuses an IP address as an Ingress host (one is accepted with `ingress.enabled` false, with `email` and `postfix.senderAddress` set, which default to addresses at the hostname).",
            required: true,
            check: checkHostname,
        }),
        image: image(`${SUPPORTED_MATOMO.text} (the official \`matomo\` image, Apache variant)`, MATOMO_IMAGE.repository, MATOMO_IMAGE.tag),
        plugins: list(
            string({
                doc: "A plugin's name: its folder under `plugins/`.",
                required: true,
                check: (v) =>
                    PLUGIN_NAME.test(v)
                        ? undefined
                        : "expected a Matomo plugin name: up to 60 letters, digits and underscores, starting with a letter",
            }),
            {
                doc: "Plugins active besides the image's defaults; each must be in the image (one built FROM matomo with it). This list is what is active, in every pod (Matomo's UI cannot switch plugins).",
                default: [],
                maxItems: 50,
            },
        ),
        replicaCount: integer({
            doc: "Number of Matomo web pods. More than 1 needs `storageAccessMode: ReadWriteMany`.",
            default: 1,
            min: 1,
            max: 50,
        }),
        username: string({
            doc: "Login of the Matomo superuser: Matomo's rule, 2-100 bytes of letters, digits and `_ . @ + -`, and not `anonymous` (Matomo's own anonymous user).",
            default: "admin",
            emptyIsUnset: true,
            check: checkMatomoLogin,
        }),
        email: string({
            doc: "E-mail address of the Matomo superuser. Unset: `admin@<hostname>`.",
            optional: true,
            defaultDoc: "`admin@<hostname>`",
            check: (v) => checkEmail(v) ?? checkNewUserEmail(v),
        }),
        siteName: string({
            doc: "Name of the first website, created by the install Job. Unset: the hostname.",
            optional: true,
            defaultDoc: "`<hostname>`",
            check: (v) => (v.trim() === "" || v.length > 90 ? "expected 1-90 characters" : undefined),
        }),
        siteUrl: string({
            doc: "URL of the first website. Unset: `https://<hostname>`.",
            optional: true,
            defaultDoc: "`https://<hostname>`",
            check: checkWebsiteUrl,
        }),
        password: secret({
            doc: "Password of the Matomo superuser: 12 to 200 characters (Matomo's maximum), not one repeated. Generated when unset (or empty); read it with `pulumi stack output superuserPassword --show-secrets`.",
            emptyIsUnset: true,
            alternative: "or remove the key to have one generated",
            check: (v) => checkIniSafeSecret(v) ?? checkMatomoPassword(v),
        }),
        salt: secret({
            doc: "Matomo's `[General] salt`. Generated once when unset and never changed; set it only to keep the salt of an existing installation (it hashes API tokens and sessions), and once set, keep it set.",
            alternative: "or remove the key to have one generated (a new installation only: the salt of an existing one must stay)",
            check: checkIniSafeSecret,
        }),
        tablesPrefix: string({
            doc: "Prefix of Matomo's tables: keep the one of an existing installation whose database this stack takes over (`[database] tables_prefix` of its config.ini.php).",
            default: "matomo_",
            check: (v) =>
                /^[A-Za-z0-9_]{0,30}$/.test(v) ? undefined : "expected up to 30 letters, digits or underscores, e.g. matomo_ or piwik_",
        }),
        token: secret({
            doc: "API token the log importer uses instead of the user and token the program creates (Matomo's 32-character token of a user with write access to the sources' sites).",
            defaultDoc: "generated, with its own user",
            alternative: "or remove the key to have the program create the import user and its token",
            check: (v) => (/^[0-9a-f]{32}$/.test(v) ? undefined : "expected Matomo's token: 32 characters 0-9 and a-f"),
            standIn: hexStandIn(32),
        }),
        storage: string({
            doc: "Size of the volume for Matomo's `misc/` directory (GeoIP databases, uploaded logos). Code never lives on a volume.",
            default: "1Gi",
            check: checkByteQuantity,
        }),
        storageClassName: string({
            doc: "StorageClass of the `misc/` volume; empty for the cluster default.",
            default: "",
            check: checkOptionalDnsSubdomain,
        }),
        storageAccessMode: oneOf(["ReadWriteOnce", "ReadWriteMany"], {
            doc: "Access mode of the `misc/` volume (with `existingClaim`, the one that claim has: the program cannot read it). `ReadWriteOnce` works everywhere for one replica (rollouts then use the Recreate strategy); several replicas need `ReadWriteMany`.",
            default: "ReadWriteOnce",
        }),
        ...existingClaimFields("Matomo's `misc/`", {
            claim: "`storage` and `storageClassName` then do not apply, and `storageAccessMode` says the claim's access mode. Its files must be writable by Matomo's user, uid 33 (steps and risks in docs/backup-restore.md).",
            subPath:
                "E.g. `matomo/misc` on the seed chart's volume of its Bitnami-era releases, which held the whole `/bitnami` tree, code and config included (the pods then mount that directory only).",
        }),
        environment: object(
            {
                PHP_MEMORY_LIMIT: phpSize(
                    "PHP `memory_limit` of each web worker: with the worker overhead, the memory one worker may reach, so it decides how many workers fit the container (see `webServer`). Web requests never archive here.",
                    "512M",
                ),
                PHP_MAX_EXECUTION_TIME: seconds("PHP `max_execution_time` of the web pods (0: no limit).", "0"),
                PHP_MAX_INPUT_TIME: seconds("PHP `max_input_time` of the web pods (0: no limit).", "0"),
                APACHE_HTTP_PORT_NUMBER: rejected({
                    doc: "Apache port (Bitnami images only).",
                    reason: "the official image's Apache listens on port 80 (the pods may bind it without root); the Service always exposes port 80",
                }),
            },
            { doc: "PHP settings of the web pods, written to a php.ini the pods load." },
        ),
        resources: resources("Matomo web", { requestMemory: "2Gi", requestCpu: "250m", limitMemory: "5Gi" }),
        webServer: webServerKey,
    },
    { doc: "The Matomo web tier." },
);

/** PHP settings of the web pods (canonical PHP sizes, whole seconds with 0 for no limit). */
export interface PhpConfig {
    readonly memoryLimit: string;
    readonly maxExecutionTime: string;
    readonly maxInputTime: string;
}

/** The web tier, the superuser and the first website, every default resolved. */
export interface MatomoTierConfig {
    readonly hostname: string;
    readonly image: Image;
    /** Plugins active besides the image's defaults. */
    readonly plugins: readonly string[];
    readonly replicaCount: number;
    /** Superuser login, e-mail (`admin@<hostname>` unless configured) and password (generated when unset). */
    readonly username: string;
    readonly email: string;
    readonly password?: SecretValue;
    /** Matomo's salt; generated when unset. */
    readonly salt?: SecretValue;
    /** Prefix of Matomo's tables. */
    readonly tablesPrefix: string;
    /** The log importer's token, instead of the program's own import user (`matomo.token`). */
    readonly token?: SecretValue;
    /** First website's name and URL, from the hostname unless configured. */
    readonly siteName: string;
    readonly siteUrl: string;
    /** The `misc/` volume; `storageClassName` undefined for the cluster default. */
    readonly storage: string;
    readonly storageClassName?: string;
    readonly storageAccessMode: "ReadWriteOnce" | "ReadWriteMany";
    /** A claim that exists already, as `misc/` instead of one of the stack's own. */
    readonly existingClaim?: ExistingClaim;
    readonly php: PhpConfig;
    readonly resources: ContainerResources;
}

export function resolveMatomo(value: ValueOf<typeof matomoKey>): MatomoTierConfig {
    const { environment: env, hostname } = value;
    return {
        hostname,
        image: value.image,
        plugins: [...new Set(value.plugins)],
        replicaCount: value.replicaCount,
        username: value.username,
        email: value.email ?? `admin@${hostname}`,
        password: value.password,
        salt: value.salt,
        token: value.token,
        tablesPrefix: value.tablesPrefix,
        siteName: value.siteName ?? hostname,
        siteUrl: value.siteUrl ?? `https://${hostname}`,
        storage: value.storage,
        storageClassName: value.storageClassName || undefined,
        storageAccessMode: value.storageAccessMode,
        existingClaim: existingClaimOf(value),
        php: { memoryLimit: env.PHP_MEMORY_LIMIT, maxExecutionTime: env.PHP_MAX_EXECUTION_TIME, maxInputTime: env.PHP_MAX_INPUT_TIME },
        resources: value.resources,
    };
}

/** The web tier's PHP limit inside its container limit, and requests within limits. */
export function matomoResourceIssues(matomo: MatomoTierConfig): Issue[] {
    return phpWorkloadIssues("matomo:matomo", matomo.php.memoryLimit, matomo.resources);
}

/** A ReadWriteOnce volume attaches to one node, so several web pods would hang in ContainerCreating. */
export function matomoStorageIssues(matomo: MatomoTierConfig): Issue[] {
    if (matomo.replicaCount > 1 && matomo.storageAccessMode === "ReadWriteOnce") {
        const fix = matomo.existingClaim
            ? `if the claim ${matomo.existingClaim.name} (matomo.existingClaim) is ReadWriteMany, say so in storageAccessMode; otherwise use 1 replica`
            : 'set storageAccessMode to "ReadWriteMany" (with a storageClassName that supports it) or use 1 replica';
        return [
            {
                key: "matomo:matomo.replicaCount",
                message:
                    `got ${matomo.replicaCount}, but matomo:matomo.storageAccessMode is "ReadWriteOnce": pods on different nodes ` +
                    `cannot mount the misc/ volume; ${fix}`,
            },
        ];
    }
    return [];
}

/**
 * The superuser's e-mail defaults to `admin@<hostname>`, which Matomo's installer must accept as an
 * address: a hostname that is no mail domain (an IP address, a numeric top-level domain) needs it set.
 */
export function superuserEmailIssues(value: ValueOf<typeof matomoKey>): Issue[] {
    const reason =
        value.email === undefined ? (checkMailDomain(value.hostname) ?? checkNewUserEmail(`admin@${value.hostname}`)) : undefined;
    if (reason === undefined) return [];
    return [
        {
            key: "matomo:matomo.email",
            message: `is unset, and its default admin@${value.hostname} (from matomo.hostname) is not an address Matomo accepts (${reason}); set it`,
        },
    ];
}
