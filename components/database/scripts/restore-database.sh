#!/bin/sh
# Restores Matomo's database from a backup that backup-database.sh wrote, in a one-off Job running
# the same image. The backup is checked whole before the database is touched, so a broken or
# misnamed backup leaves the database as it was. The restore then replaces the database's
# contents: every table and view is dropped (tables the backup does not have would otherwise
# linger beside the restored ones) and the dump is loaded. The dump names no database, so it loads
# into BACKUP_DB_NAME whatever the database was called when it was backed up.
#
# Environment (exit 2 when one is missing or invalid):
#   BACKUP_DIR, BACKUP_DB_HOST, BACKUP_DB_PORT, BACKUP_DB_NAME, BACKUP_DB_USER,
#   BACKUP_DB_PASSWORD_FILE   as for backup-database.sh; the database must exist (it may be empty)
#   RESTORE_BACKUP            a backup's file name in BACKUP_DIR (matomo-YYYYMMDDTHHMMSSZ.sql.gz,
#                             no directory), or latest for the newest one
#   RESTORE_TABLES_PREFIX     Matomo's table prefix (database.tables_prefix, e.g. matomo_); may be
#                             empty, must be set
#   RESTORE_MISC_DIR          optional: a writable mount of Matomo's misc/user. When set, the
#                             backup's misc/user archive (if it has one) is extracted into it over
#                             what is there: files in the archive are replaced, other files stay.
#                             Run the Job with Matomo's uid or fsGroup so Matomo can use them.
#   BACKUP_LOCK_WAIT_SECONDS  optional: how long to wait for the log import to finish the file it
#                             is importing (default 900)
# Stored procedures and events the backup has are recreated; others already in the database stay.
# The log import keeps its records in the database: restored with it, so the next import sends
# again exactly the lines the backup lacks. The restore runs under the import's named lock
# (mariadb-client.sh, hold_import_lock), never beneath a file being imported; when the import
# still holds it after BACKUP_LOCK_WAIT_SECONDS, the database is left untouched.
#
# Exit status: 0 restored and checked; 2 configuration or no such backup; 3 the backup is broken,
# the server is unreachable or the log import is busy (the database is untouched); 1 the restore
# or its check failed after the database was changed (restore again from a good backup).
set -u
LC_ALL=C
export LC_ALL
umask 077

say() { echo "restore-database: $*"; }
die() {
    echo "restore-database: $*" >&2
    exit 2
}
untouched() {
    echo "restore-database: $*; the database was not touched" >&2
    exit 3
}
fail() {
    echo "restore-database: FAILED: $*" >&2
    echo "restore-database: the database $BACKUP_DB_NAME is changed and may be incomplete: restore again" >&2
    exit 1
}

# Sourced from beside this script (the same ConfigMap); shellcheck -x follows it, and checks it on its own.
# shellcheck source=SCRIPTDIR/mariadb-client.sh disable=SC1091
. "$(dirname -- "$0")/mariadb-client.sh"
need BACKUP_DIR "${BACKUP_DIR:-}"
check_connection
need RESTORE_BACKUP "${RESTORE_BACKUP:-}"
[ -n "${RESTORE_TABLES_PREFIX+set}" ] || die "RESTORE_TABLES_PREFIX is not set (set it empty for no prefix)"
prefix=$RESTORE_TABLES_PREFIX
[ -d "$BACKUP_DIR" ] || die "BACKUP_DIR $BACKUP_DIR is not a directory"
case $prefix in *[!A-Za-z0-9_]*) die "RESTORE_TABLES_PREFIX '$prefix' may only have letters, digits and _" ;; esac
misc_dir=${RESTORE_MISC_DIR:-}
if [ -n "$misc_dir" ] && { [ ! -d "$misc_dir" ] || [ ! -w "$misc_dir" ]; }; then
    die "RESTORE_MISC_DIR $misc_dir is not a writable directory"
fi

# Only a complete backup's name: no directory, no .., no .incomplete-* file of a running backup.
case $RESTORE_BACKUP in
latest)
    name=$(backups | tail -n 1)
    [ -n "$name" ] || die "there is no backup in $BACKUP_DIR"
    ;;
matomo-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z.sql.gz) name=$RESTORE_BACKUP ;;
*) die "RESTORE_BACKUP must be latest or a backup's file name (matomo-YYYYMMDDTHHMMSSZ.sql.gz), not '$RESTORE_BACKUP'" ;;
esac
file=$BACKUP_DIR/$name
if [ ! -f "$file" ] || [ -L "$file" ]; then die "there is no backup $name in $BACKUP_DIR (see: ls $BACKUP_DIR)"; fi

