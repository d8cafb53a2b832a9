<?php
// The install Job's config/config.php (a definition file Matomo's DI container loads when it
// exists), copied into the installer's webroot only when the database has TLS on.
//
// Matomo's web installer ignores config.ini.php: its database step connects with
// 'enable_ssl' => false hard-coded (plugins/Installation/FormDatabaseSetup.php, matomo-org/matomo
// #22315), so a server that requires TLS refuses it and any other server is talked to in clear
// text. Every connection Matomo opens, the installer's included, goes through
// Db::getDatabaseConfig(), which posts the event Db.getDatabaseConfig with the connection's
// settings by reference: this observer adds the [database] TLS keys the web pods' config.ini.php
// carries, from the environment the install Job's scripts read (MATOMO_DB_SSL_CA, the CA file;
// MATOMO_DB_SSL_VERIFY=1, check the server's certificate and name).

$addDatabaseTls = static function (array &$database): void {
    $ca = (string) getenv('MATOMO_DB_SSL_CA');
    if ($ca === '') {
        return;
    }
    $database['enable_ssl'] = 1;
    $database['ssl_ca'] = $ca;
    $database['ssl_no_verify'] = getenv('MATOMO_DB_SSL_VERIFY') === '1' ? 0 : 1;
};

// Matomo 5 wraps PHP-DI's definition helpers in Piwik\DI; Matomo 4 has PHP-DI's own functions.
if (class_exists('Piwik\DI')) {
    return ['observers.global' => \Piwik\DI::add([['Db.getDatabaseConfig', \Piwik\DI::value($addDatabaseTls)]])];
}
return ['observers.global' => \DI\add([['Db.getDatabaseConfig', \DI\value($addDatabaseTls)]])];
