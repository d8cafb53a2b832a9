/** The maintenance switches, applied by `pulumi up` with a rollout of the web pods. */
import { boolean } from "../schema/fields";
import { object } from "../schema/structures";

export const maintenanceKey = object(
    {
        disableUi: boolean({
            doc: "Maintenance mode for the UI and the API (`[General] maintenance_mode = 1`): they answer 503 with a maintenance page, without touching the database. The same `pulumi up` suspends every CronJob that writes the database (archivers, scheduled tasks, raw-data deletion, LDAP sync, log import, MariaDB backups); a run started by hand from one of them says why and does nothing, except a backup, which runs. The log fetch and GeoIP keep running. See docs/scheduled-work.md.",
            default: false,
        }),
        disableTracking: boolean({
            doc: "Stop recording visits (`[Tracker] record_statistics = 0`): the tracker answers 503 and hits are lost. Use it only when the database must be completely quiet (restores, with `disableUi`). The log import is suspended too; the other CronJobs keep running unless `disableUi` is on.",
            default: false,
        }),
    },
    {
        doc: "Maintenance switches, applied by `pulumi up` with a rollout of the web pods (replacing the seed's sed-and-restart procedure).",
    },
);

export interface MaintenanceConfig {
    /** UI and API answer 503 with a maintenance page. */
    readonly disableUi: boolean;
    /** The tracker answers 503 and drops hits. */
    readonly disableTracking: boolean;
}
