#!/bin/sh
# Copies web-server access logs from the log hosts into $LOG_ROOT/<site id>/, where the import job
# reads every file it finds. A file the log host may still be writing is never copied: the newest
# file matching the pattern (unless skip_newest is false) and any file modified less than
# settle_minutes ago wait for a later run. rsync writes each copy to a temporary dot-file beside it
# and renames it when complete, so a half-copied file never appears under its own name (the
# importer must skip dot-files, which an interrupted run may leave behind). Nothing is ever removed
# or written on the log host, so a key restricted with `rrsync -ro` is enough.
#
# Environment (set by the program): LOG_SOURCES_FILE, one source a line, fields separated by a TAB:
#   site_id user host port remote_dir pattern skip_newest settle_minutes delete rrsync_dir
# (rrsync_dir: the directory of the log host's `rrsync -ro` command for this key, or empty).
# LOG_ROOT, LOG_SSH_KEY_FILE, LOG_SSH_KNOWN_HOSTS_FILE, LOG_SSH_CONFIG_FILE (optional),
# LOG_SSH_STRICT (yes, or no when the operator switched host-key checking off), LOG_TIMEOUT_SECONDS.
set -u
# rsync prints listing times in the local zone and they are compared with `date`: one zone for
# both. C: sort, awk and glob patterns work on bytes, whatever the image's locale.
TZ=UTC LC_ALL=C
export TZ LC_ALL
TAB=$(printf '\t')
NL='
'

die() {
    echo "sync-logs: $*" >&2
    exit 2
}
need() { [ -n "$2" ] || die "$1 is not set"; }
need LOG_SOURCES_FILE "${LOG_SOURCES_FILE:-}"
need LOG_ROOT "${LOG_ROOT:-}"
need LOG_SSH_KEY_FILE "${LOG_SSH_KEY_FILE:-}"
need LOG_SSH_STRICT "${LOG_SSH_STRICT:-}"
case ${LOG_TIMEOUT_SECONDS:-} in '' | *[!0-9]* | 0) die "LOG_TIMEOUT_SECONDS must be a positive number of seconds" ;; esac
[ -r "$LOG_SOURCES_FILE" ] || die "cannot read LOG_SOURCES_FILE $LOG_SOURCES_FILE"
# A relative destination with a colon would be read by rsync as host:path.
case $LOG_ROOT in /*) ;; *) LOG_ROOT=./$LOG_ROOT ;; esac

work=$(mktemp -d /tmp/sync-logs.XXXXXX) || die "cannot create a temporary directory in /tmp"
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT PIPE TERM

# ssh expands %-tokens and ${VAR} in key and known_hosts paths, and refuses a key file that its
# owner's group may read when that owner is the current user (root, in tests): it reads copies at
# plain paths, owned by this user with mode 0600. Every path in the ssh command is one of these.
copy_private() { (umask 077 && cat -- "$1" >"$2") || die "cannot read $3 $1"; }
copy_private "$LOG_SSH_KEY_FILE" "$work/id" LOG_SSH_KEY_FILE
config=/dev/null
if [ -n "${LOG_SSH_CONFIG_FILE:-}" ]; then
    copy_private "$LOG_SSH_CONFIG_FILE" "$work/ssh_config" LOG_SSH_CONFIG_FILE
    config=$work/ssh_config
fi
case $LOG_SSH_STRICT in
yes)
    need LOG_SSH_KNOWN_HOSTS_FILE "${LOG_SSH_KNOWN_HOSTS_FILE:-}"
    copy_private "$LOG_SSH_KNOWN_HOSTS_FILE" "$work/known_hosts" LOG_SSH_KNOWN_HOSTS_FILE
    host_keys="-o StrictHostKeyChecking=yes -o UserKnownHostsFile=$work/known_hosts"
    ;;
no)
    cat >&2 <<'EOF'
sync-logs: ************************************************************************
sync-logs: WARNING: host keys are NOT verified (an insecure option is set in the
sync-logs: log-fetching configuration). Anyone between this cluster and a log host
sync-logs: can pose as it and feed forged logs into Matomo. Configure known_hosts.
sync-logs: ************************************************************************
EOF
    host_keys="-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
    ;;
*) die "LOG_SSH_STRICT must be yes or no, not '$LOG_SSH_STRICT'" ;;
esac
# rsync splits this on spaces; none of its words contains one. Command-line options win over -F.
rsh="ssh -F $config -i $work/id -o IdentitiesOnly=yes -o BatchMode=yes $host_keys"
rsh="$rsh -o GlobalKnownHostsFile=/dev/null -o ConnectTimeout=$LOG_TIMEOUT_SECONDS"

# With -s the remote rsync expands wildcards in its arguments itself (-s sends them past the
# shell, not past rsync's own globbing): in a path component holding one, backslash-escape them to
# mean themselves.
glob_escape() {
    left=$1 escaped=
    while :; do
        part=${left%%/*}
        case $part in *[][*?]*) part=$(printf '%s' "$part" | sed 's/[][*?\\]/\\&/g') ;; esac
        escaped=$escaped$part
        case $left in */*) left=${left#*/} escaped=$escaped/ ;; *) break ;; esac
    done
}

