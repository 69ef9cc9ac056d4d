#!/usr/bin/env bash
# Throughput, latency and memory of a release build, as ratios to the server's own ceiling
# measured in the same run. Needs wrk (Debian package) and curl.
#
#   Benchmarks/run.sh            # 20 s per route, 64 connections
#   DURATION=10 CONNECTIONS=32 Benchmarks/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${DURATION:-20}"
connections="${CONNECTIONS:-64}"
threads="${THREADS:-2}"
port="${PORT:-18181}"
base="http://127.0.0.1:$port"

command -v wrk >/dev/null || { echo "install wrk: apt-get install -y wrk" >&2; exit 1; }
swift build -c release --product nara >&2
nara=$(swift build -c release --show-bin-path)/nara

work=$(mktemp -d /tmp/nara-bench.XXXXXX)
"$nara" serve --data-dir "$work/data" --port "$port" --log-level warning > "$work/server.out" 2> "$work/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 1; done

# A signed-in citizen for "My Nara".
jar="$work/cookies"
csrf=$(curl -fsS -c "$jar" -b "$jar" "$base/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
curl -fsS -c "$jar" -b "$jar" -o /dev/null --data-urlencode "_csrf=$csrf" --data-urlencode "username=kim.minji" \
  --data-urlencode "password=Nara-demo-2026!" "$base/login"
cookie=$(awk '$6 ~ /^nara_/ {printf "%s=%s; ", $6, $7}' "$jar")
curl -fsS -H "Cookie: $cookie" "$base/my" | grep -q "My Nara\|나의 나라" || { echo "sign-in for the benchmark failed" >&2; exit 1; }

export NARA_BENCH_CLIENT_ID=$(grep -o "client_id [^,]*" "$work/server.out" | awk '{print $2}')
export NARA_BENCH_CLIENT_SECRET=$(grep -o "client_secret .*" "$work/server.out" | awk '{print $2}')

run() {  # name, extra wrk arguments...
  local name="$1"; shift
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$@")
  local rps p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  local non2xx
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  echo "$name|$rps|$p99|${non2xx:-0}"
}

echo "warming up..." >&2
wrk -t2 -c16 -d3s "$base/" >/dev/null
results=()
results+=("$(run "plaintext ceiling (/ping)" "$base/ping")")
results+=("$(run "home page (/), visitor" "$base/")")
results+=("$(run "home page (/), signed in: rendered per request" -H "Cookie: $cookie" "$base/")")
results+=("$(run "My Nara, signed in (/my)" -H "Cookie: $cookie" "$base/my")")
results+=("$(run "token (POST /api/v1/auth/token)" -s Benchmarks/token.lua "$base/api/v1/auth/token")")

# Memory after at least 100,000 requests in total.
served=$(curl -fsS "$base/metrics" | awk '/^nara_http_requests_total/ {sum += $2} END {print sum}')
while [ "${served%.*}" -lt 100000 ]; do
  wrk -t2 -c64 -d5s "$base/" >/dev/null
  served=$(curl -fsS "$base/metrics" | awk '/^nara_http_requests_total/ {sum += $2} END {print sum}')
done
rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
peak_kb=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)

ceiling=$(echo "${results[0]}" | cut -d'|' -f2)
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); wrk -t$threads -c$connections -d${duration}s on the same host"
echo
echo "| route | requests/s | p99 latency | ratio to ceiling | non-2xx |"
echo "|---|---:|---:|---:|---:|"
for row in "${results[@]}"; do
  IFS='|' read -r name rps p99 non2xx <<< "$row"
  ratio=$(awk -v a="$rps" -v b="$ceiling" 'BEGIN {printf "%.0f%%", 100 * a / b}')
  echo "| $name | $rps | $p99 | $ratio | $non2xx |"
done
echo
echo "Requests served: ${served%.*}; resident memory now $((rss_kb / 1024)) MB, peak $((peak_kb / 1024)) MB"
