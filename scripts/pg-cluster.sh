#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster on 127.0.0.1 for the test suite.
#
#   scripts/pg-cluster.sh start [DIR]   initdb + start on a free port, print the URL
#   scripts/pg-cluster.sh url   [DIR]   print postgresql+psycopg://postgres@127.0.0.1:PORT/postgres
#   scripts/pg-cluster.sh stop  [DIR]   stop the server and remove DIR
#
# DIR defaults to $PG_CLUSTER_DIR, else var/pg-test (relative to the repository root).
# As root the server runs as the `postgres` user (it refuses to run as root); as any
# other user it runs as that user. Server binaries: $PG_BINDIR, else
# /usr/lib/postgresql/15/bin.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_BINDIR="${PG_BINDIR:-/usr/lib/postgresql/15/bin}"

cmd="${1:-}"
dir="${2:-${PG_CLUSTER_DIR:-$ROOT/var/pg-test}}"
case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac

die() { echo "pg-cluster: $*" >&2; exit 1; }

# Run a command as the cluster's owner.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- env PATH="$PG_BINDIR:$PATH" "$@"
    else
        env PATH="$PG_BINDIR:$PATH" "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

url() {
    [ -f "$dir/port" ] || die "no cluster in $dir (run: $0 start $dir)"
    echo "postgresql+psycopg://postgres@127.0.0.1:$(cat "$dir/port")/postgres"
}

start() {
    [ -x "$PG_BINDIR/initdb" ] || die "$PG_BINDIR/initdb not found (apt-get install postgresql)"
    # A server that died (e.g. the machine restarted) leaves its pid file behind:
    # only a live server stops a fresh start.
    if [ -f "$dir/home" ] && as_owner pg_ctl -D "$(cat "$dir/home")/data" status >/dev/null 2>&1; then
        die "a cluster is already running in $dir (stop it with: $0 stop $dir)"
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    # The server's own folder (data + log): $dir itself, owned by the server's user.
    local home="$dir"
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || die "user postgres missing (apt-get install postgresql)"
        chown postgres: "$dir"
        if ! runuser -u postgres -- test -w "$dir"; then
            # A parent folder is closed to postgres (e.g. a checkout under a 0700 home).
            home="$(mktemp -d "${TMPDIR:-/tmp}/nearzero-pg.XXXXXX")"
            chown postgres: "$home"
            echo "pg-cluster: postgres cannot reach $dir; using $home" >&2
        fi
    fi
    echo "$home" >"$dir/home"
    as_owner initdb -D "$home/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }

    # A free port can be taken between picking and binding: try a few.
    local port attempt
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        # No Unix socket (empty unix_socket_directories): TCP on 127.0.0.1 only, so a
        # long checkout path can't exceed the socket path limit. Durability is off: the
        # cluster is thrown away.
        if as_owner pg_ctl -D "$home/data" -w -t 60 -l "$home/server.log" \
            -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >/dev/null; then
            echo "$port" >"$dir/port"
            url
            return 0
        fi
        echo "pg-cluster: start on port $port failed (attempt $attempt):" >&2
        tail -n 5 "$home/server.log" >&2 || true
    done
    die "could not start PostgreSQL"
}

stop() {
    local home="$dir"
    [ -f "$dir/home" ] && home="$(cat "$dir/home")"
    if [ -f "$home/data/postmaster.pid" ] && as_owner pg_ctl -D "$home/data" status >/dev/null 2>&1; then
        as_owner pg_ctl -D "$home/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
            || as_owner pg_ctl -D "$home/data" -m immediate -w -t 30 stop >/dev/null 2>&1 \
            || echo "pg-cluster: could not stop the server in $home/data" >&2
    fi
    [ "$home" = "$dir" ] || rm -rf "$home"
    rm -rf "$dir"
}

case "$cmd" in
    start) start ;;
    stop) stop ;;
    url) url ;;
    *) echo "usage: $0 start|stop|url [DIR]" >&2; exit 2 ;;
esac
