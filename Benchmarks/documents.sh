#!/usr/bin/env bash
# Certificate issuance (PDF rendered with a per-document font subset, QR code, JWS token, PAdES
# signature, encrypted and committed on SQLite) per second, and public verification by number and
# code per second, each beside the server's /ping ceiling measured in the same run. Needs wrk and
# curl (Debian packages) and python3.
#
#   Benchmarks/documents.sh                  # 20 s per measurement, 32 connections (8 for issuance)
#   DURATION=10 Benchmarks/documents.sh
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${DURATION:-20}"
connections="${CONNECTIONS:-32}"
threads="${THREADS:-2}"
port="${PORT:-18183}"
base="http://127.0.0.1:$port"

command -v wrk >/dev/null || { echo "install wrk: apt-get install -y wrk" >&2; exit 1; }
swift build -c release --product nara >&2
nara=$(swift build -c release --show-bin-path)/nara
work=$(mktemp -d /tmp/nara-dbench.XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT

run() {
  local out
  out=$(wrk -t"$threads" -c"${connections}" -d"${duration}s" --latency "$@")
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}')|$(echo "$out" | awk '$1 == "99%" {print $2}')|$(echo "$out" | awk '/Non-2xx/ {print $5}')|$(echo "$out" | awk '/requests in/ {print $1}')"
}

data="$work/data"
"$nara" serve --data-dir "$data" --port "$port" --log-level warning > "$work/server.out" 2> "$work/server.log" &
pid=$!
for _ in $(seq 1 180); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { tail -20 "$work/server.log" >&2; echo "the server exited" >&2; exit 1; }
  sleep 1
done
secret=$(grep -o "(TOTP, SHA-1, 6 digits, 30 s): [A-Z2-7]*" "$work/server.out" | awk '{print $NF}')
# The Jongno-gu Office's signer issues outdoor advertising permits for a demo citizen.
export BENCH_DOCUMENT_TOKEN=$(python3 - "$base" "$secret" <<'PY'
import base64, hashlib, hmac, json, struct, sys, time, urllib.request
base, secret = sys.argv[1:3]
key = base64.b32decode(secret + "=" * (-len(secret) % 8))
digest = hmac.new(key, struct.pack(">Q", int(time.time() // 30)), hashlib.sha1).digest()
offset = digest[-1] & 0x0F
code = f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"
body = json.dumps({"grant_type": "password", "username": "official.jongno", "password": "Nara-demo-2026!", "totp": code}).encode()
request = urllib.request.Request(base + "/api/v1/auth/token", data=body, headers={"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(request))["access_token"])
PY
)
issue_body='{"documentType":"permit.outdoor-advertising","titleEN":"Outdoor Advertising Permit","titleKO":"옥외광고물 표시 허가증","subjectName":"김민지","subjectIdentifier":"900512-2******","validDays":1095,"facts":[{"key":"kind","labelEN":"Kind of sign","labelKO":"광고물 종류","value":"돌출 간판 / Projecting sign","disclosed":true},{"key":"location","labelEN":"Place","labelKO":"설치 장소","value":"서울특별시 종로구 인사동길 12, 1층 정면"},{"key":"area","labelEN":"Area","labelKO":"면적","value":"3 ㎡ (1.5 m × 2.0 m)"},{"key":"until","labelEN":"Display until","labelKO":"표시 기간","value":"2029-11-27"},{"key":"conditions","labelEN":"Conditions","labelKO":"허가 조건","value":"야간 조명은 23시까지로 하며, 보행자 통행에 지장이 없도록 지면에서 3 m 이상 높이에 설치할 것. Lighting until 23:00; at least 3 m above the pavement."}]}'
first=$(curl -fsS -H "Authorization: Bearer $BENCH_DOCUMENT_TOKEN" -H "Content-Type: application/json" -d "$issue_body" "$base/api/v1/documents") \
  || { echo "the benchmark issuance is refused" >&2; exit 1; }
number=$(echo "$first" | python3 -c 'import json,sys; print(json.load(sys.stdin)["document"]["number"])')
code=$(echo "$first" | python3 -c 'import json,sys; print(json.load(sys.stdin)["shortCode"])')
before=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM issued_documents').fetchone()[0])" "$data/nara.sqlite")

echo "ping|$(run "$base/ping")" > "$work/results"
export BENCH_DOCUMENT_BODY="$issue_body"
issue_connections="${ISSUE_CONNECTIONS:-8}"
issue_result=$(connections=$issue_connections run -s Benchmarks/documents.lua "$base/api/v1/documents")
echo "issue|$issue_result" >> "$work/results"
export BENCH_DOCUMENT_TOKEN=""
export BENCH_DOCUMENT_BODY="{\"number\":\"$number\",\"code\":\"$code\"}"
echo "verify|$(run -s Benchmarks/documents.lua "$base/api/v1/documents/verify")" >> "$work/results"
outcome=$(curl -fsS -H "Content-Type: application/json" -d "$BENCH_DOCUMENT_BODY" "$base/api/v1/documents/verify" | python3 -c 'import json,sys; print(json.load(sys.stdin)["outcome"])')
kill -TERM $pid; wait $pid || true; pid=""

# Every acknowledged issuance is stored (wrk counts 2xx answers; a request cut off at the end may be stored without one).
after=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM issued_documents').fetchone()[0])" "$data/nara.sqlite")
IFS='|' read -r _ _ issue_non2xx issue_total <<< "$issue_result"
acknowledged=$(( issue_total - ${issue_non2xx:-0} ))
results=$(cat "$work/results")
field() { echo "$results" | awk -F'|' -v k="$1" -v i="$2" '$1 == k {print $i}'; }
ping=$(field ping 2)

echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); wrk -t$threads -d${duration}s on the same host, $connections connections ($issue_connections for issuance); SQLite"
echo
echo "| measurement | requests/s | p99 latency | ratio | non-2xx | requests |"
echo "|---|---:|---:|---:|---:|---:|"
for key in ping issue verify; do
  IFS='|' read -r _ rps p99 non2xx total <<< "$(echo "$results" | grep "^$key|")"
  case $key in
    ping) ratio="100% (ceiling)"; label="/ping" ;;
    issue) ratio=$(awk -v a="$rps" -v b="$ping" 'BEGIN {printf "%.1f%% of ceiling", 100 * a / b}'); label="issue a certificate (PDF, QR, JWS, PAdES, committed)" ;;
    verify) ratio=$(awk -v a="$rps" -v b="$ping" 'BEGIN {printf "%.0f%% of ceiling", 100 * a / b}'); label="verify by number and code" ;;
  esac
  echo "| $label | $rps | $p99 | $ratio | ${non2xx:-0} | $total |"
done
echo
echo "Stored documents: $before before, $after after; acknowledged issuances: $acknowledged (stored ≥ acknowledged: $([ $((after - before)) -ge $acknowledged ] && echo yes || echo NO))"
echo "Verification answer after the run: $outcome"
