set -eu
database=@SCRIPTS_DIR@/database.php
tmp=${TMPDIR:-/tmp}

set_options() {
    if [ -n "${MATOMO_OPTIONS:-}" ]; then
        php "$database" set-options
    fi
}

state=0
php "$database" state || state=$?
case "$state" in
    0) echo "install: Matomo is already installed"; set_options; exit 0 ;;
    3) echo "install: the database is empty: installing Matomo" ;;
    4) echo "install: FAILED: Matomo's tables exist without a superuser or website: an earlier installation did not finish (README: 'Recover from an unfinished installation')" >&2; exit 1 ;;
    *) echo "install: FAILED: cannot read the database state (see above)" >&2; exit 1 ;;
esac

url=http://127.0.0.1:@INSTALLER_PORT@/
jar="$tmp/install-cookies"
cd @WEBROOT@
PHP_CLI_SERVER_WORKERS=4 php -S 127.0.0.1:@INSTALLER_PORT@ -t @WEBROOT@ >"$tmp/install-server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
tries=0
until curl --silent --output /dev/null "${url}matomo.js"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 30 ]; then
        echo "install: FAILED: PHP's web server did not start:" >&2
        tail -n 20 "$tmp/install-server.log" >&2
        exit 1
    fi
    sleep 1
done

# step NAME [curl options...]: one request to the installer; stops the script unless it answers 2xx.
step() {
    name=$1
    shift
    code=$(curl --silent --show-error --location --cookie "$jar" --cookie-jar "$jar" \
        --output "$tmp/install-$name.html" --write-out '%{http_code}' "$@" "$url") || code=000
    case "$code" in
        2??) echo "install: $name: done" ;;
        *)
            echo "install: FAILED at step $name (HTTP $code); the installer said:" >&2
            sed -n 's/.*class="[^"]*\(error\|alert-danger\)[^"]*"[^>]*>\([^<]*\).*/  \2/p' "$tmp/install-$name.html" | head -n 10 >&2
            exit 1
            ;;
    esac
}

step start
step systemCheck --data-urlencode action=systemCheck
step databaseSetup --data-urlencode action=databaseSetup \
    --data-urlencode "host=${MATOMO_DB_HOST}:${MATOMO_DB_PORT}" \
    --data-urlencode "username=${MATOMO_DB_USER}" \
    --data-urlencode "password@${MATOMO_DB_PASSWORD_FILE}" \
    --data-urlencode "dbname=${MATOMO_DB_NAME}" \
    --data-urlencode "tables_prefix=matomo_" \
    --data-urlencode "adapter=PDO\\MYSQL"
step tablesCreation --data-urlencode module=Installation --data-urlencode action=tablesCreation
step setupSuperUser --data-urlencode module=Installation --data-urlencode action=setupSuperUser \
    --data-urlencode "login@${MATOMO_SUPERUSER_LOGIN_FILE}" \
    --data-urlencode "password@${MATOMO_SUPERUSER_PASSWORD_FILE}" \
    --data-urlencode "password_bis@${MATOMO_SUPERUSER_PASSWORD_FILE}" \
    --data-urlencode "email=${MATOMO_SUPERUSER_EMAIL}" \
    --data-urlencode subscribe_newsletter_piwikorg=0 \
    --data-urlencode subscribe_newsletter_professionalservices=0
step firstWebsiteSetup --data-urlencode module=Installation --data-urlencode action=firstWebsiteSetup \
    --data-urlencode "siteName=${MATOMO_SITE_NAME}" \
    --data-urlencode "url=${MATOMO_SITE_URL}" \
    --data-urlencode "timezone=${MATOMO_TIMEZONE}" \
    --data-urlencode ecommerce=0
step finished --data-urlencode module=Installation --data-urlencode action=finished

state=0
php "$database" state || state=$?
if [ "$state" != 0 ]; then
    echo "install: FAILED: the installer ran, but the database is not fully installed (state $state)" >&2
    exit 1
fi
set_options
echo "install: Matomo is installed: superuser and first website created"
