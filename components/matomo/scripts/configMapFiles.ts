/**
 * The files of the scripts ConfigMap that Matomo's Jobs mount: the install, upgrade and deletion
 * scripts filled in for the pod's paths, and the PHP files they run or require beside them.
 */
import { databaseConnectionScript, databaseScript } from "./database";
import {
    deleteDataScript,
    installerDatabaseTlsScript,
    installerMessagesScript,
    installPluginsScript,
    installScript,
    upgradeScript,
} from "./index";

/** File name -> text, as mounted at `SCRIPTS_MOUNT`. */
export function scriptsConfigMapFiles(): Record<string, string> {
    return {
        "install.sh": installScript(),
        "upgrade.sh": upgradeScript(),
        "install-plugins.php": installPluginsScript(),
        "delete-data.sh": deleteDataScript(),
        "database.php": databaseScript(),
        "database-connection.php": databaseConnectionScript(),
        "installer-messages.php": installerMessagesScript(),
        "installer-database-tls.php": installerDatabaseTlsScript(),
    };
}
