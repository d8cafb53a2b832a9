#!/bin/sh
# Checks, before MariaDB starts on a claim of an earlier installation (mariadb.existingClaim), that
# the claim holds a data directory this server can open. Without it the image's entrypoint would,
# on a directory without mysql/ (the data one level down, as on a Bitnami volume), initialise a new,
# empty database beside the old files, on which Matomo's install Job would install a new Matomo;
# and a server would start, without a word, on a data directory a newer series has upgraded.
#
# Inputs (environment): CHECK_DATA_DIR, where the claim's directory is mounted; CHECK_CLAIM and
# CHECK_SUB_PATH, the claim and the directory in it, for the messages.
set -eu
dir=$CHECK_DATA_DIR
where="claim $CHECK_CLAIM"
if [ -n "${CHECK_SUB_PATH:-}" ]; then where="directory $CHECK_SUB_PATH of the claim $CHECK_CLAIM"; fi

fail() {
    echo "check-data-directory: the $where $1" >&2
    exit 1
}

# "major.minor" of a version text such as 10.11.11-MariaDB; empty when it names none.
series() {
    sed -n '1s/^[^0-9]*\([0-9][0-9]*\.[0-9][0-9]*\)\..*/\1/p'
}

# lost+found, a file system's own (root's, 0700), is no part of the data.
unusable=$(find "$dir" -path "$dir/lost+found" -prune -o \( ! -readable -o ! -writable -o -type d ! -executable \) -print -quit 2>/dev/null || true)
if [ -n "$unusable" ]; then
    path=${unusable#"$dir"}
    path=${path#/}
    fail "has files MariaDB's user (uid $(id -u)) cannot read and write (${path:-its top directory}, perhaps more): give the data directory to that user, e.g. chown -R 999:999 (docs/backup-restore.md)"
fi

if [ ! -d "$dir/mysql" ]; then
    inner=$(cd "$dir" && find . -mindepth 2 -maxdepth 4 -type d -name "mysql" -print 2>/dev/null | head -n 1)
    if [ -n "$inner" ]; then
        inner=${inner#./}
        inner=${inner%/mysql}
        fail "holds no MariaDB data directory, but its directory $inner does: set mariadb.existingClaimSubPath to ${CHECK_SUB_PATH:+$CHECK_SUB_PATH/}$inner"
    fi
    fail "holds no MariaDB data directory (no mysql/ in it): name the claim of the installation whose database to keep, with mariadb.existingClaimSubPath if the data directory is further down, or remove mariadb.existingClaim to start a new database on a claim of the stack's own"
fi

server=$(mariadbd --version | series)
if [ -z "$server" ]; then fail "cannot be checked: this image's mariadbd does not say its version (mariadbd --version)"; fi
data=""
if [ -f "$dir/mysql_upgrade_info" ]; then data=$(tr -d '\000' <"$dir/mysql_upgrade_info" | series); fi
if [ -z "$data" ]; then
    echo "check-data-directory: the $where holds a MariaDB data directory of an unknown version (no mysql_upgrade_info): the entrypoint upgrades its system tables to MariaDB $server"
    exit 0
fi
newer=$(printf '%s\n%s\n' "$data" "$server" | sort -t . -k 1,1n -k 2,2n | tail -n 1)
if [ "$data" != "$server" ] && [ "$newer" = "$data" ]; then
    fail "holds the data directory of MariaDB $data, a newer series than this image's MariaDB $server: a data directory cannot go back to an older series; move the database with a dump instead (docs/backup-restore.md)"
fi
if [ "$data" != "$server" ]; then
    echo "check-data-directory: the $where holds the data directory of MariaDB $data: the entrypoint upgrades it to MariaDB $server now (MARIADB_AUTO_UPGRADE), and it cannot go back afterwards"
else
    echo "check-data-directory: the $where holds the data directory of MariaDB $data, which this image's MariaDB $server opens as it is"
fi
