#!/bin/sh
# Imports each site's synced access logs into Matomo with Matomo's own importer, import_logs.py,
# so that every line is recorded once: not twice, also after months, and not lost after a failure
# in the middle of a file.
#
# Environment (nothing else is read besides PATH and HOME):
#   LOG_ROOT            each site's logs are the regular files of $LOG_ROOT/<site id>/ (dotfiles,
#                       rsync's temporary files, and subdirectories are ignored)
#   LOG_STATE_DIR       this script's working files (a persistent volume), and its records before
#                       they moved into Matomo's database
#   LOG_IMPORT_SITES    the site ids to import, separated by spaces; other directories are left alone
#   LOG_IMPORTER        import_logs.py          LOG_PYTHON       the Python that runs it
#   LOG_MATOMO_URL      Matomo's base URL       LOG_TOKEN_FILE   the file holding the token_auth
#   LOG_IMPORT_OPTIONS  more importer options, one per line (a value may hold spaces)
#   LOG_MAX_ATTEMPTS    failed runs after which a file is given up
#   LOG_RECORDS_SOCKET  where import-records.php answers (the pod's sidecar that keeps the records
#                       in Matomo's database); LOG_RECORDS_WAIT_SECONDS: how long to wait for it
#   LOG_LOCK_WAIT_SECONDS  how long to wait for a backup or restore holding the import lock
#
# A log is known by its content, not its name: by the SHA-256 of its first complete line that is
# not a '#' header. Its record (site, hash: lines imported, failed runs, last name) is a row of
# Matomo's database, <prefix>logimport_record, beside the visits it describes: a backup holds
# both as they were at one moment and a restore rolls both back, so the run after a restore sends
# again exactly the lines the database lacks. So a log that grew is imported from its first new
# line, a rotated one (access.log -> access.log.1 -> access.log.2.gz) only past the lines imported,
# one that comes back after being deleted not at all, and a different log under a used name in
# full. Records are never removed: one is a few bytes, and removing it would import its log again
# if it came back. From reading a file's record to writing its new one, this run holds the
# database's named lock log-import:<database>, which backups and restores take too: a dump never
# holds a file's visits without its record. seen/<site>/ keeps each file's count while the file
# is unchanged, so that a run does not read every old log again; tmp/ has the last importer
# output (without the token).
#
# Limits: sent again on resume are a batch Matomo recorded after the importer stopped waiting
# (--request-timeout, 300 s) and what a run killed mid-file had sent; an incomplete last line is
# imported as it is and not again once complete. Runs must not overlap (concurrencyPolicy: Forbid).
#
# A file that failed in LOG_MAX_ATTEMPTS runs is given up: $LOG_STATE_DIR/failed/<site>.<hash>.txt
# says why, with the importer's last output. To try it again, remove that file: the next run
# resumes it where it stopped, with LOG_MAX_ATTEMPTS new attempts. What is not the file's fault
# counts against no file and stops the run, for the next one to go on (a line says why; exit 0):
# Matomo in maintenance (an importer run ended by a 503, e.g. its maintenance page) and its
# tracker answering 503, checked before each file (record_statistics = 0: Matomo would drop every
# line and still answer success; when it goes off during a file, that file is imported again from
# where it began, and the lines Matomo took before count twice). A tracker that does not answer
# stops the run too, with exit 1. (Matomo failing in the middle of files for LOG_MAX_ATTEMPTS runs
# gives them up: rm "$LOG_STATE_DIR"/failed/*.txt tries them all again.)
set -u
umask 027

say() { printf '%s\n' "$*"; }
die() { printf 'import-logs: %s\n' "$*" >&2 && exit 2; }

