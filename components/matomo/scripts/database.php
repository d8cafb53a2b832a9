<?php
// Exit codes of "state": 0 installed, 1 no connection (database-connection.php), 3 empty, 4 partial.
$command = $argv[1] ?? 'state';
$prefix = (string) getenv('MATOMO_TABLES_PREFIX');
if (!preg_match('/^[A-Za-z0-9_]{0,30}$/', $prefix)) {
    fwrite(STDERR, "database: MATOMO_TABLES_PREFIX is not a table prefix (letters, digits, _)\n");
    exit(2);
}
require __DIR__ . '/database-connection.php';
$db = connectDatabase('database');
$name = getenv('MATOMO_DB_NAME');

if ($command === 'set-options') {
    $options = json_decode(getenv('MATOMO_OPTIONS') ?: '{}', true);
    if (!is_array($options) || ($options !== [] && array_is_list($options))) {
        fwrite(STDERR, "database: MATOMO_OPTIONS is not a JSON object\n");
        exit(2);
    }
    $set = $db->prepare("INSERT INTO `{$prefix}option` (option_name, option_value, autoload) VALUES (?, ?, 0)"
        . ' ON DUPLICATE KEY UPDATE option_value = VALUES(option_value)');
    foreach ($options as $option => $value) {
        $set->execute([$option, (string) $value]);
        echo "database: option $option set\n";
    }
    exit(0);
}

$tables = $db->prepare('SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name IN (?, ?, ?)');
$tables->execute([$name, $prefix . 'option', $prefix . 'user', $prefix . 'site']);
$present = array_map('strtolower', $tables->fetchAll(PDO::FETCH_COLUMN));
if (!in_array($prefix . 'option', $present, true)) {
    echo "empty\n";
    exit(3);
}
$superusers = in_array($prefix . 'user', $present, true)
    ? (int) $db->query("SELECT COUNT(*) FROM `{$prefix}user` WHERE superuser_access = 1")->fetchColumn()
    : 0;
$sites = in_array($prefix . 'site', $present, true)
    ? (int) $db->query("SELECT COUNT(*) FROM `{$prefix}site`")->fetchColumn()
    : 0;
if ($superusers === 0 || $sites === 0) {
    echo "partial: $superusers superuser(s), $sites website(s)\n";
    exit(4);
}
echo "installed: $superusers superuser(s), $sites website(s)\n";
exit(0);
