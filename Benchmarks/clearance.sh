#!/usr/bin/env bash
# Export clearance in seconds (issue #6), on SQLite (WAL, synchronous=FULL) and on PostgreSQL: see
# Benchmarks/Clearance/main.swift and Benchmarks/README.md. Builds the release binaries, runs
# `nara-clearance` once per database against a fresh demo government and prints one row each.
#
#   Benchmarks/clearance.sh                     # 32 connections, 30 s, both databases
#   DATABASES=sqlite CLEAR_SECONDS=60 Benchmarks/clearance.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product nara >&2
swift build -c release --product nara-clearance >&2
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d /tmp/nara-clearance.XXXXXX)
pg_dir=/tmp/nara-clearance-postgres
. Benchmarks/lib.sh
cleanup() {
  stop_postgres "$pg_dir"
  rm -rf "$work"
}
trap cleanup EXIT

echo "| database | declarations | declarations/s | released in the request (green) | green median | green p99 | all p99 | errors | /ping per s | ratio to /ping |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for database in ${DATABASES:-sqlite postgres}; do
  if [ "$database" = "postgres" ]; then
    rm -rf "$pg_dir"
    url=$(.ci/start-postgres.sh "$pg_dir" 55434 | tail -1)
    NARA_DATABASE_URL="$url" CLEAR_SERVER="$bin/nara" CLEAR_DATA="$work/pg" "$bin/nara-clearance" 2> "$work/clearance-pg.log"
  else
    CLEAR_SERVER="$bin/nara" CLEAR_DATA="$work/sqlite" "$bin/nara-clearance" 2> "$work/clearance-sqlite.log"
  fi
done
for log in "$work"/clearance-*.log; do echo; echo "## $(basename "$log")"; cat "$log"; done
