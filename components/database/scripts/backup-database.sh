#!/bin/sh
# Backs up Matomo's database (and, optionally, misc/user with the uploaded logos) to a volume of
# its own, in a CronJob running the official mariadb image (uid 999, read-only root filesystem,
# writable /tmp). A backup is published only complete and verified, earlier backups are deleted
# only after a new one succeeded, so a failed run (server down, disk full, killed Job) never
# leaves the volume with fewer good backups than before.
#
# Environment (all required unless said otherwise; exit 2 when one is missing or invalid):
#   BACKUP_DIR               the backup volume (a dedicated PersistentVolumeClaim), writable
#   BACKUP_DB_HOST           server host name or address
#   BACKUP_DB_PORT           server port
#   BACKUP_DB_NAME           the database to dump
#   BACKUP_DB_USER           a user with SELECT, SHOW VIEW, TRIGGER, EVENT on it (Matomo's user)
#   BACKUP_DB_PASSWORD_FILE  a file holding that user's password (trailing newlines ignored)
#   BACKUP_KEEP              how many complete backups to keep, at least 1
#   BACKUP_MISC_DIR          optional: Matomo's misc/user directory, archived when set and present
#   BACKUP_LOCK_WAIT_SECONDS optional: how long to wait for the log import to finish the file it is
#                            importing (default 900), see "The log import" below
#
# Files in BACKUP_DIR: matomo-<UTC start time YYYYMMDDTHHMMSSZ>.sql.gz, with
# matomo-<same time>-misc-user.tar.gz beside it when misc/user was archived. Names sort by time.
# While a run writes, its files are named .incomplete-matomo-*; nothing else should read those.
# Runs must not overlap (concurrencyPolicy: Forbid): a run deletes the .incomplete files it finds.
# The volume must hold BACKUP_KEEP + 1 backups: the oldest goes only once the new one is complete.
#
# The log import keeps its records in this database and holds the named lock log-import:<database>
# while a file is in flight; the dump is taken under that lock (mariadb-client.sh,
# hold_import_lock), so it holds each imported line together with its record. When the import
# still holds it after BACKUP_LOCK_WAIT_SECONDS, the backup is taken anyway and says so: restoring
# it may count twice the lines of that one file that Matomo got before the dump.
#
# Exit status: 0 done, 2 configuration, 1 the backup failed (nothing published, nothing deleted).
set -u
LC_ALL=C # glob results sort by bytes, so by the time in the names
export LC_ALL
umask 077 # a dump holds every user's password hash and token

say() { echo "backup-database: $*"; }
die() {
    echo "backup-database: $*" >&2
    exit 2
}
fail() {
    echo "backup-database: FAILED: $*" >&2
    echo "backup-database: no backup published, earlier backups untouched" >&2
    exit 1
}

# Sourced from beside this script (the same ConfigMap); shellcheck -x follows it, and checks it on its own.
# shellcheck source=SCRIPTDIR/mariadb-client.sh disable=SC1091
. "$(dirname -- "$0")/mariadb-client.sh"
need BACKUP_DIR "${BACKUP_DIR:-}"
check_connection
need BACKUP_KEEP "${BACKUP_KEEP:-}"
if [ ! -d "$BACKUP_DIR" ] || [ ! -w "$BACKUP_DIR" ]; then die "BACKUP_DIR $BACKUP_DIR is not a writable directory"; fi
case $BACKUP_KEEP in 0* | *[!0-9]*) die "BACKUP_KEEP must be a whole number of at least 1, not '$BACKUP_KEEP'" ;; esac
misc=${BACKUP_MISC_DIR:-}
if [ -n "$misc" ] && [ ! -d "$misc" ]; then
    say "BACKUP_MISC_DIR $misc does not exist: misc/user is not archived"
    misc=
fi

work=$(mktemp -d /tmp/backup-database.XXXXXX) || die "cannot create a temporary directory in /tmp"
tmp_dump='' tmp_misc=''
trap 'rm -rf "$work"; rm -f -- ${tmp_dump:+"$tmp_dump"} ${tmp_misc:+"$tmp_misc"}' EXIT
trap 'exit 1' HUP INT PIPE TERM

write_client_options "$work/client.cnf"


started=$(date -u +%s)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
name=matomo-$stamp.sql.gz
misc_name=matomo-$stamp-misc-user.tar.gz
[ -e "$BACKUP_DIR/$name" ] && fail "$name already exists (two runs in the same second?)"

if [ -n "$misc" ]; then
    tmp_misc=$(mktemp "$BACKUP_DIR/.incomplete-$misc_name.XXXXXX") || fail "cannot create a file in $BACKUP_DIR"
    tar -czf "$tmp_misc" -C "$misc" . 2>"$work/tar.err" || fail "archiving misc/user ($misc): $(oneline "$work/tar.err")"
    tar -tzf "$tmp_misc" >/dev/null 2>"$work/tar.err" || fail "the misc/user archive does not read back: $(oneline "$work/tar.err")"
