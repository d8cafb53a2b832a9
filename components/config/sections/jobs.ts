/** `matomo:jobs`: the policies of every CronJob (a key of the seed chart's values.yaml). */
import { integer } from "../schema/fields";
import { object } from "../schema/structures";

export const jobsKey = object(
    {
        ttlSecondsAfterFinished: integer({ doc: "How long finished CronJob runs are kept, in seconds.", default: 86400, min: 0 }),
        successfulJobsHistoryLimit: integer({ doc: "Successful runs kept per CronJob.", default: 1, min: 0, max: 20 }),
        failedJobsHistoryLimit: integer({ doc: "Failed runs kept per CronJob (for their logs).", default: 3, min: 0, max: 20 }),
        startingDeadlineSeconds: integer({
            doc: "A run that cannot start within this many seconds of its time is skipped.",
            default: 600,
            min: 10,
        }),
    },
    { doc: "Policies of every CronJob." },
);
