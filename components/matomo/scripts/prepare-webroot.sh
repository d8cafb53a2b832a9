set -eu
src=@CODE_DIR@
dst=@WEBROOT@
if [ ! -f "$src/matomo.php" ]; then
    echo "prepare-webroot: no Matomo code in $src: use the official matomo image or one built from it" >&2
    exit 1
fi
cp -R "$src/." "$dst/"
# @if COPY_CONFIG
cp "@CONFIG_MOUNT@/config.ini.php" "$dst/config/config.ini.php"
chmod 0640 "$dst/config/config.ini.php"
# @end
# @if PLUGINS
# Active plugins: this image's defaults (global.ini.php) and @PLUGIN_LIST@.
# shellcheck disable=SC2016
php -r '$g = parse_ini_file($argv[1], true); $all = array_unique(array_merge($g["Plugins"]["Plugins"], array_slice($argv, 2)));
echo "\n[Plugins]\n"; foreach ($all as $p) { echo "Plugins[] = \"$p\"\n"; }' "$dst/config/global.ini.php" @PLUGINS@ >>"$dst/config/config.ini.php"
# @end
version=$(sed -n "s/.*const VERSION = '\([^']*\)'.*/\1/p" "$dst/core/Version.php")
echo "prepare-webroot: Matomo ${version:-(unknown version)} code is in place@SUMMARY@"
