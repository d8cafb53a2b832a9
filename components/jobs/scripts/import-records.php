<?php
// php import-records.php: keeps the log import's records (how many lines of each log reached
// Matomo) in Matomo's own database, so that they travel with the visits they describe: a backup
// holds both as they were at one moment, and a restore (of our dumps, Cloud SQL's backups or a
// point-in-time recovery) rolls both back together; the next import then sends again exactly the
// lines the restored database lacks. It runs beside import-logs.sh (a sidecar of the import pod,
// in the Matomo image, which has PHP and PDO; the importer's Python image has no database client)
// and answers it over a Unix socket, one request per connection, one line each way:
//   ping                                  -> ready <number of records>
//   get <site> <key>                      -> <record> | none      (<lines> <failed runs> <file name>)
//   lock <seconds> <site> <key>           -> locked <record> | locked none | busy
//   put <site> <key> <lines> <failed runs> <file name>   -> ok   (and the lock is released)
//   unlock                                -> ok
//   (any failure)                         -> error <message>
// The lock is the MariaDB/MySQL named lock log-import:<database> (GET_LOCK, held by this session,
// waiting up to <seconds>; busy when a backup or restore held it that long): import-logs.sh holds
// it from reading a file's record until it has written the new one, and backup-database.sh and
// restore-database.sh take it too, so a dump never holds a file's visits without its record, and
// a restore never runs under a file being imported.
//
// The table, <prefix>logimport_record (one row per site and log key; no Matomo table is touched):
// created when missing, filled from the records import-logs.sh kept on the log volume before
// ($LOG_STATE_DIR/sites/<site>/<key>: "<lines> <failed runs> <name>"; left there, no longer
// written). Missing means a first run after the upgrade, or a restore of a database dumped before
// it; built under a temporary name and renamed, so a killed run never leaves it half filled.
//
// Environment: MATOMO_DB_HOST, MATOMO_DB_PORT, MATOMO_DB_NAME, MATOMO_DB_USER,
// MATOMO_DB_PASSWORD_FILE, MATOMO_DB_WAIT_SECONDS (how long to wait for the database: 600 s when
// unset), MATOMO_TABLES_PREFIX; LOG_STATE_DIR, LOG_RECORDS_SOCKET (the socket to listen on).
// Exit: 1 no database, 2 configuration; otherwise it serves until it is stopped (the pod stops it
// once import-logs.sh has ended).

function say(string $message): void
{
    echo "import-records: $message\n";
}

function fail(int $code, string $message): never
{
    fwrite(STDERR, "import-records: FAILED: $message\n");
    exit($code);
}

$prefix = (string) getenv('MATOMO_TABLES_PREFIX');
preg_match('/^[A-Za-z0-9_]{0,30}$/D', $prefix) || fail(2, 'MATOMO_TABLES_PREFIX is not a table prefix (letters, digits, _)');
$table = "{$prefix}logimport_record";
$socket = (string) getenv('LOG_RECORDS_SOCKET');
$socket !== '' || fail(2, 'LOG_RECORDS_SOCKET is not set');
$stateDir = (string) getenv('LOG_STATE_DIR');
// Shipped beside this script: waits while the database cannot be reached yet, fails at once on a
// wrong password or database.
require __DIR__ . '/database-connection.php';

