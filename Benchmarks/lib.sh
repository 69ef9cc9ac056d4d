# Shared by the benchmark scripts (source it).

# Stops the throwaway PostgreSQL cluster in $1, if it runs.
stop_postgres() {
  local dir=$1 bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$bindir" ] && [ -f "$dir/postmaster.pid" ]; then
    if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$bindir/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true
    else "$bindir/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true; fi
  fi
}
