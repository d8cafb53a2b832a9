/** The seed chart's web-server log import keys, recognised but not built yet. */
import { notYet } from "../schema/parts";

export const logImportKeys = {
    rsyncAnalytics: notYet("Log fetching (rsync)", "Fetching web server logs for import."),
    matomoAnalytics: notYet("Log import", "Importing web server logs."),
    logsHostLabels: notYet("Log import", "Node labels for the log import jobs."),
};
