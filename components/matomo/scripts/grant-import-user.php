<?php
// php grant-import-user.php: makes Matomo's database hold the log importer's user, its API token
// and its site grants exactly as configured, in one transaction, the way Matomo itself writes them
// (no Matomo bootstrap: plain PDO, as database.php). Run before every import, so the rows follow
// the configuration and the mounted token; a second run with the same inputs changes nothing.
// Exit codes: 0 done (or nothing to change), 1 database unreachable or failing, 2 invalid
// configuration, 3 refused (unknown sites, a superuser, another user's login, e-mail or token).
//
// What Matomo 5 does, and this script copies (matomo-org/matomo):
// - core/Db/Schema/Mysql.php getTablesCreateSql: `user` (login PK, password VARCHAR(255), email
//   UNIQUE, twofactor_secret DEFAULT '', superuser_access DEFAULT 0, date_registered and
//   ts_password_modified TIMESTAMP NULL, the rest NULL), `user_token_auth` (login, description
//   VARCHAR(100), password = the token's hash UNIQUE, hash_algo, system_token, last_used,
//   date_created, date_expired, secure_only), `access` (idaccess, login, idsite, access), `site`.
// - plugins/UsersManager/Model.php addUser: login, password, email, date_registered (the API passes
//   Date::now()->getDatetime(), UTC), superuser_access 0, ts_password_modified now,
//   idchange_last_viewed and invited_by NULL. updateUserFields: a new password also sets
//   ts_password_modified.
// - Passwords: Repository/UserRepository::create and API::addUser store
//   Password::hash(UsersManager::getPasswordHash($password)), i.e. password_hash(md5($password),
//   PASSWORD_DEFAULT) with [General] password_hash_algorithm = default (core/Auth/Password.php);
//   plugins/Login/Auth.php authenticateWithPassword checks password_verify(md5($password), $hash).
// - Tokens: Model::hashTokenAuth is hash('sha512', $token . SettingsPiwik::getSalt()), the salt
//   being [General] salt; Model::addTokenAuth inserts (login, description, password = that hash,
//   date_created, date_expired NULL = never, system_token 0, hash_algo 'sha512', secure_only).
//   Model::getTokenByTokenAuthIfNotExpired skips secure_only tokens unless the token came securely
//   (core/Request/AuthenticationToken.php: a POST field, a Bearer header or a tracker JSON body).
//   import_logs.py (matomo-log-analytics) sends it only so: API calls as a form-encoded POST
//   body (_call_api), hits as the JSON body of bulk requests (_record_hits): so secure_only.
// - Access: API::setUserAccess deletes the user's rows for the sites and inserts one row per site
//   with the role ('view', 'write' or 'admin'; capabilities are rows too), via
//   Model::deleteUserAccess / addUserAccess. The tracker accepts a token of a user with write or
//   admin access to the site (UsersManager::recordAdminUsersInCache, Tracker\Request
//   ::authenticateSuperUserOrAdminOrWrite); web pods cache that list for tracker_cache_file_ttl.
// - Logins: Validators/Login (2-100 of A-Z a-z 0-9 _ . @ + -); not another user's e-mail.

$prefix = preg_match('/^[A-Za-z0-9_]{0,30}$/', (string) getenv('MATOMO_TABLES_PREFIX')) ? getenv('MATOMO_TABLES_PREFIX') : fail(2, 'bad MATOMO_TABLES_PREFIX');
const TOKEN_DESCRIPTION = 'Web-server log import (kept by the import job; do not edit)';

function fail(int $code, string $message): never
{
    fwrite(STDERR, "grant-import-user: FAILED: $message\n");
    exit($code);
}

/** A mounted file's text without the trailing line break editors and `echo` add. */
function secretFile(string $variable): string
{
    $path = getenv($variable);
    if ($path === false || $path === '' || !is_readable($path)) {
        fail(2, "$variable does not name a readable file");
    }
    $text = rtrim((string) file_get_contents($path), "\r\n");
    if ($text === '') {
        fail(2, "the file in $variable is empty");
    }
    return $text;
}

