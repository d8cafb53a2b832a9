# Sourced by import-logs.sh, which sets what this file reads and does not assign ($state, $work,
# $helper, $token, $stop, $halt, $already) and defines say, die and fail first: the import of one
# file, and the requests to the import records (import-records.php). Not run on its own.
# shellcheck disable=SC2154,SC2034 # (and $halt is read there)
#
# What import_logs.py does (Python 3 version of matomo-org/matomo-log-analytics):
# - With --recorders=1 its batches (--recorder-max-payload-size, 200 lines) are sent one after the
#   other, and Matomo runs each bulk request in a transaction ([Tracker]
#   bulk_requests_use_transaction = 1): a failed batch leaves nothing. Two recorders deadlocked
#   and retried whole batches: 100 lines became 155 actions.
# - --retry-max-attempts=1: its own retries (MatomoHttpUrllib._call_wrapper) would resend a batch
#   Matomo may have recorded. The first error is fatal: Recorder._run_bulk calls
#   fatal_error(e, hits[0].filename, hits[0].lineno), which prints "Fatal error: <error>" and
#   'You can restart the import of "<file>" from the point it failed by specifying --skip=<N> on
#   the command line.', then os._exit(1). N is the 0-based number of the failed batch's first
#   line, and --skip=N skips lines 1..N (Parser.parse counts every line read): the lines before
#   it are recorded, none after. The next run resumes there.
# - Its first request, SitesManager.getSiteFromId through the API, is not guarded: a failure there
#   ends the run with Python's traceback of MatomoHttpBase.Error (status 1), whose message is
#   "HTTP Error <code> <reason>, response: <Matomo's whole answer>", often an HTML page.
# - Success is sys.exit(0) after Statistics.print_summary(): "Logs import summary", "<N> requests
#   imported successfully". A file is done on status 0 with that summary and neither "Fatal error"
#   nor "Warning: File ... does not exist". Ctrl-C ends in status 0 too (main() swallows
#   KeyboardInterrupt): after SIGINT nothing is recorded.
# The file is held open as fd 3 while it is counted and imported: the importer reads it through a
# link to /proc/self/fd/3 that keeps its .gz or .bz2 ending, so a sync replacing it meanwhile
# changes nothing, and no file name reaches the importer's glob. Lines are counted its way
# (Python text mode: \n, \r\n and \r end a line, and so does the end of the file).

# The importer's output with the token replaced (it prints it with --debug).
redact() {
    awk 'NR == FNR { gsub(/[ \t\r]/, ""); token = token $0; next }
        { out = ""
          while (token != "" && (i = index($0, token)) > 0) { out = out substr($0, 1, i - 1) "[token]"; $0 = substr($0, i + length(token)) }
          print out $0 }' "$LOG_TOKEN_FILE" -
}

# A file's count is replaced whole: a killed run never leaves half of one.
record() { printf '%s %s %s\n' "$2" "$3" "$4" >"$1.tmp" && mv -f "$1.tmp" "$1"; }

# One request to import-records.php: its answer in $reply; status 1, $reply saying why, when it
# did not answer or answered an error. A lock request waits as long as the lock may take, a ping
# as long as import-records.php may take to start.
ask() {
    case $1 in lock) timeout=$(($2 + 30)) ;; ping) timeout=$LOG_RECORDS_WAIT_SECONDS ;; *) timeout=30 ;; esac
    if reply=$("$LOG_PYTHON" -I -S "$helper" ask "$LOG_RECORDS_SOCKET" "$timeout" "$@" 2>"$work/error"); then
        case $reply in error\ *) reply=${reply#error } && return 1 ;; esac
        return 0
    fi
    reply=$(tail -n 1 "$work/error") && return 1
}

# Nothing is imported without its record: a run whose records do not answer stops.
records_down() { say "the import records failed ($*): stopping; the next run continues" && exit 1; }

read_record() { # <record or none>: into $skip and $attempts (0 0: none yet)
    skip=0 attempts=0
    [ "$1" = none ] || read -r skip attempts _ <<EOF
$1
EOF
    case $skip.$attempts in *[!0-9.]* | .* | *.) records_down "a record reads \"$1\"" ;; esac
}