work=$(mktemp -d /tmp/restore-database.XXXXXX) || die "cannot create a temporary directory in /tmp"
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT PIPE TERM

# The whole backup is read before anything changes: the gzip checksum, then the completion line
# mariadb-dump writes last.
say "checking $name ($(wc -c <"$file") bytes)"
gzip -t "$file" 2>"$work/err" || untouched "$name is broken: $(oneline "$work/err")"
last=$(gzip -dc "$file" | tail -n 1)
case $last in "-- Dump completed on "*) ;; *) untouched "$name is incomplete (it does not end with the dump's completion line)" ;; esac
archive=
if [ -n "$misc_dir" ]; then
    archive=${file%.sql.gz}-misc-user.tar.gz
    if [ ! -f "$archive" ]; then
        say "$name has no misc/user archive: $misc_dir is left as it is"
        archive=
    else
        tar -tzf "$archive" >/dev/null 2>"$work/err" || untouched "${archive##*/} is broken: $(oneline "$work/err")"
    fi
fi

write_client_options "$work/client.cnf"

client() { mariadb --defaults-extra-file="$work/client.cnf" --default-character-set=utf8mb4 --database="$BACKUP_DB_NAME" "$@"; }

if ! hold_import_lock "$work"; then
    [ ! -s "$work/lock.err" ] || untouched "cannot take the log import's lock: $(oneline "$work/lock.err")"
    untouched "the log import is still importing a file after ${BACKUP_LOCK_WAIT_SECONDS:-900} s (it holds the lock" \
        "log-import:$BACKUP_DB_NAME); let it finish, or stop its Job, and restore again"
fi
say "holding the log import's lock: no file is being imported"

# Views first, then tables; the names come back quoted by the server itself.
cat >"$work/list.sql" <<'EOF'
SELECT CONCAT('DROP ', IF(table_type = 'VIEW', 'VIEW', 'TABLE'), ' IF EXISTS `', REPLACE(table_name, '`', '``'), '`;')
FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_type = 'VIEW' DESC, table_name;
EOF
echo "SET FOREIGN_KEY_CHECKS = 0;" >"$work/drop.sql"
client -N -B -r <"$work/list.sql" >>"$work/drop.sql" 2>"$work/err" ||
    untouched "cannot list the tables of $BACKUP_DB_NAME on $BACKUP_DB_HOST:$BACKUP_DB_PORT: $(oneline "$work/err")"
dropped=$(($(wc -l <"$work/drop.sql") - 1))

say "dropping the $dropped table(s) and view(s) of $BACKUP_DB_NAME on $BACKUP_DB_HOST:$BACKUP_DB_PORT"
client <"$work/drop.sql" 2>"$work/err" || fail "dropping the tables: $(oneline "$work/err")"

# sh has no pipefail: gzip's exit status is written to a file and checked beside mariadb's.
say "loading $name into $BACKUP_DB_NAME"
started=$(date -u +%s)
{
    gzip -dc -- "$file"
    echo "$?" >"$work/gzip.status"
} | client 2>"$work/err"
load_status=$?
gzip_status=$(cat "$work/gzip.status" 2>/dev/null) || gzip_status=unknown
[ "$gzip_status" = 0 ] || fail "gunzip of $name exit $gzip_status"
[ "$load_status" -eq 0 ] || fail "loading $name: mariadb exit $load_status: $(oneline "$work/err")"
say "loaded in $(($(date -u +%s) - started)) s"

# A Matomo database: its option, site and user tables, and at least one site.
count() { client -N -B -e "SELECT COUNT(*) FROM \`$1\`" 2>"$work/err" || echo "missing"; }
tables=$(client -N -B -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()" 2>"$work/err") ||
    fail "counting the tables: $(oneline "$work/err")"
options=$(count "${prefix}option")
sites=$(count "${prefix}site")
users=$(count "${prefix}user")
say "$tables table(s) and view(s); rows: ${prefix}option $options, ${prefix}site $sites, ${prefix}user $users"
case $options$users in *missing*) fail "the restored database lacks ${prefix}option or ${prefix}user: is RESTORE_TABLES_PREFIX right?" ;; esac
case $sites in missing | 0) fail "the restored database has no ${prefix}site table or no site in it" ;; esac

if [ -n "$archive" ]; then
    # Modes as archived but never writable by others (the Job's umask would make them 0600).
    if ! (umask 002 && tar -xzf "$archive" -C "$misc_dir" --no-same-owner) 2>"$work/err"; then
        echo "restore-database: FAILED: the database is restored, but not misc/user: $(oneline "$work/err")" >&2
        exit 1
    fi
    say "restored misc/user from ${archive##*/} into $misc_dir"
fi
say "restored $name into $BACKUP_DB_NAME"
