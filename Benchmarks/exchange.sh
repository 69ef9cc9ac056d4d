#!/usr/bin/env bash
# Exchange look-ups per second with full signing and logging on SQLite, against the same request
# with signing off (NARA_EXCHANGE_SIGNING=off), measured in the same run; each server's /ping
# ceiling is measured too. Needs wrk and curl (Debian packages) and python3.
#
#   Benchmarks/exchange.sh                  # 20 s per measurement, 32 connections
#   DURATION=10 Benchmarks/exchange.sh
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${DURATION:-20}"
connections="${CONNECTIONS:-32}"
threads="${THREADS:-2}"
port="${PORT:-18182}"
base="http://127.0.0.1:$port"

command -v wrk >/dev/null || { echo "install wrk: apt-get install -y wrk" >&2; exit 1; }
swift build -c release --product nara >&2
nara=$(swift build -c release --show-bin-path)/nara
work=$(mktemp -d /tmp/nara-xbench.XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT

# One measurement: wrk output reduced to "requests/s|p99|non-2xx|requests".
run() {
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$@")
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}')|$(echo "$out" | awk '$1 == "99%" {print $2}')|$(echo "$out" | awk '/Non-2xx/ {print $5}')|$(echo "$out" | awk '/requests in/ {print $1}')"
}

measure() {  # mode (on|off)
  local mode="$1" data="$work/data-$1"
  NARA_EXCHANGE_SIGNING="$mode" "$nara" serve --data-dir "$data" --port "$port" --log-level warning > "$work/server-$mode.out" 2> "$work/server-$mode.log" &
  pid=$!
  for _ in $(seq 1 180); do
    curl -fsS "$base/readyz" >/dev/null 2>&1 && break
    kill -0 $pid 2>/dev/null || { tail -20 "$work/server-$mode.log" >&2; echo "the server exited" >&2; exit 1; }
    sleep 1
  done
  local secret
  secret=$(grep -o "(TOTP, SHA-1, 6 digits, 30 s): [A-Z2-7]*" "$work/server-$mode.out" | awk '{print $NF}')
  # A Public Procurement Service official checks bidders' business status (granted by the NTS in the demo data).
  export BENCH_EXCHANGE_TOKEN=$(python3 - "$base" "$secret" <<'PY'
import base64, hashlib, hmac, json, struct, sys, time, urllib.request
base, secret = sys.argv[1:3]
key = base64.b32decode(secret + "=" * (-len(secret) % 8))
digest = hmac.new(key, struct.pack(">Q", int(time.time() // 30)), hashlib.sha1).digest()
offset = digest[-1] & 0x0F
code = f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"
body = json.dumps({"grant_type": "password", "username": "official.pps", "password": "Nara-demo-2026!", "totp": code}).encode()
request = urllib.request.Request(base + "/api/v1/auth/token", data=body, headers={"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(request))["access_token"])
PY
)
  export BENCH_EXCHANGE_BUSINESS=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT business_number FROM accounts WHERE username = 'hanbit.construction'\").fetchone()[0])" "$data/nara.sqlite")
  curl -fsS -o /dev/null -H "Authorization: Bearer $BENCH_EXCHANGE_TOKEN" -H "Content-Type: application/json" \
    -d "{\"consumerAgency\":\"1230000\",\"informationType\":\"business.status\",\"subject\":{\"businessNumber\":\"$BENCH_EXCHANGE_BUSINESS\"},\"purpose\":\"check\",\"legalBasis\":\"egov-act-36-statute\"}" \
    "$base/api/v1/exchange/requests" || { echo "the benchmark look-up is refused" >&2; exit 1; }
  wrk -t2 -c16 -d3s -s Benchmarks/exchange.lua "$base/api/v1/exchange/requests" >/dev/null
  echo "ping-$mode|$(run "$base/ping")"
  echo "exchange-$mode|$(run -s Benchmarks/exchange.lua "$base/api/v1/exchange/requests")"
  kill -TERM $pid; wait $pid || true; pid=""
  # Every acknowledged look-up is in the log, and the log verifies.
  "$nara" exchange verify-log --data-dir "$data" 2>/dev/null | sed "s/^/verify-$mode|/"
}

results=$(measure on; measure off)
field() { echo "$results" | awk -F'|' -v k="$1" -v i="$2" '$1 == k {print $i}'; }
ping_on=$(field ping-on 2); ping_off=$(field ping-off 2)
on=$(field exchange-on 2); off=$(field exchange-off 2)

echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); wrk -t$threads -c$connections -d${duration}s on the same host; SQLite"
echo
echo "| measurement | requests/s | p99 latency | ratio | non-2xx | requests |"
echo "|---|---:|---:|---:|---:|---:|"
for key in ping-on exchange-on ping-off exchange-off; do
  IFS='|' read -r _ rps p99 non2xx total <<< "$(echo "$results" | grep "^$key|")"
  case $key in
    ping-*) ratio="100% (ceiling)" ;;
    exchange-on) ratio=$(awk -v a="$rps" -v b="$ping_on" 'BEGIN {printf "%.0f%% of ceiling", 100 * a / b}') ;;
    exchange-off) ratio=$(awk -v a="$rps" -v b="$ping_off" 'BEGIN {printf "%.0f%% of ceiling", 100 * a / b}') ;;
  esac
  label=$(echo "$key" | sed 's/ping-on/\/ping, signing on/;s/ping-off/\/ping, signing off/;s/exchange-on/look-up, signed and logged/;s/exchange-off/look-up, logged, signing off/')
  echo "| $label | $rps | $p99 | $ratio | ${non2xx:-0} | $total |"
done
echo
awk -v a="$on" -v b="$off" 'BEGIN {printf "Signing overhead: %.0f%% (signed %.0f/s against %.0f/s unsigned)\n", 100 * (1 - a / b), a, b}'
echo "$results" | grep "^verify-" | cut -d'|' -f2- | sed 's/^/Log after the run: /'