: "${LOG_ROOT:?}" "${LOG_STATE_DIR:?}" "${LOG_IMPORTER:?}" "${LOG_PYTHON:?}" "${LOG_MATOMO_URL:?}"
: "${LOG_TOKEN_FILE:?}" "${LOG_MAX_ATTEMPTS:?}" "${LOG_IMPORT_SITES=}" "${LOG_IMPORT_OPTIONS=}"
: "${LOG_RECORDS_SOCKET:?}" "${LOG_RECORDS_WAIT_SECONDS:?}" "${LOG_LOCK_WAIT_SECONDS:?}"
number() { case $2 in '' | *[!0-9]*) die "$1 is not a number: $2" ;; esac; }
number LOG_MAX_ATTEMPTS "$LOG_MAX_ATTEMPTS"
number LOG_RECORDS_WAIT_SECONDS "$LOG_RECORDS_WAIT_SECONDS"
number LOG_LOCK_WAIT_SECONDS "$LOG_LOCK_WAIT_SECONDS"
[ "$LOG_MAX_ATTEMPTS" -ge 1 ] || die "LOG_MAX_ATTEMPTS must be at least 1"
case $LOG_IMPORT_SITES in *[![:digit:][:space:]]*) die "LOG_IMPORT_SITES is not a list of site ids: $LOG_IMPORT_SITES" ;; esac
[ -d "$LOG_ROOT" ] || die "LOG_ROOT is not a directory: $LOG_ROOT"
[ -f "$LOG_IMPORTER" ] || die "LOG_IMPORTER is not a file: $LOG_IMPORTER"
token=$(tr -d ' \t\r\n' <"$LOG_TOKEN_FILE") || die "cannot read LOG_TOKEN_FILE $LOG_TOKEN_FILE"
[ -n "$token" ] || die "LOG_TOKEN_FILE $LOG_TOKEN_FILE is empty"

# Options this script sets, and options that would make it misjudge a run (argparse also takes
# an unambiguous abbreviation, hence the prefix test; --debug itself is a different option).
while IFS= read -r option; do
    case $option in -*) ;; *) continue ;; esac
    for own in --url --idsite --token-auth --recorders --retry-max-attempts --skip --output \
        --dry-run --dump-log-regex --debug-request-limit; do
        case $own in "${option%%=*}"*) [ "${option%%=*}" = --debug ] ||
            die "LOG_IMPORT_OPTIONS: ${option%%=*} is set by this script or breaks its bookkeeping" ;;
        esac
    done
done <<EOF
$LOG_IMPORT_OPTIONS
EOF

case $LOG_STATE_DIR in /*) state=$LOG_STATE_DIR ;; *) state=$PWD/$LOG_STATE_DIR ;; esac
work=$state/tmp
mkdir -p "$state/seen" "$state/failed" "$work" || die "cannot create the state directory $state"

# Python helpers (counting a file's lines, the cause of a failure), in a file beside this one.
helper=$(dirname -- "$0")/import-helper.py
[ -f "$helper" ] || die "no $helper beside this script"

failures=''
fail() { failures="$failures  site $1: $2
"; }

# The steps of one file, in a file beside this one (the same ConfigMap).
# shellcheck source=SCRIPTDIR/import-file.sh disable=SC1091
. "$(dirname -- "$0")/import-file.sh"

stop='' halt='' reply=''
trap 'stop=130' INT
trap 'stop=143' TERM

ask ping || {
    say "the import records (import-records.php) did not answer in $LOG_RECORDS_WAIT_SECONDS s: $reply" \
        "(its own log, the pod's container import-records, says why)" && exit 1
}
say "import records: ${reply#ready } record(s) in Matomo's database"

for dir in "$LOG_ROOT"/*/; do
    [ -d "$dir" ] || continue
    id=${dir%/} && id=${id##*/} && known=''
    for site in $LOG_IMPORT_SITES; do [ "$site" != "$id" ] || known=1; done
    [ -n "$known" ] || say "leaving \"$id\" alone: it is not a site in LOG_IMPORT_SITES"
done

for site in $LOG_IMPORT_SITES; do
    already=0
    if [ ! -d "$LOG_ROOT/$site" ]; then
        say "site $site: no directory $LOG_ROOT/$site yet: nothing to import" && continue
    fi
    mkdir -p "$state/seen/$site" || die "cannot create $state/seen/$site"
    for path in "$LOG_ROOT/$site"/*; do
        [ -f "$path" ] || continue
        if ! import_file "$site" "$path"; then
            say "site $site: cannot open \"${path##*/}\""
            [ ! -e "$path" ] || fail "$site" "${path##*/} (cannot be opened)"
        fi
        [ -z "$stop" ] || { say "stopped by a signal after \"${path##*/}\"" && exit "$stop"; }
        [ -z "$halt" ] || break
    done
    [ "$already" -eq 0 ] || say "site $site: $already file(s) imported before"
    [ -z "$halt" ] || break
done

for report in "$state"/failed/*.txt; do
    [ -f "$report" ] || continue
    fail "$(sed -n 's/^site: //p' "$report")" "$(sed -n 's/^file: //p' "$report") (given up: $report)"
done
[ -z "$halt" ] || say "Stopped: ${halt%.}. The next run continues."
if [ -n "$failures" ]; then
    printf 'Not imported:\n%s' "$failures"
    exit 1
fi
[ -n "$halt" ] || say "Every file is imported."