$login = (string) getenv('MATOMO_IMPORT_LOGIN');
$email = (string) getenv('MATOMO_IMPORT_EMAIL');
$sitesText = trim((string) getenv('MATOMO_IMPORT_SITES'));
if (!preg_match('/^[A-Za-z0-9_.@+-]{2,100}$/D', $login) || strcasecmp($login, 'anonymous') === 0) {
    fail(2, 'MATOMO_IMPORT_LOGIN must be 2-100 letters, digits or _ . @ + - (and not anonymous)');
}
if (filter_var($email, FILTER_VALIDATE_EMAIL) === false || strlen($email) > 100) {
    fail(2, 'MATOMO_IMPORT_EMAIL is not an e-mail address of at most 100 characters');
}
if (!preg_match('/^[1-9][0-9]{0,9}(\s+[1-9][0-9]{0,9})*$/D', $sitesText)) {
    fail(2, 'MATOMO_IMPORT_SITES must be site IDs separated by spaces');
}
$sites = array_values(array_unique(array_map('intval', preg_split('/\s+/', $sitesText))));
sort($sites);
$token = secretFile('MATOMO_IMPORT_TOKEN_FILE');
// Matomo's own tokens are 32 hex digits; other characters could be altered in a request on the way.
if (!preg_match('/^[A-Za-z0-9]{32,128}$/D', $token)) {
    fail(2, 'the file in MATOMO_IMPORT_TOKEN_FILE must hold 32-128 letters and digits');
}
$tokenHash = hash('sha512', $token . secretFile('MATOMO_SALT_FILE'));
unset($token);

require __DIR__ . '/database-connection.php';
$db = connectDatabase('grant-import-user', [PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC]);

/** Rows of a prepared query. */
function rows(PDO $db, string $sql, array $params = []): array
{
    $statement = $db->prepare($sql);
    $statement->execute($params);
    return $statement->fetchAll();
}

