/**
 * Matomo settings that live in its database (the `option` table) rather than in config.ini.php,
 * and that this program owns. The install Job writes them on every run (`database.php
 * set-options`), so they hold on a new installation and on an existing one alike; a change made
 * in Matomo's UI lasts until the Job's next run (whenever one of them changes in the stack).
 */

/** Matomo's privacy settings (PrivacyManager's `Config` properties). */
export interface PrivacySettings {
    readonly anonymizeIp: boolean;
    readonly ipAddressMaskLength: number;
    readonly useAnonymizedIpForVisitEnrichment: boolean;
    readonly doNotTrack: boolean;
    readonly forceCookielessTracking: boolean;
    readonly anonymizeUserId: boolean;
    readonly anonymizeOrderId: boolean;
    readonly anonymizeReferrer: string;
}

/** What decides the managed options. */
export interface ManagedOptionsInput {
    /** The geoipupdate workload fills misc/ with MaxMind databases. */
    readonly geoip: boolean;
    /** Public base URL of Matomo, with a trailing slash. */
    readonly baseUrl: string;
    readonly privacy: PrivacySettings;
}

/** A PrivacyManager option as Matomo stores it: booleans as "1"/"0", numbers as text. */
function privacyOptions(privacy: PrivacySettings): Record<string, string> {
    const flag = (on: boolean) => (on ? "1" : "0");
    return {
        "PrivacyManager.ipAnonymizerEnabled": flag(privacy.anonymizeIp),
        "PrivacyManager.ipAddressMaskLength": String(privacy.ipAddressMaskLength),
        "PrivacyManager.useAnonymizedIpForVisitEnrichment": flag(privacy.useAnonymizedIpForVisitEnrichment),
        "PrivacyManager.doNotTrackEnabled": flag(privacy.doNotTrack),
        "PrivacyManager.forceCookielessTracking": flag(privacy.forceCookielessTracking),
        "PrivacyManager.anonymizeUserId": flag(privacy.anonymizeUserId),
        "PrivacyManager.anonymizeOrderId": flag(privacy.anonymizeOrderId),
        "PrivacyManager.anonymizeReferrer": privacy.anonymizeReferrer,
    };
}

/**
 * The options to set, by name:
 *
 * - `enableBrowserTriggerArchiving = 0`: the archiving CronJobs build the reports. The value saved
 *   on Matomo's settings page overrides config.ini.php, so the option is pinned as well.
 * - `piwikUrl`: Matomo's own base URL, which it otherwise learns from the first UI request; links
 *   in e-mail reports sent by a console job need it.
 * - the privacy settings (IP anonymisation, Do Not Track, ...), as `PrivacyManager.*`.
 * - with GeoIP: `usercountry.location_provider = geoip2php`, so visits are geolocated with the
 *   downloaded database without anyone choosing the provider in the UI; and the URLs of Matomo's
 *   own GeoIP auto-updater emptied, which stops it: it would download DB-IP into the misc/ of the
 *   pod that runs the scheduled tasks, a scratch directory no web pod reads.
 */
export function managedOptions(input: ManagedOptionsInput): Record<string, string> {
    return {
        enableBrowserTriggerArchiving: "0",
        piwikUrl: input.baseUrl,
        ...privacyOptions(input.privacy),
        ...(input.geoip
            ? {
                  "usercountry.location_provider": "geoip2php",
                  "geoip2.loc_db_url": "",
                  "geoip2.isp_db_url": "",
              }
            : {}),
    };
}
