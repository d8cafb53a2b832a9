/**
 * Retries per kind of job. Archiving and the scheduled tasks are not retried: they run again at
 * the next schedule and resume where they stopped, while a retry would overlap the next run. The
 * deletion and the LDAP sync are cheap to repeat and run once a day, so one retry saves a day.
 * A GeoIP download fails mostly on network hiccups, and runs once a month. The log fetch retries
 * once (a network hiccup; rsync resumes where it stopped); the import is not retried in place: it
 * keeps its own per-file attempts and runs again at the next schedule.
 */
export const BACKOFF_LIMITS = { archive: 0, scheduledTasks: 0, deleteData: 1, ldapSync: 1, geoip: 2, logSync: 1, logImport: 0 } as const;