keep_record() { # <site> <key> <lines imported> <failed runs> <name>: written, and the lock released
    ask put "$@" && return 0
    say "site $1: lines 1-$3 of \"$5\" are in Matomo, but their record could not be written: $reply"
    records_down "the next run sends again what Matomo got after the record it has"
}

run_importer() { # <site> <lines to skip> <input>: leaves $work/output and $work/status
    # import_logs.py expands each file argument with glob.glob(): escaped as glob.escape() does.
    input_arg=$(printf '%s\n' "$3" | sed 's/[[*?]/[&]/g') skip_arg=$2
    set -- "--url=$LOG_MATOMO_URL" "--idsite=$1" "--token-auth=$token" --recorders=1 --retry-max-attempts=1
    [ "$skip_arg" -eq 0 ] || set -- "$@" "--skip=$skip_arg"
    while IFS= read -r option; do
        [ -z "$option" ] || set -- "$@" "$option"
    done <<EOF
$LOG_IMPORT_OPTIONS
EOF
    rm -f "$work/status"
    { "$LOG_PYTHON" "$LOG_IMPORTER" "$@" "$input_arg" </dev/null 2>&1; echo "$?" >"$work/status"; } | redact >"$work/output"
}

# Whether Matomo's tracker records hits now: $tracker is on, off (503: record_statistics = 0,
# when Matomo drops every hit and still answers success to bulk requests) or down ($why says why).
tracking() {
    tracker=$("$LOG_PYTHON" -I -S "$helper" tracker "$LOG_MATOMO_URL" 2>"$work/error") || {
        tracker=down why=$(tail -n 1 "$work/error")
    }
    [ "$tracker" = on ]
}

imported_before() {
    [ "$lines" -eq "$skip" ] || say "site $site: \"$name\" has $lines lines, fewer than the $skip imported from it: left alone"
    already=$((already + 1))
}

import_file() { # <site> <path>, with the file open as fd 3
    site=$1 name=${2##*/}
    case $name in *.bz2) input=$work/input.bz2 ;; *.gz) input=$work/input.gz ;; *) input=$work/input ;; esac
    rm -f "$work/input" "$work/input.gz" "$work/input.bz2"
    ln -s /proc/self/fd/3 "$input" || die "cannot create $input"
    now=$(stat -L -c '%d %i %s %y' /proc/self/fd/3) seen=$state/seen/$site/$(printf '%s' "$name" | sha256sum | cut -c 1-64)
    if ! { [ -f "$seen" ] && read -r lines key complete was <"$seen" && [ "$was" = "$now" ]; }; then
        if ! info=$("$LOG_PYTHON" -I -S "$helper" count "$input" 2>"$work/error"); then
            say "site $site: cannot read \"$name\": $(tail -n 1 "$work/error")"
            fail "$site" "$name (unreadable)" && return 0
        fi
        read -r lines key complete <<EOF