# rsync prints control characters (and a backslash that precedes #ddd) as \#ddd, octal.
decode_name() {
    case $1 in
    *'\#'[0-7][0-7][0-7]*)
        format=$(printf '%s' "$1" | sed -e 's/%/%%/g' -e 's/\\/\\\\/g' -e 's/\\\\#\([0-7][0-7][0-7]\)/\\\1/g')
        # shellcheck disable=SC2059 # the escaped name is the format, to decode its octal escapes
        name=$(printf "${format}x")
        name=${name%x}
        ;;
    *) name=$1 ;;
    esac
}

count() { awk 'END { print NR }' "$1"; }

# rsync's messages for a failed step, indented; the reason in $why.
failed_step() {
    why="$1 failed (rsync exit $2)"
    grep -q 'Host key verification failed' "$work/err" && why="$why: the host key does not match known_hosts"
    grep -q 'option -s has been disabled' "$work/err" &&
        why="$why: the log host restricts this key with rrsync; set the source's rrsyncDir to the directory it names"
    [ -n "$rrsync" ] && grep -q 'No such file or directory' "$work/err" &&
        why="$why: is $rrsync (rrsyncDir) the directory of the rrsync command for this key on the log host?"
    sed 's/^/    /' "$work/err" >&2
}

sync_source() {
    case $site in '' | *[!0-9]*) why="site id '$site' is not a number" && return 1 ;; esac
    case $port in '' | *[!0-9]*) why="port '$port' is not a number" && return 1 ;; esac
    case $user in '' | *[@:/\ ]*) why="user '$user' is empty or has @, :, / or a space" && return 1 ;; esac
    case $host in
    '' | -* | *[@/\ []* | *]*) why="host '$host' is not a host name or address" && return 1 ;;
    *:*[!0-9A-Fa-f:.]* | *[!0-9A-Fa-f:.]*:*) why="host '$host' is not a host name or address" && return 1 ;;
    *:*) host_spec="[$host]" ;; # an IPv6 address, bracketed as rsync expects
    *) host_spec=$host ;;
    esac
    case $skip_newest$delete in truetrue | truefalse | falsetrue | falsefalse) ;; *)
        why="skip_newest and delete must be true or false" && return 1
        ;;
    esac
    case $settle in '' | *[!0-9]*) why="settle_minutes '$settle' is not a number" && return 1 ;; esac
    [ -n "$pattern" ] || { why="the file name pattern is empty" && return 1; }
    case $dir in '') dir=. ;; /*) ;; *) dir=./$dir ;; esac

    if [ -n "$rrsync" ]; then
        # rrsync, the log host's forced command, refuses -s and reads the path as relative to its
        # directory; it unescapes what rsync (3.2.4+) escaped for a shell and expands wildcards
        # with Python's glob: the path below that directory, wildcards in brackets.
        root=$(printf '%s' "$rrsync" | tr -s /) && root=${root%/}
        below=$(printf '%s' "$dir" | tr -s /)
        case $below in "$root" | "$root"/*) below=${below#"$root"} ;; *) why="$dir is not inside rrsyncDir $rrsync" && return 1 ;; esac
        escaped=.$(printf '%s' "$below" | sed 's/[*?[]/[&]/g') flags=-8
    else
        glob_escape "$dir" && flags=-s8
    fi
    remote="$user@$host_spec:$escaped/"
    dest=$LOG_ROOT/$site
    now=$(date +%s)
    rsync "$flags" --list-only --timeout="$LOG_TIMEOUT_SECONDS" -e "$rsh -p $port" -- "$remote" \
        </dev/null >"$work/listing" 2>"$work/err" || { failed_step "listing $dir" $?; return 1; }

    # Regular files only: "-rw-r--r--   1,234 2024/01/31 23:59:59 name".
    date_time='\([0-9]\{4\}/[0-9][0-9]/[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]\)'
    sed -n "s|^-[^ ]* *[^ ]* $date_time \(.*\)\$|\1$TAB\2|p" "$work/listing" >"$work/files"
    : >"$work/matched"
    : >"$work/names"
    while IFS= read -r entry; do
        decode_name "${entry#*"$TAB"}"
        # shellcheck disable=SC2254 # the pattern is a glob
        case $name in $pattern) ;; *) continue ;; esac
        case $name in *"$NL"*) echo "  not copied, a newline in its name: ${entry#*"$TAB"}" && continue ;; esac
        printf '%s\t%s\n' "${entry%%"$TAB"*}" "$name" >>"$work/matched"
        printf '%s\n' "$name" >>"$work/names"
    done <"$work/files"

    # Still being written: the newest (all of them, should several share its time), and any file
    # modified after the cutoff. Times are "YYYY/MM/DD HH:MM:SS", which sort as text.
    cutoff=$(date -d "@$((now - settle * 60))" '+%Y/%m/%d %H:%M:%S') || { why="date failed" && return 1; }
    : >"$work/copy"
    awk -v skip_newest="$skip_newest" -v cutoff="$cutoff" -v settle="$settle" -v copy="$work/copy" '
        NR == FNR { if (substr($0, 1, 19) > newest) newest = substr($0, 1, 19); next }
        {
            time = substr($0, 1, 19); name = substr($0, 21)
            if (skip_newest == "true" && time == newest) print "  skipped, still being written: " name " (the newest)"
            else if (time > cutoff) print "  skipped, still being written: " name " (modified " time " UTC, less than " settle " minutes ago)"
            else print name > copy
        }' "$work/matched" "$work/matched" >"$work/skipped"
    cat "$work/skipped"

    mkdir -p -- "$dest" || { why="cannot create $dest" && return 1; }
    : >"$work/copied"
    if [ -s "$work/copy" ]; then
        # Owner and group of the log host mean nothing here; the importer must be able to read.
        rsync "$flags" -a --no-owner --no-group --chmod=D755,F644 --timeout="$LOG_TIMEOUT_SECONDS" \
            -e "$rsh -p $port" --files-from="$work/copy" --out-format='%n' -- "$remote" "$dest/" \
            </dev/null >"$work/copied" 2>"$work/err"
        status=$?
        if [ "$status" -eq 24 ]; then
            echo "  note: some files vanished on the log host before they were copied (rotated away)"
        elif [ "$status" -ne 0 ]; then
            failed_step "copying" "$status"; return 1
        fi
    fi
    copied=$(grep -c -v '/$' "$work/copied")

    deleted=0
    if [ "$delete" = true ]; then
        for path in "$dest"/* "$dest"/.[!.]* "$dest"/..?*; do
            if [ ! -f "$path" ] || [ -L "$path" ]; then continue; fi
            name=${path##*/}
            # shellcheck disable=SC2254 # the pattern is a glob
            case $name in $pattern) ;; *) continue ;; esac
            grep -Fxq -- "$name" "$work/names" && continue
            rm -f -- "$path" || { why="cannot delete $path" && return 1; }
            echo "  deleted $name (no longer on the log host)"
            deleted=$((deleted + 1))
        done
    fi
    echo "  site $site: $(count "$work/files") files listed, $(count "$work/names") match," \
        "$(count "$work/skipped") skipped as still being written, $copied copied" \
        "($(($(count "$work/copy") - copied)) already up to date), $deleted deleted"
}

