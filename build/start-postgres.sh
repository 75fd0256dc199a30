#!/usr/bin/env bash
# Starts a PostgreSQL server for the tests and benchmarks, listening on 127.0.0.1 only, port
# ${AUTODEV_POSTGRES_PORT:-55432}, data in /var/lib/autodev/postgres, trusted connections from loopback.
# Idempotent: a server already answering on the port is left as it is. Needs root (it runs the server as postgres).
set -euo pipefail

port="${AUTODEV_POSTGRES_PORT:-55432}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -n "$bin" ] || { echo "PostgreSQL is not installed (apt-get install -y postgresql)." >&2; exit 1; }
data=/var/lib/autodev/postgres

if "$bin/pg_isready" -h 127.0.0.1 -p "$port" -q; then
  exit 0
fi

mkdir -p "$data"
chown postgres:postgres "$data"
chmod 700 "$data"
if [ ! -f "$data/PG_VERSION" ]; then
  runuser -u postgres -- "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null
fi
runuser -u postgres -- "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
  -o "-p $port -c listen_addresses=127.0.0.1 -k /tmp -c max_connections=200" start >/dev/null
echo "PostgreSQL ready on 127.0.0.1:$port"
