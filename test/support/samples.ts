import type { MatomoIniSettings } from "../../components/matomo/configIni";

/** Settings for config.ini.php tests; the password has every character a user may use. */
export const SAMPLE_INI: MatomoIniSettings = {
    database: {
        host: "mariadb.matomo.svc",
        port: 3306,
        username: "matomo",
        password: "s3cret-Pa$$;w'rd=#x y",
        dbname: "matomo_db",
        tablesPrefix: "matomo_",
        charset: "utf8mb4",
        collation: "utf8mb4_general_ci",
        schema: "Mariadb",
    },
    salt: "0123456789abcdefghijABCDEFGHIJ0123456789",
    trustedHosts: ["analytics.example.com", "matomo.matomo.svc"],
    assumeSecureProtocol: true,
    loadDataInfile: true,
    maintenanceMode: false,
    recordStatistics: true,
    internetFeatures: true,
};
