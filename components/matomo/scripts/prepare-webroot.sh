set -eu
src=@CODE_DIR@
dst=@WEBROOT@
if [ ! -f "$src/matomo.php" ]; then
    echo "prepare-webroot: no Matomo code in $src: use the official matomo image or one built from it" >&2
    exit 1
fi
# misc/ is a volume (in the web pods, perhaps the claim of an earlier installation): the copy writes
# the image's own files there, as Matomo and the GeoIP updater write theirs.
if [ -d "$dst/misc" ] && [ ! -w "$dst/misc" ]; then
    echo "prepare-webroot: misc/ (the misc/ claim) is not writable by Matomo's user (uid $(id -u)): give its files to that user, e.g. chown -R 33:33 (docs/backup-restore.md)" >&2
    exit 1
fi
cp -R "$src/." "$dst/"
# @if COPY_CONFIG
cp "@CONFIG_MOUNT@/config.ini.php" "$dst/config/config.ini.php"
chmod 0640 "$dst/config/config.ini.php"
# @end
# @if SMTP_PASSWORD
# The SMTP password, from its own Secret (mounted beside the config, so it can be one managed
# elsewhere). [mail] is the generated file's last section, so the line lands in it.
php -- "@CONFIG_MOUNT@/@SMTP_PASSWORD_FILE@" >>"$dst/config/config.ini.php" <<'PHP'
<?php
$password = @file_get_contents($argv[1]);
function refuse($why) {
    file_put_contents("php://stderr", "prepare-webroot: the SMTP password (postfix.password, or key password of the Secret in postfix.existingSecret) $why\n");
    exit(1);
}
if ($password === false) refuse("cannot be read from {$argv[1]}");
if ($password === "") refuse("is empty: set it, or remove it to send without a login");
// A double-quoted INI string ends at a quote and interpolates ${...}; a line break (a password
// file written with echo) would end the line.
if (preg_match('/["\\\\\r\n\0]/', $password) || strpos($password, '${') !== false) {
    refuse("contains a double quote, a backslash, a line break or \"\${\", which config.ini.php cannot hold: change the password (or write the Secret without a trailing newline)");
}
echo "password = \"$password\"\n";
PHP
# @end
# @if DATABASE_PASSWORD
# The database password, from a Secret managed elsewhere (mounted beside the config), written into
# the copied config's [database] section, right under its header (PHP's INI parser would let a
# second [database] section replace the first).
php -- "@CONFIG_MOUNT@/@DATABASE_PASSWORD_FILE@" "$dst/config/config.ini.php" <<'PHP'
<?php
[, $file, $config] = $argv;
$password = @file_get_contents($file);
function refuse($why) {
    file_put_contents("php://stderr", "prepare-webroot: the database password (the key named by external.existingSecretKey in the Secret external.existingSecret) $why\n");
    exit(1);
}
if ($password === false) refuse("cannot be read from $file");
if ($password === "") refuse("is empty");
if (preg_match('/["\\\\\r\n\0]/', $password) || strpos($password, '${') !== false) {
    refuse("contains a double quote, a backslash, a line break or \"\${\", which config.ini.php cannot hold: change the password (or write the Secret without a trailing newline)");
}
$text = file_get_contents($config);
$at = strpos($text, "\n[database]\n");
if ($at === false) refuse("has no [database] section to go into in $config");
$at += strlen("\n[database]\n");
file_put_contents($config, substr($text, 0, $at) . "password = \"$password\"\n" . substr($text, $at)) !== false || refuse("cannot be written to $config");
PHP
# @end
# @if COPY_CONFIG
# The plugin sections, as Matomo writes them once it has installed every plugin it loads: [Plugins]
# is this image's default list (global.ini.php) and the stack's (@PLUGIN_LIST@); [PluginsInstalled]
# lists every plugin Matomo loads, the always-active ones included, because Matomo loads a plugin
# while tracking only when it is listed there. The upgrade Job runs their install steps against
# the database (install-plugins.php).
php -- "$dst" @PLUGINS@ >>"$dst/config/config.ini.php" <<'PHP'
<?php
$root = $argv[1];
$extra = array_slice($argv, 2);
// (STDERR is not defined for a program read from standard input.)
function fail($message) { file_put_contents("php://stderr", "prepare-webroot: $message\n"); exit(1); }
foreach ($extra as $plugin) {
    if (!is_dir("$root/plugins/$plugin")) fail("the image has no plugin $plugin (plugins/$plugin): build an image with it, or remove it from matomo.plugins");
}
$global = parse_ini_file("$root/config/global.ini.php", true, INI_SCANNER_RAW);
if (!is_array($global) || !isset($global['Plugins']['Plugins'])) fail("cannot read the default plugins from config/global.ini.php");
// Matomo loads these whatever the config says (Plugin\Manager), so it counts them as installed too.
// The list is the property's declared default, read without booting Matomo: the property is
// static from Matomo 5.2, an instance property before (4.16 to 5.1).
require_once "$root/core/Plugin/Manager.php";
try {
    $declared = new ReflectionProperty('Piwik\Plugin\Manager', 'pluginToAlwaysActivate');
} catch (ReflectionException $e) {
    fail("this Matomo version keeps its always-active plugins elsewhere (" . $e->getMessage() . "): the webroot script needs updating for it");
}
$always = $declared->getDefaultValue();
if (!is_array($always)) fail("this Matomo version declares Piwik\\Plugin\\Manager::\$pluginToAlwaysActivate without a list of plugins: the webroot script needs updating for it");
$active = array_values(array_unique(array_merge($global['Plugins']['Plugins'], $extra)));
$installed = array_values(array_unique(array_merge($global['PluginsInstalled']['PluginsInstalled'] ?? [], $active, $always)));
echo "\n[Plugins]\n";
foreach ($active as $plugin) echo "Plugins[] = \"$plugin\"\n";
echo "\n[PluginsInstalled]\n";
foreach ($installed as $plugin) echo "PluginsInstalled[] = \"$plugin\"\n";
PHP
# @end
# @if REGENERATE_TRACKER
# matomo.js as Matomo generates it (plugins' tracker code, cookieless tracking): the image's stock
# file would ignore the installation's settings until someone opened the UI on this very pod.
php "$dst/console" custom-matomo-js:update --no-interaction
# @end
version=$(sed -n "s/.*const VERSION = '\([^']*\)'.*/\1/p" "$dst/core/Version.php")
echo "prepare-webroot: Matomo ${version:-(unknown version)} code is in place@SUMMARY@"
