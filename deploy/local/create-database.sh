#!/usr/bin/env bash
# Creates the platform's own database on the local PostgreSQL unless it exists, so the services
# and the tests' admin connections stay out of the server's shared `postgres` maintenance
# database. Called by up.sh; safe to run on its own and to run again.
#
#   bash deploy/local/create-database.sh
#
# Environment (all optional):
#   PGPORT_LOCAL    PostgreSQL port on 127.0.0.1   (default 5432)
#   LOCAL_DATABASE  the database to create          (default complaints)
set -Eeuo pipefail

HOST=127.0.0.1
PG_PORT=${PGPORT_LOCAL:-5432}
DATABASE=${LOCAL_DATABASE:-complaints}

die() { printf '[local-up] ERROR: %s\n' "$*" >&2; exit 1; }

# Interpolated into SQL below: a plain identifier only.
[[ $DATABASE =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "LOCAL_DATABASE must be lower-case letters, digits and _, got \"$DATABASE\""

PSQL=$(command -v psql || printf '%s\n' /usr/lib/postgresql/*/bin/psql | sort -V | tail -n1)
[[ -x $PSQL ]] || die "no psql found (apt-get install postgresql-client) to create the database $DATABASE"
sql() { PGCONNECT_TIMEOUT=10 "$PSQL" -h "$HOST" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -tAqc "$1"; }

exists() { [[ $(sql "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'") == 1 ]]; }

if ! exists; then
  # Another run may create it between the look and the CREATE: only its absence afterwards fails.
  sql "CREATE DATABASE \"$DATABASE\"" >/dev/null 2>&1 || exists \
    || die "could not create the database $DATABASE on $HOST:$PG_PORT: $(sql "CREATE DATABASE \"$DATABASE\"" 2>&1 || true)"
  printf '[local-up] created the database %s on %s:%s\n' "$DATABASE" "$HOST" "$PG_PORT"
fi
