set -eu
cd @WEBROOT@
version=$(sed -n "s/.*const VERSION = '\([^']*\)'.*/\1/p" core/Version.php)
echo "upgrade: applying the database migrations of Matomo $version (core:update)"
php console core:update --yes --no-interaction
echo "upgrade: the database schema matches Matomo $version"
# After the migrations: installing a plugin records its current version, which would skip them.
php @SCRIPTS_DIR@/install-plugins.php @WEBROOT@