# The next TAB-separated field of $rest, in $value.
field() {
    value=${rest%%"$TAB"*}
    rest=${rest#*"$TAB"}
}

failures=""
sources=0
while IFS= read -r line <&3 || [ -n "$line" ]; do
    [ -n "$line" ] || continue
    sources=$((sources + 1))
    tabs=$(printf '%s' "$line" | tr -cd '\t')
    rest=$line
    field && site=$value
    label="site $site"
    if [ "${#tabs}" -ne 9 ]; then
        why="line $sources has $((${#tabs} + 1)) fields, not 10"
    else
        field && user=$value && field && host=$value && field && port=$value
        field && dir=$value && field && pattern=$value && field && skip_newest=$value
        field && settle=$value && field && delete=$value && rrsync=$rest
        label="site $site from $user@$host port $port, $dir${rrsync:+ (rrsync -ro $rrsync)}"
        echo "sync-logs: $label (pattern '$pattern')"
        sync_source && continue
    fi
    echo "sync-logs: FAILED: $label: $why" >&2
    failures="$failures$NL  $label: $why"
done 3<"$LOG_SOURCES_FILE"

if [ -n "$failures" ]; then
    echo "sync-logs: FAILED for these sources (the others were synced):$failures" >&2
    exit 1
fi
echo "sync-logs: done, $sources source(s)"