/** Creates the table when it is missing, from the records on the log volume; returns its row count. */
function ensureTable(PDO $db, string $table, string $stateDir): int
{
    $exists = $db->prepare('SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?');
    $exists->execute([$table]);
    if ((int) $exists->fetchColumn() === 0) {
        $new = "{$table}_new";
        $db->exec("DROP TABLE IF EXISTS `$new`");
        $db->exec("CREATE TABLE `$new` (
            idsite INTEGER UNSIGNED NOT NULL,
            log_key CHAR(64) NOT NULL COMMENT 'SHA-256 of the first complete line that is not a # header',
            lines_imported BIGINT UNSIGNED NOT NULL COMMENT 'lines 1..N are in Matomo',
            failed_runs INTEGER UNSIGNED NOT NULL,
            file_name VARBINARY(255) NOT NULL COMMENT 'its last name on the log volume',
            ts_updated DATETIME NOT NULL,
            PRIMARY KEY (idsite, log_key)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Web-server log import: what reached Matomo (kept by the import job)'");
        $insert = $db->prepare("INSERT INTO `$new` VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP())");
        $found = 0;
        foreach (glob("$stateDir/sites/*/*", GLOB_NOSORT) ?: [] as $file) {
            $site = basename(dirname($file));
            $fields = explode(' ', rtrim((string) file_get_contents($file), "\n"), 3);
            if (ctype_digit($site) && preg_match('/^[0-9a-f]{64}$/D', basename($file)) && ctype_digit($fields[0])
                && ctype_digit($fields[1] ?? '')) {
                $insert->execute([(int) $site, basename($file), $fields[0], $fields[1], substr($fields[2] ?? '', 0, 255)]);
                $found++;
            }
        }
        $db->exec("RENAME TABLE `$new` TO `$table`");
        say("created $table with the $found record(s) found in $stateDir/sites (left there, no longer written)");
    }
    return (int) $db->query("SELECT COUNT(*) FROM `$table`")->fetchColumn();
}

/** The records in the database, and this session's hold on the lock. */
final class Records
{
    private PDO $db;
    private string $lockName;
    private ?string $locked = null;

    public function __construct(private string $table, private string $stateDir)
    {
        $this->db = connectDatabase('import-records');
        $this->lockName = (string) $this->db->query("SELECT LEFT(CONCAT('log-import:', DATABASE()), 64)")->fetchColumn();
    }

    public function count(): int
    {
        return ensureTable($this->db, $this->table, $this->stateDir);
    }

    /** The answer to one request line; a lost connection is tried again once on a new one. */
    public function answer(string $request): string
    {
        try {
            return $this->handle($request);
        } catch (PDOException $e) {
            if (!in_array($e->errorInfo[1] ?? null, [2006, 2013], true)) { // server gone away, connection lost
                throw $e;
            }
            say('the database connection was lost (' . $e->getMessage() . '): connecting again');
            $this->db = connectDatabase('import-records');
            if ($this->locked !== null && $request !== 'unlock') {
                $this->handle($this->locked);
            }
            return $this->handle($request);
        }
    }

    /** A record as "<lines> <failed runs> <file name>", or "none". */
    private function record(string $site, string $key): string
    {
        $get = $this->db->prepare("SELECT lines_imported, failed_runs, file_name FROM `$this->table` WHERE idsite = ? AND log_key = ?");
        $get->execute([$site, $key]);
        $row = $get->fetch(PDO::FETCH_NUM);
        return $row ? implode(' ', $row) : 'none';
    }

    private function handle(string $request): string
    {
        $words = explode(' ', $request, 6);
        $number = fn (int $i) => ctype_digit($words[$i] ?? '') ? $words[$i] : throw new InvalidArgumentException("not a number: $request");
        $key = fn (int $i) => preg_match('/^[0-9a-f]{64}$/D', $words[$i] ?? '') ? $words[$i] : throw new InvalidArgumentException("not a key: $request");
        switch ($words[0]) {
            case 'ping':
                return 'ready ' . $this->count();
            case 'get':
                return $this->record($number(1), $key(2));
            case 'lock':
                $lock = $this->db->prepare('SELECT GET_LOCK(?, ?)');
                $lock->execute([$this->lockName, (int) $number(1)]);
                if ((int) $lock->fetchColumn() !== 1) {
                    return 'busy';
                }
                $this->locked = "lock 0 {$number(2)} {$key(3)}";
                $this->count(); // A restore may have brought back a database without the table.
                return 'locked ' . $this->record($number(2), $key(3));
            case 'put':
                // REPLACE: the same on MariaDB and MySQL 8 (whose ON DUPLICATE KEY UPDATE ... VALUES() is deprecated).
                $this->db->prepare("REPLACE INTO `$this->table` VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP())")
                    ->execute([$number(1), $key(2), $number(3), $number(4), substr($words[5] ?? '', 0, 255)]);
                return $this->handle('unlock');
            case 'unlock':
                $this->db->prepare('SELECT RELEASE_LOCK(?)')->execute([$this->lockName]);
                $this->locked = null;
                return 'ok';
        }
        throw new InvalidArgumentException("unknown request: $request");
    }
}

$records = new Records($table, $stateDir);
say($records->count() . " record(s) in $table");

@unlink($socket);
$server = @stream_socket_server("unix://$socket", $errno, $error) ?: fail(2, "cannot listen on $socket: $error");
say("answering on $socket");
while (true) {
    $connection = @stream_socket_accept($server, 3600);
    if ($connection === false) {
        continue;
    }
    stream_set_timeout($connection, 30);
    $request = rtrim((string) fgets($connection), "\n");
    try {
        $reply = $records->answer($request);
    } catch (Throwable $e) {
        say("$request: " . $e->getMessage());
        $reply = 'error ' . str_replace("\n", ' ', $e->getMessage());
    }
    fwrite($connection, "$reply\n");
    fclose($connection);
}
