#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the test suite and prints its URL on the last line.
# Installs the Debian package when PostgreSQL is missing. Usage: .ci/start-postgres.sh [DIR] [PORT]
set -euo pipefail
dir="${1:-/tmp/nara-ci-postgres}"
port="${2:-55432}"

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "installing PostgreSQL from Debian packages..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi

# PostgreSQL refuses to run as root: run the cluster as the postgres user when we are root.
as_db() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ -f "$dir/postmaster.pid" ]; then
  as_db "$bindir/pg_ctl" -D "$dir" -m fast stop >&2 || true
fi
rm -rf "$dir"
mkdir -p "$dir"
[ "$(id -u)" = "0" ] && chown postgres "$dir"
pwfile=$(mktemp)
echo "nara-ci" > "$pwfile"
chmod 644 "$pwfile"
as_db "$bindir/initdb" -D "$dir" -U nara --pwfile="$pwfile" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >&2
rm -f "$pwfile"
as_db "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c shared_buffers=128MB" start >&2
PGPASSWORD=nara-ci "$bindir/createdb" -h 127.0.0.1 -p "$port" -U nara nara_test >&2
echo "postgres://nara:nara-ci@127.0.0.1:$port/nara_test"
