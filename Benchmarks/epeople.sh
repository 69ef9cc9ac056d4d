#!/usr/bin/env bash
# e-People under load (issue #7), on SQLite (WAL, synchronous=FULL) and on PostgreSQL: see
# Benchmarks/EPeople/main.swift and Benchmarks/README.md. Builds the release binaries, runs
# `nara-epeople` once per database against a fresh demo government with 10,000 more citizens, and
# prints its rows: /ping, complaint filing and petition signing, then the 10,000-signature verdict.
#
#   Benchmarks/epeople.sh                        # 64 connections, 30 s of filing, both databases
#   DATABASES=sqlite EPEOPLE_SECONDS=60 Benchmarks/epeople.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product nara >&2
swift build -c release --product nara-epeople >&2
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d /tmp/nara-epeople.XXXXXX)
pg_dir=/tmp/nara-epeople-postgres
. Benchmarks/lib.sh
cleanup() {
  stop_postgres "$pg_dir"
  rm -rf "$work"
}
trap cleanup EXIT

status=0
echo "| database | measurement | requests | per s | median | p99 | errors | ratio to /ping |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for database in ${DATABASES:-sqlite postgres}; do
  if [ "$database" = "postgres" ]; then
    rm -rf "$pg_dir"
    url=$(.ci/start-postgres.sh "$pg_dir" 55435 | tail -1)
    NARA_DATABASE_URL="$url" EPEOPLE_SERVER="$bin/nara" EPEOPLE_DATA="$work/pg" "$bin/nara-epeople" 2> "$work/epeople-pg.log" > "$work/epeople-pg.out" || status=$?
    cat "$work/epeople-pg.out"
  else
    EPEOPLE_SERVER="$bin/nara" EPEOPLE_DATA="$work/sqlite" "$bin/nara-epeople" 2> "$work/epeople-sqlite.log" > "$work/epeople-sqlite.out" || status=$?
    cat "$work/epeople-sqlite.out"
  fi
done
for log in "$work"/epeople-*.log; do echo; echo "## $(basename "$log")"; cat "$log"; done
exit $status
