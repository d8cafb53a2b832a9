/** `matomo:geoipupdate`: MaxMind's GeoIP databases for Matomo's geolocation, on when credentials are set. */
import type { ContainerResources } from "../../k8s/resources";
import { rejected, report as reportField, scalar, string, type ValueOf } from "../schema/fields";
import { secret } from "../schema/secretField";
import { object } from "../schema/structures";
import { checkRequestsWithinLimits } from "../schema/limits";
import { cronSchedule, image, resources, type Image } from "../schema/parts";
import type { SecretValue } from "../schema/secretValue";
import { describeValue } from "../schema/text";
import { checkOptionalDnsSubdomain } from "../schema/validators";
import { fullKey, rawValue, report, type ResolveContext } from "./context";

export const geoipKey = object(
    {
        image: image("MaxMind's geoipupdate", "maxmindinc/geoipupdate", "v7.1.1"),
        accountId: secret({
            doc: "MaxMind account ID (set with `--secret`).",
            defaultDoc: "unset",
            alternative: "or remove matomo:geoipupdate to go without GeoIP",
            check: (v) => (/^\d{1,12}$/.test(v) ? undefined : "a MaxMind account ID is a number"),
        }),
        licenseKey: secret({
            doc: "MaxMind license key (set with `--secret`).",
            defaultDoc: "unset",
            alternative: "or remove matomo:geoipupdate to go without GeoIP",
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
                    doc: "Databases to download, space-separated (e.g. `GeoLite2-City`, `GeoIP2-City`); at least one with locations, which Matomo geolocates with.",
                    default: "GeoLite2-City",
                    check: checkEditions,
                }),
                GEOIPUPDATE_VERBOSE: scalar<"0" | "1", { default: "1" }>(
                    "`0` or `1`",
                    { doc: 'Verbose output (passed as `1` or `0`; the seed\'s quoted `"1"` failed every run).', default: "1" },
                    (raw, ctx) =>
                        raw === 1 || raw === "1" || raw === true || raw === "true"
                            ? "1"
                            : raw === 0 || raw === "0" || raw === false || raw === "false"
                              ? "0"
                              : reportField(ctx, `got ${describeValue(raw)}; expected 1 or 0`),
                ),
            },
            { doc: "Environment of geoipupdate." },
        ),
        storage: rejected({
            doc: "Size of a separate GeoIP volume.",
            reason: "the databases go into Matomo's misc/ volume (matomo.storage), which Matomo reads",
        }),
        storageClassName: rejected({
            doc: "StorageClass of a separate GeoIP volume.",
            reason: "the databases go into Matomo's misc/ volume (matomo.storageClassName)",
        }),
        resources: resources("GeoIP update", { requestMemory: "64Mi", requestCpu: "50m", limitMemory: "256Mi" }),
    },
    { doc: "MaxMind GeoIP databases for Matomo's geolocation; enabled when credentials are set." },
);

/**
 * The editions whose files Matomo's GeoIp2 provider geolocates with (its `$dbNames['loc']`); the
 * others (ASN, ISP, Connection-Type, ...) hold no location, so Matomo would find nothing.
 */
const LOCATION_EDITIONS = [
    "GeoIP2-City",
    "GeoIP2-City-Africa",
    "GeoIP2-City-Asia-Pacific",
    "GeoIP2-City-Europe",
    "GeoIP2-City-North-America",
    "GeoIP2-City-South-America",
    "GeoIP2-Enterprise",
    "GeoIP2-Country",
    "GeoLite2-City",
    "GeoLite2-Country",
];

function checkEditions(value: string): string | undefined {
    if (!/^[A-Za-z0-9-]+( [A-Za-z0-9-]+)*$/.test(value)) return "expected space-separated edition IDs such as GeoLite2-City";
    if (!value.split(" ").some((edition) => LOCATION_EDITIONS.includes(edition))) {
        return `none of these editions holds locations, so Matomo would geolocate nothing; add one of ${LOCATION_EDITIONS.join(", ")}`;
    }
    return undefined;
}

/** MaxMind credentials: set in the stack (secret), or a Secret managed elsewhere. */
export type GeoIpCredentials = { readonly accountId: SecretValue; readonly licenseKey: SecretValue } | { readonly existingSecret: string };

/** The GeoIP updater. */
export interface GeoIpConfig {
    readonly image: Image;
    readonly credentials: GeoIpCredentials;
    /** `GEOIPUPDATE_EDITION_IDS`: space-separated database editions. */
    readonly editionIds: string;
    /** `GEOIPUPDATE_VERBOSE`. */
    readonly verbose: "0" | "1";
    readonly schedule: string;
    readonly resources: ContainerResources;
}

/** The updater when MaxMind credentials are set; settings without them are reported. */
export function resolveGeoIp(value: ValueOf<typeof geoipKey>, ctx: ResolveContext): GeoIpConfig | undefined {
    const { accountId, licenseKey, existingSecret } = value;
    let credentials: GeoIpCredentials | undefined;
    if (existingSecret !== undefined) {
        if (accountId !== undefined || licenseKey !== undefined)
            report(ctx, "geoipupdate.existingSecret", "is set together with accountId/licenseKey; use one or the other");
        credentials = { existingSecret };
    } else if (accountId !== undefined && licenseKey !== undefined) {
        credentials = { accountId, licenseKey };
    } else if (accountId !== undefined || licenseKey !== undefined || rawValue(ctx, "geoipupdate") !== undefined) {
        report(
            ctx,
            "geoipupdate",
            "needs MaxMind credentials to run: `pulumi config set --secret --path geoipupdate.accountId <account id>` and " +
                "`pulumi config set --secret --path geoipupdate.licenseKey <license key>` (or geoipupdate.existingSecret)",
        );
    }
    if (!credentials) return undefined;
    ctx.issues.push(...checkRequestsWithinLimits(fullKey("geoipupdate"), value.resources));
    return {
        image: value.image,
        credentials,
        editionIds: value.environment.GEOIPUPDATE_EDITION_IDS,
        verbose: value.environment.GEOIPUPDATE_VERBOSE,
        schedule: value.cronSchedule,
        resources: value.resources,
    };
}