$info
EOF
        record "$seen" "$lines" "$key $complete" "$now"
    fi
    [ "$key" != - ] || { say "site $site: \"$name\" holds no complete log line yet: left for a later run" && return 0; }
    report=$state/failed/$site.$key.txt
    [ ! -f "$report" ] || { say "site $site: \"$name\" is given up: see $report" && return 0; }
    ask get "$site" "$key" || records_down "reading the record of site $site, log $key: $reply"
    read_record "$reply"
    [ "$lines" -gt "$skip" ] || { imported_before && return 0; }
    if ! tracking; then # Maintenance, or Matomo down: not the file's failure, it waits for the next run.
        [ "$tracker" = off ] || { fail "$site" "$name ($why)" && halt="$why" && return 0; }
        halt="Matomo's tracker answers 503: tracking is off (maintenance: [Tracker] record_statistics = 0)" && return 0
    fi
    # To be imported: under the lock, from the record as it is then (a restore may just have changed it).
    ask lock "$LOG_LOCK_WAIT_SECONDS" "$site" "$key" || records_down "taking the import lock: $reply"
    case $reply in
    locked\ *) read_record "${reply#locked }" ;;
    *) halt="a backup or restore of the database has held the import lock for $LOG_LOCK_WAIT_SECONDS s" && return 0 ;;
    esac
    [ "$lines" -gt "$skip" ] || { ask unlock && imported_before && return 0; }
    if [ "$attempts" -gt 0 ]; then
        [ "$attempts" -lt "$LOG_MAX_ATTEMPTS" ] || attempts=0 # its report was removed: tried afresh
        say "site $site: resuming \"$name\" from line $((skip + 1)) (--skip=$skip), attempt $((attempts + 1)) of $LOG_MAX_ATTEMPTS"
    elif [ "$skip" -gt 0 ]; then
        say "site $site: \"$name\" grew from $skip to $lines lines: importing lines $((skip + 1))-$lines (--skip=$skip)"
    fi
    [ "$complete" = 1 ] || say "site $site: the last line of \"$name\" is incomplete (copied while being written); it is imported as it is"

    run_importer "$site" "$skip" "$input"
    rm -f "$input"
    attempt=$((attempts + 1)) status=$(cat "$work/status" 2>/dev/null) out=$work/output
    if [ "$stop" = 130 ]; then # Ctrl-C reached the importer too, which then exits 0 as if done
        say "site $site: interrupted while importing \"$name\"; the next run imports it from line $((skip + 1)) again"
        exit "$stop"
    fi
    imported=$(sed -n 's/^ *\([0-9][0-9]*\) requests imported successfully.*/\1/p' "$out" | head -n 1)
    if [ "$status" = 0 ] && [ -n "$imported" ] && grep -q '^Logs import summary' "$out" &&
        ! grep -q -e '^Fatal error: ' -e '=====> Warning: File .* does not exist <=====' "$out"; then
        if ! tracking && [ "$tracker" = off ]; then
            ask unlock
            say "site $site: tracking was switched off while \"$name\" was imported: Matomo dropped its lines from then on" \
                "while answering success; the next run imports lines $((skip + 1))-$lines again (those it got before count twice)"
            halt="Matomo's tracker answers 503: tracking is off (maintenance: [Tracker] record_statistics = 0)" && return 0
        fi
        keep_record "$site" "$key" "$lines" 0 "$name"
        ignored=$(sed -n 's/^ *\([0-9][0-9]*\) requests ignored.*/\1/p' "$out" | head -n 1)
        say "site $site: imported \"$name\" lines $((skip + 1))-$lines: $imported requests imported successfully, ${ignored:-0} requests ignored"
        return 0
    fi

    hint=$(sed -n 's/.*from the point it failed by specifying --skip=\([0-9][0-9]*\) on the command line.*/\1/p' "$out" | tail -n 1)
    if [ -n "$hint" ] && [ "$hint" -ge "$skip" ] && [ "$hint" -le "$lines" ]; then skip=$hint; fi
    # The cause, e.g. "HTTP 503 Service Unavailable: Matomo is undergoing maintenance: ...", not the
    # last line of Matomo's page that the importer printed.
    why=$("$LOG_PYTHON" -I -S "$helper" reason "$out" 2>"$work/error") ||
        why="(the cause could not be read from its output: $(tail -n 1 "$work/error"))"
    case $why in "HTTP 503 "*) # Maintenance (its page), or Matomo unavailable: not the file's failure.
        keep_record "$site" "$key" "$skip" "$attempts" "$name"
        say "site $site: Matomo is unavailable: the next run resumes \"$name\" from line $((skip + 1)), not counting this run"
        halt="Matomo answered $why" && return 0 ;;
    esac
    keep_record "$site" "$key" "$skip" "$attempt" "$name"
    say "site $site: failed \"$name\" (attempt $attempt of $LOG_MAX_ATTEMPTS, exit status ${status:-none}): $why"
    if [ "$attempt" -lt "$LOG_MAX_ATTEMPTS" ]; then
        say "site $site: the next run resumes \"$name\" from line $((skip + 1))"
        fail "$site" "$name (failed, attempt $attempt of $LOG_MAX_ATTEMPTS)" && return 0
    fi
    {
        printf 'site: %s\nfile: %s\nlog key: %s\n' "$site" "$name" "$key"
        printf 'Given up after %s failed runs; the next attempt resumes at line %s (--skip=%s).\n' "$attempt" "$((skip + 1))" "$skip"
        printf 'To try again, remove this file.\n\nLast output of import_logs.py (exit status %s):\n' "${status:-none}"
        cat "$out"
    } >"$report.tmp" && mv -f "$report.tmp" "$report"
    say "site $site: gave up \"$name\" after $attempt failed runs: $report has the last output; remove it to try again"
} 3<"$2"
