<?php
// Required by the scripts that read Matomo's database with plain PDO (database.php,
// grant-import-user.php, the log import's import-records.php): the connection the environment
// describes (MATOMO_DB_HOST and the rest), waited for while the database cannot be reached yet,
// and refused at once when waiting cannot help, with what to check.
//
// Worth waiting for (MySQL and MariaDB client and server error codes): nothing listening yet, or
// the name not resolving yet (2002 with PHP's mysqlnd, 2003, 2005); the connection closed before
// the server's greeting (2006, 2013): a server still starting, or the Cloud SQL Auth Proxy, which
// accepts the connection and closes it when it cannot reach the instance (an IAM grant not in
// effect yet, or missing: the proxy's log names it); a server full or stopping (1040, 1053, 1203,
// 1226). Anything else, such as a wrong password or an unknown user (1045), no access to the
// database or no such database (1044 for a user without rights on that name, 1049 for one with
// them), fails at once: waiting does not change it. So does a failed TLS handshake, which PDO
// reports as a 2002 of its own ("Cannot connect to MySQL using SSL": a CA that did not sign the
// server's certificate, a host name not in it, a CA file that cannot be read), and a clear-text
// login to a server that requires TLS (MySQL 8's 3159; MariaDB answers it with 1045).

const DATABASE_RETRIED_ERRORS = [2002, 2003, 2005, 2006, 2013, 1040, 1053, 1203, 1226];

/** The MySQL error code of a failed connection (PDO puts it in the message: "SQLSTATE[HY000] [1045] ..."). */
function databaseErrorCode(PDOException $e): int
{
    return preg_match('/^SQLSTATE\[\w+\] \[(\d+)\]/', $e->getMessage(), $m) ? (int) $m[1] : (int) $e->getCode();
}

/**
 * TLS towards the database, as the environment describes it: the CA file (MATOMO_DB_SSL_CA), and
 * whether to check the server's certificate and name (MATOMO_DB_SSL_VERIFY=1), as config.ini.php's
 * [database] ssl_* keys tell Matomo. No CA file: no TLS.
 */
function databaseTlsOptions(): array
{
    $ca = (string) getenv('MATOMO_DB_SSL_CA');
    if ($ca === '') {
        return [];
    }
    return [
        PDO::MYSQL_ATTR_SSL_CA => $ca,
        PDO::MYSQL_ATTR_SSL_VERIFY_SERVER_CERT => getenv('MATOMO_DB_SSL_VERIFY') === '1',
    ];
}

/**
 * Connects to Matomo's database, or exits with status 1 and a line that starts with "$who: ".
 * MATOMO_DB_WAIT_SECONDS: how long to keep trying while the database cannot be reached (0: one
 * attempt); 600 when unset.
 */
function connectDatabase(string $who, array $options = []): PDO
{
    $host = getenv('MATOMO_DB_HOST');
    $port = getenv('MATOMO_DB_PORT');
    $name = getenv('MATOMO_DB_NAME');
    $user = getenv('MATOMO_DB_USER');
    $passwordFile = (string) getenv('MATOMO_DB_PASSWORD_FILE');
    $password = is_readable($passwordFile) ? file_get_contents($passwordFile) : false;
    if ($password === false) {
        fwrite(STDERR, "$who: FAILED: cannot read the database password: MATOMO_DB_PASSWORD_FILE ($passwordFile) is not a readable file\n");
        exit(1);
    }
    $wait = getenv('MATOMO_DB_WAIT_SECONDS');
    $started = time();
    $deadline = $started + ($wait === false || $wait === '' ? 600 : (int) $wait);
    $where = "$host:$port";
    $shown = null;
    $shownAt = 0;
    while (true) {
        try {
            return new PDO("mysql:host=$host;port=$port;dbname=$name;charset=utf8mb4", $user, $password, $options + databaseTlsOptions() + [
                PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
                PDO::ATTR_TIMEOUT => 5,
            ]);
        } catch (PDOException $e) {
            $code = databaseErrorCode($e);
            $error = preg_replace('/^SQLSTATE\[\w+\] /', '', $e->getMessage());
            $never = 'not retried: waiting does not change it';
            $ca = (string) getenv('MATOMO_DB_SSL_CA');
            $tlsOff = $ca === '' ? ', or the server requires TLS (matomo:external.tls.enabled)' : '';
            $fail = match (true) {
                $code === 2002 && str_contains($error, 'using SSL') => "the TLS handshake with the database at $where failed ($error): "
                    . (is_readable($ca) ? '' : "the CA file MATOMO_DB_SSL_CA ($ca) cannot be read; ")
                    . 'check that the CA (matomo:external.tls.caCertificate, caExistingSecret or caExistingConfigMap; else the system '
                    . "bundle) signed the server's certificate and that the certificate names the host $host, or turn "
                    . "matomo:external.tls.verifyServerCertificate off; $never",
                $code === 3159 => "the database at $where requires TLS ($error): turn on matomo:external.tls.enabled; $never",
                default => null,
            } ?? match ($code) {
                1045 => "the database at $where refused the password of user $user ($error): the password in "
                    . "MATOMO_DB_PASSWORD_FILE ($passwordFile) is not the one the database has for $user, or it has no user $user"
                    . "$tlsOff (docs/runbooks.md: 'The database refuses the password'); $never",
                1044 => "user $user may not use database $name at $where ($error): the database does not exist there, "
                    . "or $user has no access to it; $never",
                1049 => "database $name does not exist at $where ($error): create it, or correct the database name; $never",
                default => in_array($code, DATABASE_RETRIED_ERRORS, true) ? null : "cannot connect to $name at $where as $user ($error); $never",
            };
            if ($fail === null && time() >= $deadline) {
                $fail = "cannot connect to $name at $where as $user ($error); gave up after " . (time() - $started) . ' s';
            }
            if ($fail !== null) {
                fwrite(STDERR, "$who: FAILED: $fail\n");
                exit(1);
            }
            // The reason when it changes, and once a minute while it stays the same.
            if ($error !== $shown || time() - $shownAt >= 60) {
                $hint = in_array($code, [2006, 2013], true)
                    ? ' (the connection was closed before the server answered: a database still starting, or a proxy in front of it that cannot reach it, e.g. the Cloud SQL Auth Proxy, whose log says why)'
                    : '';
                fwrite(STDERR, "$who: waiting for the database at $where: $error$hint; retrying for up to " . ($deadline - time()) . " s\n");
                $shown = $error;
                $shownAt = time();
            }
            // Every 5 seconds, but never past the deadline.
            sleep(max(1, min(5, $deadline - time())));
        }
    }
}
