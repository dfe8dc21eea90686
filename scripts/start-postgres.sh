#!/usr/bin/env bash
# Starts (or reuses) a throwaway PostgreSQL cluster for the test suite on 127.0.0.1:55432 and prints
# `export SLIPWAY_TEST_PG_URL=...` on stdout; everything else goes to stderr. Installs nothing.
# Usage: eval "$(scripts/start-postgres.sh)"
set -euo pipefail

PORT="${SLIPWAY_PG_PORT:-55432}"
BASE="${SLIPWAY_PG_DIR:-/tmp/slipway-postgres}"
DATA="$BASE/data"
ROLE=slipway

if [[ -n "${SLIPWAY_PG_BIN:-}" ]]; then
  BIN="$SLIPWAY_PG_BIN"
else
  BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [[ -z "$BIN" ]] && BIN="$(dirname "$(command -v initdb || echo /usr/bin/initdb)")"
fi
[[ -x "$BIN/initdb" ]] || { echo "start-postgres: initdb not found (set SLIPWAY_PG_BIN)" >&2; exit 1; }

# Postgres refuses to run as root: run its tools as the postgres user then.
as_postgres() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [[ "$(id -u)" == 0 ]] && ! id postgres >/dev/null 2>&1; then
  echo "start-postgres: the postgres user does not exist" >&2; exit 1
fi

mkdir -p "$BASE"
[[ "$(id -u)" == 0 ]] && chown postgres:postgres "$BASE"

if [[ ! -f "$DATA/PG_VERSION" ]]; then
  echo "start-postgres: creating cluster in $DATA" >&2
  as_postgres "$BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C >&2
fi

if ! as_postgres "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1; then
  echo "start-postgres: starting on 127.0.0.1:$PORT" >&2
  as_postgres "$BIN/pg_ctl" start -D "$DATA" -w -t 60 -l "$BASE/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $BASE -c fsync=off -c synchronous_commit=off" >&2
fi

psql_admin() {
  as_postgres "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -tAc "$1"
}

if [[ "$(psql_admin "select 1 from pg_roles where rolname = '$ROLE'")" != 1 ]]; then
  psql_admin "create role $ROLE login createdb" >&2
fi
if [[ "$(psql_admin "select 1 from pg_database where datname = '$ROLE'")" != 1 ]]; then
  psql_admin "create database $ROLE owner $ROLE" >&2
fi

echo "export SLIPWAY_TEST_PG_URL=postgres://$ROLE@127.0.0.1:$PORT/$ROLE"
