/**
 * Retries per kind of job. Archiving and the scheduled tasks are not retried: they run again at
 * the next schedule and resume where they stopped, while a retry would overlap the next run. The
 * deletion and the LDAP sync are cheap to repeat and run once a day, so one retry saves a day.
 * A GeoIP download fails mostly on network hiccups, and runs once a month.
 */
export const BACKOFF_LIMITS = { archive: 0, scheduledTasks: 0, deleteData: 1, ldapSync: 1, geoip: 2 } as const;
