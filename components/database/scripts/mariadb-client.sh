# Sourced by backup-database.sh and restore-database.sh (which define say, die and fail first):
# what both need to reach the database and to find backups. Not run on its own.

# A tool's messages (a file) on one line.
oneline() { tr -s '\n' ' ' <"$1" | sed -e 's/^ //' -e 's/ $//'; }
need() { [ -n "$2" ] || die "$1 is not set"; }

# The BACKUP_DB_* connection settings, refused before anything runs when unusable.
check_connection() {
    need BACKUP_DB_HOST "${BACKUP_DB_HOST:-}"
    need BACKUP_DB_PORT "${BACKUP_DB_PORT:-}"
    need BACKUP_DB_NAME "${BACKUP_DB_NAME:-}"
    need BACKUP_DB_USER "${BACKUP_DB_USER:-}"
    need BACKUP_DB_PASSWORD_FILE "${BACKUP_DB_PASSWORD_FILE:-}"
    case $BACKUP_DB_HOST in -* | *[!A-Za-z0-9.:_-]*) die "BACKUP_DB_HOST '$BACKUP_DB_HOST' is not a host name or address" ;; esac
    case $BACKUP_DB_PORT in 0* | *[!0-9]*) die "BACKUP_DB_PORT '$BACKUP_DB_PORT' is not a port number" ;; esac
    [ "$BACKUP_DB_PORT" -le 65535 ] || die "BACKUP_DB_PORT '$BACKUP_DB_PORT' is not a port number"
    case $BACKUP_DB_NAME in -* | *[!A-Za-z0-9_\$-]*) die "BACKUP_DB_NAME '$BACKUP_DB_NAME' is not a database name" ;; esac
    [ -r "$BACKUP_DB_PASSWORD_FILE" ] || die "cannot read BACKUP_DB_PASSWORD_FILE $BACKUP_DB_PASSWORD_FILE"
}

# The complete backups in BACKUP_DIR, oldest first (the names sort by time).
backups() {
    for f in "$BACKUP_DIR"/matomo-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z.sql.gz; do
        [ -f "$f" ] && printf '%s\n' "${f##*/}"
    done
}

# An option-file value: double-quoted, \ and " escaped (MariaDB unescapes them); no newline.
option_value() {
    case $2 in *'
'*) die "$1 must be one line" ;; esac
    value=$(printf '%s' "$2" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')
}

# Writes the client option file $1. The password goes to the clients there, readable by this user
# only, never on a command line (visible in ps) or in a child's environment (printf and echo are
# shell builtins). Trailing newlines of the file are dropped, as the image's entrypoint does.
write_client_options() {
    password=$(cat -- "$BACKUP_DB_PASSWORD_FILE") || die "cannot read BACKUP_DB_PASSWORD_FILE $BACKUP_DB_PASSWORD_FILE"
    [ -n "$password" ] || die "the file in BACKUP_DB_PASSWORD_FILE is empty"
    {
        echo "[client]"
        echo "host=$BACKUP_DB_HOST"
        echo "port=$BACKUP_DB_PORT"
        option_value BACKUP_DB_USER "$BACKUP_DB_USER" && printf 'user="%s"\n' "$value"
        option_value "the password in BACKUP_DB_PASSWORD_FILE" "$password" && printf 'password="%s"\n' "$value"
        # TLS, when the database has it. Checking the server (BACKUP_DB_SSL_VERIFY=1): the CA file
        # and the check of its name (MariaDB 10.11's clients check the name only when told). Not
        # checking: no CA at all, since a CA given makes the clients check the certificate's chain
        # ("self-signed certificate in certificate chain"), where Matomo's ssl_no_verify checks nothing.
        if [ -n "${BACKUP_DB_SSL_CA:-}" ]; then
            echo "ssl"
            if [ "${BACKUP_DB_SSL_VERIFY:-}" = 1 ]; then
                option_value BACKUP_DB_SSL_CA "$BACKUP_DB_SSL_CA" && printf 'ssl-ca="%s"\n' "$value"
                echo "ssl-verify-server-cert"
            fi
        fi
    } >"$1" || die "cannot write the client option file $1"
    unset password value
}

# Takes the log import's lock, the named lock log-import:<database> (the import holds it from
# reading a file's record, kept in the database, until it has written the new one; see
# components/jobs/scripts/import-records.php), in a client session of its own that stays open
# until this script exits. A dump taken under it holds every imported line with its record; a
# restore run under it never rolls the database back beneath a file being imported. Waits up to
# BACKUP_LOCK_WAIT_SECONDS (default 900) for a file being imported; status 1 when the import still
# holds it then, or the session failed ($1/lock.err says why). $1: the work directory, with the
# client option file client.cnf.
hold_import_lock() {
    wait=${BACKUP_LOCK_WAIT_SECONDS:-900}
    case $wait in '' | *[!0-9]*) die "BACKUP_LOCK_WAIT_SECONDS must be a number of seconds, not '$wait'" ;; esac
    mkfifo "$1/lock.in" "$1/lock.out" || die "cannot create a pipe in $1"
    mariadb --defaults-extra-file="$1/client.cnf" --database="$BACKUP_DB_NAME" -N -B --unbuffered \
        <"$1/lock.in" >"$1/lock.out" 2>"$1/lock.err" &
    # In the order the client opens them; both stay open (a closed pipe would end the session).
    exec 9>"$1/lock.in" 8<"$1/lock.out"
    echo "SELECT GET_LOCK(LEFT(CONCAT('log-import:', DATABASE()), 64), $wait);" >&9
    read -r held <&8 || held=
    [ "$held" = 1 ]
}
