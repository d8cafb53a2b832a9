/**
 * Matomo settings that live in its database (the `option` table) rather than in config.ini.php,
 * and that this program owns. The install Job writes them on every run (`database.php
 * set-options`), so they hold on a new installation and on an existing one alike.
 */

/** What decides the managed options. */
export interface ManagedOptionsInput {
    /** The geoipupdate workload fills misc/ with MaxMind databases. */
    readonly geoip: boolean;
}

/**
 * The options to set, by name:
 *
 * - `enableBrowserTriggerArchiving = 0`: the archiving CronJobs build the reports. The value saved
 *   on Matomo's settings page overrides config.ini.php, so the option is pinned as well.
 * - with GeoIP: `usercountry.location_provider = geoip2php`, so visits are geolocated with the
 *   downloaded database without anyone choosing the provider in the UI; and the URLs of Matomo's
 *   own GeoIP auto-updater emptied, which stops it: it would download DB-IP into the misc/ of the
 *   pod that runs the scheduled tasks, a scratch directory no web pod reads.
 */
export function managedOptions(input: ManagedOptionsInput): Record<string, string> {
    return {
        enableBrowserTriggerArchiving: "0",
        ...(input.geoip
            ? {
                  "usercountry.location_provider": "geoip2php",
                  "geoip2.loc_db_url": "",
                  "geoip2.isp_db_url": "",
              }
            : {}),
    };
}