$changes = [];
try {
    $db->beginTransaction();

    // Every refusal comes before the first write.
    $placeholders = implode(', ', array_fill(0, count($sites), '?'));
    $known = array_map('intval', array_column(
        rows($db, "SELECT idsite FROM `{$prefix}site` WHERE idsite IN ($placeholders)", $sites),
        'idsite',
    ));
    $missing = array_diff($sites, $known);
    if ($missing !== []) {
        $db->rollBack();
        fail(3, 'no such site(s) in ' . $prefix . 'site: ' . implode(', ', $missing) . ' (MATOMO_IMPORT_SITES); nothing changed');
    }
    $existing = rows($db, "SELECT * FROM `{$prefix}user` WHERE login = ? FOR UPDATE", [$login])[0] ?? null;
    if ($existing !== null && (int) $existing['superuser_access'] !== 0) {
        $db->rollBack();
        fail(3, "$login is a superuser: the importer needs a user of its own; nothing changed");
    }
    $others = rows(
        $db,
        "SELECT login FROM `{$prefix}user` WHERE login <> ? AND (email = ? OR email = ? OR login = ?)",
        [$login, $email, $login, $email],
    );
    if ($others !== []) {
        $db->rollBack();
        fail(3, "user {$others[0]['login']} already has the login or e-mail $login / $email; nothing changed");
    }
    $holder = rows($db, "SELECT login FROM `{$prefix}user_token_auth` WHERE password = ? AND login <> ?", [$tokenHash, $login]);
    if ($holder !== []) {
        $db->rollBack();
        fail(3, "the token in MATOMO_IMPORT_TOKEN_FILE is already a token of user {$holder[0]['login']}; nothing changed");
    }

    $now = gmdate('Y-m-d H:i:s');
    $tokens = rows($db, "SELECT * FROM `{$prefix}user_token_auth` WHERE login = ? ORDER BY idusertokenauth FOR UPDATE", [$login]);
    // A user this script has not kept before (made by hand) may have a password someone knows.
    $kept = in_array(TOKEN_DESCRIPTION, array_column($tokens, 'description'), true);
    $randomPassword = fn () => password_hash(md5(bin2hex(random_bytes(32))), PASSWORD_DEFAULT);

    if ($existing === null) {
        $db->prepare(
            "INSERT INTO `{$prefix}user` (login, password, email, twofactor_secret, superuser_access, date_registered,"
            . ' ts_password_modified, idchange_last_viewed, invited_by) VALUES (?, ?, ?, ?, 0, ?, ?, NULL, NULL)',
        )->execute([$login, $randomPassword(), $email, '', $now, $now]);
        $changes[] = "user $login created ($email), with a random password";
    } else {
        if ($existing['email'] !== $email) {
            $db->prepare("UPDATE `{$prefix}user` SET email = ? WHERE login = ?")->execute([$email, $login]);
            $changes[] = "e-mail of $login set to $email";
        }
        if (!$kept) {
            $db->prepare("UPDATE `{$prefix}user` SET password = ?, ts_password_modified = ? WHERE login = ?")
                ->execute([$randomPassword(), $now, $login]);
            $changes[] = "password of $login replaced with a random one";
        }
        if ($existing['invite_token'] !== null || $existing['invite_link_token'] !== null) {
            $db->prepare("UPDATE `{$prefix}user` SET invite_token = NULL, invite_link_token = NULL, invite_expired_at = NULL"
                . ' WHERE login = ?')->execute([$login]);
            $changes[] = "pending invitation of $login withdrawn (the user is complete)";
        }
    }

    // Exactly one token row: the one whose hash is the mounted token's.
    $match = null;
    $replaced = false;
    foreach ($tokens as $row) {
        if ($match === null && hash_equals($row['password'], $tokenHash)) {
            $match = $row;
            continue;
        }
        $db->prepare("DELETE FROM `{$prefix}user_token_auth` WHERE idusertokenauth = ?")->execute([$row['idusertokenauth']]);
        if ($row['description'] === TOKEN_DESCRIPTION) {
            $replaced = true;
        } else {
            $changes[] = "token \"{$row['description']}\" (created {$row['date_created']}) removed";
        }
    }
    if ($match === null) {
        $db->prepare(
            "INSERT INTO `{$prefix}user_token_auth` (login, description, password, date_created, date_expired,"
            . " system_token, hash_algo, secure_only) VALUES (?, ?, ?, ?, NULL, 0, 'sha512', 1)",
        )->execute([$login, TOKEN_DESCRIPTION, $tokenHash, $now]);
        $changes[] = ($replaced ? 'token replaced by the one in' : 'token added from') . ' MATOMO_IMPORT_TOKEN_FILE';
    } elseif ($match['description'] !== TOKEN_DESCRIPTION || $match['hash_algo'] !== 'sha512' || $match['date_expired'] !== null
        || (int) $match['system_token'] !== 0 || (int) $match['secure_only'] !== 1) {
        $db->prepare(
            "UPDATE `{$prefix}user_token_auth` SET description = ?, hash_algo = 'sha512', system_token = 0,"
            . ' date_expired = NULL, secure_only = 1 WHERE idusertokenauth = ?',
        )->execute([TOKEN_DESCRIPTION, $match['idusertokenauth']]);
        $changes[] = 'token in MATOMO_IMPORT_TOKEN_FILE kept, made POST-only and never expiring';
    }

    // Exactly one `write` row per configured site, and no other row.
    $granted = [];
    $was = [];
    foreach (rows($db, "SELECT * FROM `{$prefix}access` WHERE login = ? ORDER BY idaccess FOR UPDATE", [$login]) as $row) {
        $site = (int) $row['idsite'];
        if ($row['access'] === 'write' && in_array($site, $sites, true) && !isset($granted[$site])) {
            $granted[$site] = true;
            continue;
        }
        $db->prepare("DELETE FROM `{$prefix}access` WHERE idaccess = ?")->execute([$row['idaccess']]);
        $was[$site][] = $row['access'];
    }
    foreach ($sites as $site) {
        if (!isset($granted[$site])) {
            $db->prepare("INSERT INTO `{$prefix}access` (idsite, login, access) VALUES (?, ?, 'write')")->execute([$site, $login]);
            $changes[] = "site $site: write granted" . (isset($was[$site]) ? ' (was ' . implode(', ', $was[$site]) . ')' : '');
            unset($was[$site]);
        }
    }
    foreach ($was as $site => $access) {
        $changes[] = "site $site: " . implode(', ', $access) . ' removed';
    }

    $db->commit();
} catch (PDOException $e) {
    if ($db->inTransaction()) {
        $db->rollBack();
    }
    fail(1, 'database error, nothing changed: ' . $e->getMessage());
}

$summary = "$login: write access to site(s) " . implode(', ', $sites) . ', one POST-only token';
if ($changes === []) {
    echo "grant-import-user: nothing to change ($summary)\n";
    exit(0);
}
echo 'grant-import-user: ' . implode("\ngrant-import-user: ", $changes) . "\ngrant-import-user: done ($summary)\n";
// The web pods' tracker learns of a new token or grant when its cache expires; import after that.
$settle = (int) (getenv('MATOMO_TRACKER_CACHE_SECONDS') ?: 0);
if ($settle > 0) {
    echo "grant-import-user: waiting {$settle} s for the web pods' tracker cache (tracker_cache_file_ttl)\n";
    sleep($settle);
}
