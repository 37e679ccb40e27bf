#!/usr/bin/env bash
# A private PostgreSQL server for development and tests, without Docker.
#
#   local-postgres.sh find-bin                         print the server bin dir (installs it with apt when root)
#   local-postgres.sh start DATADIR PORT [PASSWORD_FILE]
#   local-postgres.sh stop DATADIR
#   local-postgres.sh ensure-db DATADIR PORT DBNAME
#   local-postgres.sh throwaway                        prints DATADIR=... and CONNECTION=... on stdout
#   local-postgres.sh destroy DATADIR                  only for directories made by throwaway
#   local-postgres.sh ensure-chromium                  Debian's Chromium for the browser tests (apt-get when root)
#
# It can also be sourced (by .ci/run) to reuse the lpg_* functions; the sourcing
# script is expected to run under `set -euo pipefail` itself.
#
# The server listens on 127.0.0.1 only, and its unix socket lives inside DATADIR
# (mode 700), which is why local socket connections can use trust authentication.
# PostgreSQL refuses to run as root, so as root everything server-side runs as
# the OS user $LPG_OS_USER.

LPG_OS_USER=practicepg
LPG_SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/$(basename "${BASH_SOURCE[0]}")"
LPG_APT_UPDATED=0

lpg_log() { echo "local-postgres: $*" >&2; }
lpg_die() { lpg_log "$*"; exit 1; }

lpg_is_root() { [[ $EUID -eq 0 ]]; }

# runuser and useradd live in sbin, which a root shell from plain `su` lacks in PATH.
if lpg_is_root; then PATH="$PATH:/usr/sbin:/sbin"; fi

# Runs a command as the user that owns the server. `cd /` because the caller's
# working directory (e.g. /root) may be unreadable for that user.
lpg_as_pg() {
    if lpg_is_root; then
        (cd / && runuser -u "$LPG_OS_USER" -- "$@")
    else
        "$@"
    fi
}

lpg_ensure_os_user() {
    lpg_is_root || return 0
    id -u "$LPG_OS_USER" >/dev/null 2>&1 && return 0
    # Parallel callers may race to create the user; losing that race is fine.
    useradd --system --create-home --shell /usr/sbin/nologin "$LPG_OS_USER" 2>/dev/null \
        || id -u "$LPG_OS_USER" >/dev/null 2>&1 \
        || lpg_die "could not create the OS user $LPG_OS_USER"
}

# ---------------------------------------------------------------- apt helpers

lpg_apt_update_once() {
    [[ $LPG_APT_UPDATED -eq 1 ]] && return 0
    lpg_log "apt-get update"
    local attempt
    for attempt in 1 2 3 4 5; do
        if apt-get -o DPkg::Lock::Timeout=60 update >&2; then
            LPG_APT_UPDATED=1
            return 0
        fi
        lpg_log "apt-get update failed (attempt $attempt/5), retrying in 10 s"
        sleep 10
    done
    return 1
}

# apt-get install with retries: the dpkg lock is often held for a while on
# freshly booted CI machines (unattended upgrades, cloud-init).
lpg_apt_install() {
    local attempt
    # Package lists are usually absent on fresh images; only then is an update needed.
    if ! apt-cache show "$@" >/dev/null 2>&1; then
        lpg_apt_update_once || return 1
    fi
    for attempt in 1 2 3 4 5; do
        lpg_log "apt-get install $*"
        if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=60 install -y "$@" >&2; then
            return 0
        fi
        lpg_log "apt-get install $* failed (attempt $attempt/5), retrying in 10 s"
        sleep 10
        # Stale package lists (404s) are the other usual cause of failure.
        lpg_apt_update_once || true
    done
    return 1
}

# ---------------------------------------------------------------- binaries

# Prints the newest server bin dir, or returns 1 when there is none.
lpg_locate_bin() {
    local dir best=""
    while IFS= read -r dir; do
        if [[ -x $dir/initdb ]]; then best=$dir; fi
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
    if [[ -z $best ]] && command -v pg_config >/dev/null 2>&1; then
        dir=$(pg_config --bindir 2>/dev/null || true)
        if [[ -n $dir && -x $dir/initdb ]]; then best=$dir; fi
    fi
    [[ -n $best ]] || return 1
    echo "$best"
}

lpg_find_bin() {
    local bin
    if bin=$(lpg_locate_bin); then
        echo "$bin"
        return 0
    fi
    if lpg_is_root && command -v apt-get >/dev/null 2>&1; then
        lpg_log "PostgreSQL server binaries not found; installing them with apt-get"
        if lpg_apt_install postgresql && bin=$(lpg_locate_bin); then
            echo "$bin"
            return 0
        fi
    fi
    echo "PostgreSQL server binaries not found. Install them with: sudo apt-get install postgresql   (or run the database with: docker compose up -d db, and set ConnectionStrings__Practice)" >&2
    exit 1
}

