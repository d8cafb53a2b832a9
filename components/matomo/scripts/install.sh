set -eu
database=@SCRIPTS_DIR@/database.php
messages=@SCRIPTS_DIR@/installer-messages.php
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
    4) echo "install: FAILED: Matomo's tables exist without a superuser or website: an earlier installation did not finish (docs/runbooks.md: 'Recover from an unfinished installation')" >&2; exit 1 ;;
    *) echo "install: FAILED: cannot read the database state (see above)" >&2; exit 1 ;;
esac

url=http://127.0.0.1:@INSTALLER_PORT@/
jar="$tmp/install-cookies"
cd @WEBROOT@
# Matomo's installer connects without TLS whatever it is told (its database step hard-codes
# enable_ssl false): installer-database-tls.php, Matomo's DI file config/config.php, gives every
# connection it opens the database's TLS settings. This webroot is the Job pod's own emptyDir; the
# web pods' config.ini.php carries the same settings in [database].
if [ -n "${MATOMO_DB_SSL_CA:-}" ]; then
    cp @SCRIPTS_DIR@/installer-database-tls.php @WEBROOT@/config/config.php
fi
# In a session of its own, so that stopping its process group stops the workers too.
PHP_CLI_SERVER_WORKERS=4 setsid php -S 127.0.0.1:@INSTALLER_PORT@ -t @WEBROOT@ >"$tmp/install-server.log" 2>&1 &
server=$!
# running_in_group PGID: whether a live process (not a zombie) is in the process group; read from
# /proc, as the image has no ps.
running_in_group() {
    group=$1
    for stat in /proc/[0-9]*/stat; do
        { read -r line <"$stat"; } 2>/dev/null || continue
        # The fields after the command name: state, parent, process group.
        # shellcheck disable=SC2086
        set -- ${line##*) }
        if [ "$3" = "$group" ] && [ "$1" != Z ]; then return 0; fi
    done
    return 1
}
# stop_server: the whole group, waited for (5 s, then SIGKILL), so nothing outlives the script.
stop_server() {
    kill -TERM "-$server" 2>/dev/null || return 0
    waited=0
    while running_in_group "$server" && [ "$waited" -lt 50 ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    kill -KILL "-$server" 2>/dev/null || true
}
trap stop_server EXIT
tries=0
until curl --silent --output /dev/null "${url}matomo.js"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 150 ]; then
        echo "install: FAILED: PHP's web server did not start within 30 s:" >&2
        tail -n 20 "$tmp/install-server.log" >&2
        exit 1
    fi
    sleep 0.2
done

# request NAME [curl options...]: one request to the installer, its page kept as install-NAME.html;
# sets code (the HTTP status) and location (where a redirect points).
request() {
    name=$1
    shift
    result=$(curl --silent --show-error --cookie "$jar" --cookie-jar "$jar" \
        --output "$tmp/install-$name.html" --write-out '%{http_code} %{redirect_url}' "$@" "$url") || result="000 "
    code=${result%% *}
    location=${result#* }
}

# fail NAME REASON: stops the installation with what the installer's page says.
fail() {
    echo "install: FAILED at step $1: $2; the installer said:" >&2
    php "$messages" "$tmp/install-$1.html" >&2 || true
    exit 1
}

# page NAME NEXT: a page of the installer; it succeeded when it offers the way on to step NEXT.
page() {
    request "$1" --get --data-urlencode module=Installation --data-urlencode "action=$1"
    if [ "$code" = 200 ] && grep -q "action=$2" "$tmp/install-$1.html"; then
        echo "install: $1: done"
    else
        fail "$1" "HTTP $code, no way on to $2"
    fi
}

# form NAME PATTERN [curl options...]: a form of the installer; Matomo accepts it with a redirect
# to the next step (its URL matches PATTERN) and shows a rejected one again, with its errors.
form() {
    name=$1
    pattern=$2
    shift 2
    request "$name" --data-urlencode module=Installation --data-urlencode "action=$name" "$@"
    # shellcheck disable=SC2254
    case "$code $location" in
        "302 "$pattern) echo "install: $name: done" ;;
        *) fail "$name" "Matomo did not accept the form (HTTP $code)" ;;
    esac
}

page welcome systemCheck
page systemCheck databaseSetup
form databaseSetup "*action=tablesCreation*" \
    --data-urlencode "host=${MATOMO_DB_HOST}:${MATOMO_DB_PORT}" \
    --data-urlencode "username=${MATOMO_DB_USER}" \
    --data-urlencode "password@${MATOMO_DB_PASSWORD_FILE}" \
    --data-urlencode "dbname=${MATOMO_DB_NAME}" \
    --data-urlencode "tables_prefix=${MATOMO_TABLES_PREFIX}" \
    --data-urlencode "adapter=PDO\\MYSQL"
page tablesCreation setupSuperUser
form setupSuperUser "*action=firstWebsiteSetup*" \
    --data-urlencode "login@${MATOMO_SUPERUSER_LOGIN_FILE}" \
    --data-urlencode "password@${MATOMO_SUPERUSER_PASSWORD_FILE}" \
    --data-urlencode "password_bis@${MATOMO_SUPERUSER_PASSWORD_FILE}" \
    --data-urlencode "email=${MATOMO_SUPERUSER_EMAIL}" \
    --data-urlencode subscribe_newsletter_piwikorg=0 \
    --data-urlencode subscribe_newsletter_professionalservices=0
form firstWebsiteSetup "*action=trackingCode*" \
    --data-urlencode "siteName=${MATOMO_SITE_NAME}" \
    --data-urlencode "url=${MATOMO_SITE_URL}" \
    --data-urlencode "timezone=${MATOMO_TIMEZONE}" \
    --data-urlencode ecommerce=0
# The boxes a browser install leaves ticked: Do Not Track honoured, IP addresses anonymised (an
# unticked box would switch them off). The stack's privacy settings are applied right after.
form finished "*/index.php" --data-urlencode do_not_track=1 --data-urlencode anonymise_ip=1

state=0
php "$database" state || state=$?
if [ "$state" != 0 ]; then
    echo "install: FAILED: the installer ran, but the database is not fully installed (state $state)" >&2
    exit 1
fi
set_options
echo "install: Matomo is installed: superuser and first website created"
