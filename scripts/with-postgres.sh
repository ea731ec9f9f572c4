#!/usr/bin/env bash
# Runs CMD… beside a throwaway PostgreSQL 15 cluster: a temporary directory, a free port, the
# server stopped and the directory removed on every exit, failure included. CMD reads
# CENTIME_TEST_POSTGRES=postgres://postgres@127.0.0.1:PORT/postgres.
# Debian's server refuses to run as root, so the cluster belongs to the postgres user.
set -euo pipefail
if [ $# -eq 0 ]; then
  echo "usage: scripts/with-postgres.sh CMD…" >&2
  exit 2
fi
B=${POSTGRES_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$B/initdb" ]; then
  echo "with-postgres: no PostgreSQL 15 server in $B; install Debian's postgresql package (make deps)" >&2
  exit 1
fi
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
D=$(mktemp -d)
chmod 755 "$D"
started=
cleanup() {
  if [ -n "$started" ]; then
    as_postgres "$B/pg_ctl" -D "$D/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ "$(id -u)" -eq 0 ]; then
  install -d -o postgres -g postgres -m 700 "$D/data"
  install -d -o postgres -g postgres "$D/sock" "$D/log"
else
  install -d -m 700 "$D/data"
  install -d "$D/sock" "$D/log"
fi
as_postgres "$B/initdb" -D "$D/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$D/initdb.out" 2>&1 || {
  cat "$D/initdb.out" >&2
  exit 1
}
# A free port: asked of the kernel, then given to the server (a race with another process is
# possible but rare; the start then fails loudly).
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
started=1
as_postgres "$B/pg_ctl" -D "$D/data" -l "$D/log/pg.log" -w \
  -o "-p $PORT -k $D/sock -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null || {
  cat "$D/log/pg.log" >&2
  exit 1
}
export CENTIME_TEST_POSTGRES="postgres://postgres@127.0.0.1:$PORT/postgres"
echo "with-postgres: PostgreSQL on 127.0.0.1:$PORT ($D)" >&2
"$@"
