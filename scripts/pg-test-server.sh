#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the tests: `start` prints its URL, `stop` removes it.
#   eval "$(scripts/pg-test-server.sh start)"   # exports RELINK_TEST_POSTGRES_URL
#   scripts/pg-test-server.sh stop
set -euo pipefail
PORT="${RELINK_TEST_PG_PORT:-55432}"
DIR="${RELINK_TEST_PG_DIR:-/tmp/relink-test-pg-$PORT}"

find_bin() {
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  command -v pg_ctl >/dev/null 2>&1 && { dirname "$(command -v pg_ctl)"; return 0; }
  return 1
}

as_pg() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    BIN="$(find_bin)" || { echo "PostgreSQL server binaries not found; install them with: apt-get install -y postgresql" >&2; exit 1; }
    if as_pg "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
      echo "export RELINK_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
      exit 0
    fi
    rm -rf "$DIR"
    mkdir -p "$DIR"
    [ "$(id -u)" = "0" ] && chown postgres:postgres "$DIR"
    as_pg "$BIN/initdb" -D "$DIR" -U postgres --auth=trust --no-sync -E UTF8 >/dev/null
    as_pg "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 \
      -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
    echo "export RELINK_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    BIN="$(find_bin)" || exit 0
    as_pg "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
