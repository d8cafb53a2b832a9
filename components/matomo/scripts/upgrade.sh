set -eu
cd @WEBROOT@
version=$(sed -n "s/.*const VERSION = '\([^']*\)'.*/\1/p" core/Version.php)
echo "upgrade: applying the database migrations of Matomo $version (core:update)"
php console core:update --yes --no-interaction
echo "upgrade: the database schema matches Matomo $version"