fi

# No --databases: the dump then holds no CREATE DATABASE and no USE `<name>`, so it loads into
# whichever database the restore names (a copy under another name, Cloud SQL's database, a test).
# --single-transaction: a consistent snapshot of InnoDB tables without locking Matomo out.
# --hex-blob: binary columns (visit IDs, IP addresses) as hex, safe from any character set.
# sh has no pipefail: mariadb-dump's own exit status is written to a file and checked. It can be 0
# even when gzip died partway (a full disk), so gzip's status and the completion line count too.
if hold_import_lock "$work"; then
    say "holding the log import's lock: no file is being imported"
elif [ -s "$work/lock.err" ]; then
    say "cannot take the log import's lock ($(oneline "$work/lock.err")): backing up without it"
else
    say "the log import is still importing a file after ${BACKUP_LOCK_WAIT_SECONDS:-900} s: backing up anyway;" \
        "a restore of this backup may count twice the lines of that file that Matomo has already"
fi
tmp_dump=$(mktemp "$BACKUP_DIR/.incomplete-$name.XXXXXX") || fail "cannot create a file in $BACKUP_DIR"
{
    mariadb-dump --defaults-extra-file="$work/client.cnf" --single-transaction --quick --routines --events \
        --triggers --hex-blob --default-character-set=utf8mb4 --comments --dump-date -- "$BACKUP_DB_NAME" \
        2>"$work/dump.err"
    echo "$?" >"$work/dump.status"
} | gzip -c >"$tmp_dump"
gzip_status=$?
dump_status=$(cat "$work/dump.status" 2>/dev/null) || dump_status=unknown
dump_error=$(oneline "$work/dump.err" 2>/dev/null)
if [ "$gzip_status" -ne 0 ]; then
    fail "gzip could not write $tmp_dump (exit $gzip_status: disk full or file too large?); mariadb-dump exit $dump_status${dump_error:+: $dump_error}"
fi
[ "$dump_status" = 0 ] || fail "mariadb-dump exit $dump_status${dump_error:+: $dump_error}"
[ -n "$dump_error" ] && say "mariadb-dump said: $dump_error"

gzip -t "$tmp_dump" 2>"$work/test.err" || fail "the compressed dump does not read back: $(oneline "$work/test.err")"
last=$(gzip -dc "$tmp_dump" | tail -n 1)
case $last in "-- Dump completed on "*) ;; *) fail "the dump does not end with its completion line (last line: $last)" ;; esac
sync -- "$tmp_dump" ${tmp_misc:+"$tmp_misc"} || fail "cannot flush the new files to $BACKUP_DIR"

# Publish: the misc archive first, so a backup name never appears without its misc/user (a kill
# between the two renames leaves an orphaned archive, which the next run deletes).
if [ -n "$tmp_misc" ]; then
    mv -f -- "$tmp_misc" "$BACKUP_DIR/$misc_name" || fail "cannot rename the misc/user archive to $misc_name"
    tmp_misc=
fi
mv -f -- "$tmp_dump" "$BACKUP_DIR/$name" || fail "cannot rename the dump to $name"
tmp_dump=
size=$(wc -c <"$BACKUP_DIR/$name")
say "wrote $name ($size bytes, database $BACKUP_DB_NAME on $BACKUP_DB_HOST:$BACKUP_DB_PORT) in $(($(date -u +%s) - started)) s"
[ -n "$misc" ] && say "wrote $misc_name ($(wc -c <"$BACKUP_DIR/$misc_name") bytes, $misc)"

# Retention, only now that a new backup exists: the newest BACKUP_KEEP stay.
total=$(backups | wc -l)
excess=$((total - BACKUP_KEEP))
deleted=0
for old in $(backups | head -n "$((excess > 0 ? excess : 0))"); do
    rm -f -- "$BACKUP_DIR/$old" "$BACKUP_DIR/${old%.sql.gz}-misc-user.tar.gz" && say "deleted $old" && deleted=$((deleted + 1))
done
for f in "$BACKUP_DIR"/matomo-*-misc-user.tar.gz; do
    [ -f "$f" ] && [ ! -e "${f%-misc-user.tar.gz}.sql.gz" ] && rm -f -- "$f" && say "deleted ${f##*/} (its backup is gone)"
done
for f in "$BACKUP_DIR"/.incomplete-matomo-*; do
    [ -e "$f" ] && rm -f -- "$f" && say "deleted ${f##*/} (left by an interrupted run)"
done
say "kept $(backups | wc -l) backup(s) (BACKUP_KEEP=$BACKUP_KEEP), deleted $deleted: $(backups | paste -s -d ' ' -)"