# The bin dir for an existing cluster: prefer the major version that created it,
# so that installing a newer PostgreSQL later does not break an old DATADIR.
lpg_bin_for() {
    local datadir=$1 version
    if [[ -f $datadir/PG_VERSION ]]; then
        version=$(<"$datadir/PG_VERSION")
        if [[ -x /usr/lib/postgresql/$version/bin/pg_ctl ]]; then
            echo "/usr/lib/postgresql/$version/bin"
            return 0
        fi
    fi
    lpg_find_bin
}

# ---------------------------------------------------------------- server

lpg_is_running() {
    local bin=$1 datadir=$2
    [[ -f $datadir/PG_VERSION ]] || return 1
    lpg_as_pg "$bin/pg_ctl" -D "$datadir" status >/dev/null 2>&1
}

lpg_new_password() {
    local pw
    pw=$(head -c 64 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9')
    echo "${pw:0:32}"
}

# initdb, falling back to the C locale where C.UTF-8 is unavailable.
lpg_initdb() {
    local bin=$1 datadir=$2 pwfile=${3:-} locale out=""
    local auth=(--auth=trust)
    if [[ -n $pwfile ]]; then
        auth=(--auth-local=trust --auth-host=scram-sha-256 "--pwfile=$pwfile")
    fi
    for locale in C.UTF-8 C; do
        if out=$(lpg_as_pg "$bin/initdb" -D "$datadir" -U postgres --encoding=UTF8 \
                    "--locale=$locale" "${auth[@]}" 2>&1); then
            return 0
        fi
    done
    echo "$out" >&2
    return 1
}

# Fails clearly when the server user cannot reach DATADIR (e.g. a clone under /root).
lpg_check_traversable() {
    local dir=$1 blocked=""
    while [[ $dir != / ]]; do
        dir=$(dirname "$dir")
        if ! lpg_as_pg test -x "$dir"; then blocked=$dir; fi
    done
    [[ -z $blocked ]] || lpg_die "the OS user $LPG_OS_USER (PostgreSQL refuses to run as root) cannot enter $blocked." \
        "Move the clone to a directory other users can traverse (e.g. /srv or /opt), or run: chmod o+x $blocked"
}

lpg_start() {
    local datadir=${1:?usage: start DATADIR PORT [PASSWORD_FILE]} port=${2:?usage: start DATADIR PORT [PASSWORD_FILE]}
    local pwfile=${3:-} bin pw_for_initdb status=0 reset_password=0

    [[ $port =~ ^[0-9]+$ ]] || lpg_die "port must be a number: $port"
    mkdir -p "$datadir"
    datadir=$(cd "$datadir" && pwd -P)
    # The socket path (DATADIR/.s.PGSQL.PORT) must fit in sun_path (107 bytes).
    (( ${#datadir} + 10 + ${#port} <= 107 )) \
        || lpg_die "$datadir is too long a path for a unix socket; use a shorter one"

    if [[ -n $pwfile ]]; then
        mkdir -p "$(dirname "$pwfile")"
        pwfile="$(cd "$(dirname "$pwfile")" && pwd -P)/$(basename "$pwfile")"
        [[ $pwfile != "$datadir"/* ]] || lpg_die "the password file must not be inside DATADIR"
    fi

    if lpg_is_root; then
        lpg_ensure_os_user
        if [[ $(stat -c %U "$datadir") != "$LPG_OS_USER" ]]; then
            chown -R "$LPG_OS_USER:" "$datadir"
        fi
        lpg_check_traversable "$datadir"
    fi

    bin=$(lpg_bin_for "$datadir")

    if [[ -n $pwfile && ! -f $pwfile ]]; then
        (umask 077 && lpg_new_password >"$pwfile")
        chmod 600 "$pwfile"
        # An existing cluster still has the old (lost) password; replace it once running.
        if [[ -f $datadir/PG_VERSION ]]; then reset_password=1; fi
    fi

    if [[ ! -f $datadir/PG_VERSION ]]; then
        lpg_log "initialising $datadir"
        pw_for_initdb=$pwfile
        if [[ -n $pwfile ]] && lpg_is_root; then
            pw_for_initdb=$(mktemp /tmp/practice-pw.XXXXXX)
            cat "$pwfile" >"$pw_for_initdb"
            chown "$LPG_OS_USER" "$pw_for_initdb"
        fi
        lpg_initdb "$bin" "$datadir" "$pw_for_initdb" || status=$?
        if [[ $pw_for_initdb != "$pwfile" ]]; then rm -f "$pw_for_initdb"; fi
        [[ $status -eq 0 ]] || lpg_die "initdb failed for $datadir"
    fi

    if lpg_is_running "$bin" "$datadir"; then
        lpg_log "already running: $datadir"
    else
        # max_connections: the test suite runs many app hosts against one server, and its race tests open a
        # hundred requests at once; the default 100 would refuse the next client ("too many clients").
        if ! lpg_as_pg "$bin/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w -t 30 -s \
                -o "-c listen_addresses=127.0.0.1 -c port=$port -c 'unix_socket_directories=$datadir' -c fsync=on -c max_connections=300" \
                start >&2; then
            lpg_log "could not start PostgreSQL; last lines of $datadir/server.log:"
            tail -n 30 "$datadir/server.log" >&2 || true
            exit 1
        fi
        lpg_log "PostgreSQL $(<"$datadir/PG_VERSION") running on 127.0.0.1:$port (data: $datadir)"
    fi

    if [[ $reset_password -eq 1 ]]; then
        lpg_log "password file was missing; setting a new password for postgres"
        lpg_psql "$bin" "$datadir" "$port" postgres -c "ALTER ROLE postgres PASSWORD '$(<"$pwfile")'" >/dev/null
    fi
}

lpg_psql() {
    local bin=$1 datadir=$2 port=$3 db=$4
    shift 4
    "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$datadir" -p "$port" -U postgres -d "$db" "$@"
}

lpg_stop() {
    local datadir=${1:?usage: stop DATADIR} mode=${2:-fast} bin
    [[ -f $datadir/PG_VERSION ]] || return 0
    datadir=$(cd "$datadir" && pwd -P)
    bin=$(lpg_bin_for "$datadir")
    if lpg_is_running "$bin" "$datadir"; then
        lpg_as_pg "$bin/pg_ctl" -D "$datadir" stop -m "$mode" -s >&2
        lpg_log "stopped $datadir"
    fi
}

lpg_ensure_db() {
    local usage="usage: ensure-db DATADIR PORT DBNAME"
    local datadir=${1:?$usage} port=${2:?$usage} db=${3:?$usage} bin exists
    [[ $db =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || lpg_die "unsupported database name: $db"
    datadir=$(cd "$datadir" && pwd -P)
    bin=$(lpg_bin_for "$datadir")
    exists=$(lpg_psql "$bin" "$datadir" "$port" postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = '$db'")
    if [[ $exists != 1 ]]; then
        lpg_psql "$bin" "$datadir" "$port" postgres -c "CREATE DATABASE \"$db\""
        lpg_log "created database $db"
    fi
}

lpg_port_in_use() {
    bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# Throwaway directories whose server is gone (a test run that was killed, or whose exit hook was cut
# short); the age check keeps us off directories another run is still setting up.
lpg_prune_throwaways() {
    local stale pid
    while IFS= read -r stale; do
        pid=$(head -n 1 "$stale/postmaster.pid" 2>/dev/null || true)
        if [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null; then
            rm -rf "$stale"
        fi
    done < <(find /tmp -maxdepth 1 -type d -name 'practice-pg.*' -mmin +10 2>/dev/null)
}

lpg_throwaway() {
    local dir port=55433 attempts=0
    lpg_prune_throwaways
    dir=$(mktemp -d /tmp/practice-pg.XXXXXX)
    while (( attempts < 20 )); do
        while lpg_port_in_use "$port"; do port=$((port + 1)); done
        attempts=$((attempts + 1))
        rm -f "$dir/server.log"
        # A separate process, so that `set -e` stays in force inside start.
        if bash "$LPG_SELF" start "$dir" "$port"; then
            echo "DATADIR=$dir"
            echo "CONNECTION=Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
            return 0
        fi
        # Another process may have grabbed the port between the check and the start.
        if grep -q 'Address already in use' "$dir/server.log" 2>/dev/null; then
            lpg_log "port $port was taken, trying the next one"
            port=$((port + 1))
            continue
        fi
        break
    done
    lpg_destroy "$dir"
    lpg_die "could not start a throwaway PostgreSQL server"
}

lpg_destroy() {
    local dir
    dir=$(realpath -m "${1:?usage: destroy DATADIR}")
    [[ $dir =~ ^/tmp/practice-pg\.[A-Za-z0-9]+$ ]] \
        || lpg_die "refusing to destroy $dir: not a throwaway directory (/tmp/practice-pg.*)"
    [[ -d $dir ]] || return 0
    # The data is discarded anyway, so skip the shutdown checkpoint.
    lpg_stop "$dir" immediate
    rm -rf "$dir"
}

# The browser tests drive Debian's Chromium (no browser downloads here).
lpg_ensure_chromium() {
    [[ -x /usr/bin/chromium ]] && return 0
    if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        lpg_die "Chromium is needed for the browser tests. Install it with: sudo apt-get install chromium"
    fi
    lpg_apt_install chromium || lpg_die "could not install chromium with apt-get"
}

lpg_main() {
    local cmd=${1:-}
    shift || true
    case $cmd in
        find-bin)  lpg_find_bin ;;
        start)     lpg_start "$@" ;;
        stop)      lpg_stop "${1:?usage: stop DATADIR}" ;;
        ensure-db) lpg_ensure_db "$@" ;;
        throwaway) lpg_throwaway ;;
        destroy)   lpg_destroy "$@" ;;
        ensure-chromium) lpg_ensure_chromium ;;
        *)
            echo "usage: $0 {find-bin | start DATADIR PORT [PASSWORD_FILE] | stop DATADIR | ensure-db DATADIR PORT DBNAME | throwaway | destroy DATADIR | ensure-chromium}" >&2
            exit 2
            ;;
    esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    shopt -s inherit_errexit
    lpg_main "$@"
fi
