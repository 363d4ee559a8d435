#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for the gallery tests and prints the URL to use.
#   eval "$(scripts/ci-postgres.sh)"   # exports FACEKIT_TEST_PG_URL
#   scripts/ci-postgres.sh stop        # stops it and removes the data dir
# Installs Debian's postgresql if no server binaries are present (needs root, non-interactive).
# Port and data dir: FACEKIT_PG_PORT (default 55432), FACEKIT_PG_DIR (default /tmp/facekit-pg).
set -euo pipefail
PORT="${FACEKIT_PG_PORT:-55432}"
DIR="${FACEKIT_PG_DIR:-/tmp/facekit-pg}"
DB=facekit_test

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

# run a command as the postgres user when we are root (initdb refuses to run as root)
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-}" = stop ]; then
  BIN="$(bindir)"
  [ -n "$BIN" ] && [ -f "$DIR/PG_VERSION" ] && as_pg "$BIN/pg_ctl" -D "$DIR" -m fast stop >&2 || true
  rm -rf "$DIR"
  exit 0
fi

if [ -z "$(bindir)" ]; then
  echo "== installing postgresql (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
BIN="$(bindir)"

if [ ! -f "$DIR/PG_VERSION" ]; then
  rm -rf "$DIR"
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
  as_pg "$BIN/initdb" -D "$DIR" -A trust -U postgres -E UTF8 >&2
fi

if ! as_pg "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
  # socket dir inside the data dir: /var/run/postgresql may not exist or be writable
  as_pg "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100" start >&2
fi

if ! as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB" >&2
fi

URL="postgres://postgres@127.0.0.1:$PORT/$DB"
echo "export FACEKIT_TEST_PG_URL=$URL"
