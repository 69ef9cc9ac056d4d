#!/usr/bin/env bash
# The deadline rush (issue #5), on SQLite (WAL, synchronous=FULL) and on PostgreSQL: see
# Benchmarks/Rush/main.swift and Benchmarks/README.md. Builds the release binaries, runs
# `nara-rush` once per database and prints one table row each.
#
#   Benchmarks/rush.sh                 # 1,000 tenders, 1,000 suppliers, 5,000 + 200 bids, both databases
#   DATABASES=sqlite Benchmarks/rush.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product nara >&2
swift build -c release --product nara-rush >&2
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d /tmp/nara-rush.XXXXXX)
pg_dir=/tmp/nara-rush-postgres
. Benchmarks/lib.sh
cleanup() {
  stop_postgres "$pg_dir"
  rm -rf "$work"
}
trap cleanup EXIT

echo "| database | capacity bids/s | single-row commits/s | ratio | acknowledged / stored after SIGKILL | lost | late accepted | on-time refused | rush p99 | final-burst p99 | left unopened | all opened after the deadline |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for database in ${DATABASES:-sqlite postgres}; do
  if [ "$database" = "postgres" ]; then
    url=$(.ci/start-postgres.sh "$pg_dir" 55433 | tail -1)
    NARA_DATABASE_URL="$url" RUSH_SERVER="$bin/nara" RUSH_DATA="$work/pg" "$bin/nara-rush" 2> "$work/rush-pg.log" | tee "$work/rush-pg.out" | head -1
  else
    RUSH_SERVER="$bin/nara" RUSH_DATA="$work/sqlite" "$bin/nara-rush" 2> "$work/rush-sqlite.log" | tee "$work/rush-sqlite.out" | head -1
  fi
done
for log in "$work"/rush-*.log; do echo; echo "## $(basename "$log")"; cat "$log"; done
for out in "$work"/rush-*.out; do tail -2 "$out"; done
