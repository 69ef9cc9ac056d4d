#!/usr/bin/env bash
# End-to-end checks of the built `nara` binary: first start with demo data, a real browser
# sign-in with the second factor, the OpenAPI document, graceful shutdown, and the CLI
# (audit verify on the demo database and on a tampered copy, keys, backup, user create).
set -euo pipefail
cd "$(dirname "$0")/.."
nara=.build/debug/nara
work=$(mktemp -d /tmp/nara-e2e.XXXXXX)
port=18080
base="http://127.0.0.1:$port"
venv="${CI_VENV:-$work/venv}"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "E2E FAILURE: $*" >&2; exit 1; }

echo "== e2e: tools"
if ! command -v chromium >/dev/null || [ ! -x /usr/bin/chromedriver ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
command -v openssl >/dev/null || { apt-get update -qq && apt-get install -y -qq openssl >/dev/null; }
# Independent checks of issued certificates: poppler renders the PDF, zbar decodes its QR code.
if ! command -v pdftoppm >/dev/null || ! command -v zbarimg >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils zbar-tools >/dev/null
fi
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q selenium openapi-spec-validator
  "$venv/bin/pip" install -q --no-deps axe-playwright-python   # only for its bundled axe-core
fi
# pyHanko validates PDF signatures (PAdES) against a trust root of our choosing.
"$venv/bin/python" -c "import pyhanko.cli" 2>/dev/null || "$venv/bin/pip" install -q pyhanko pyhanko-cli
# libcoveocds validates the open contracting data against the bundled OCDS 1.1.5 schemas.
[ -x "$venv/bin/libcoveocds" ] || "$venv/bin/pip" install -q libcoveocds
# xmlschema validates customs declarations against the bundled WCO Data Model 3.6 schemas.
"$venv/bin/python" -c "import xmlschema" 2>/dev/null || "$venv/bin/pip" install -q xmlschema
standards="${NARA_STANDARDS_DIR:-$(cd .. && pwd)/shared/standards}"
[ -f "$standards/ocds-1.1.5/ocds-standard-1__1__5.zip" ] || fail "the bundled standards are missing at $standards (set NARA_STANDARDS_DIR)"

echo "== e2e: invalid settings stop start-up with a clear message"
if NARA_PROT=9 "$nara" migrate --data-dir "$work/x" > "$work/bad.log" 2>&1; then fail "unknown setting accepted"; fi
grep -q "NARA_PORT" "$work/bad.log" || fail "no hint for the misspelt setting: $(cat "$work/bad.log")"
if "$nara" migrate --data-dir "$work/x" --port eighty > "$work/bad2.log" 2>&1; then fail "invalid port accepted"; fi

echo "== e2e: first start seeds the demo government"
# Another process on the port would answer /readyz for a server that never bound it.
if curl -fsS "$base/readyz" >/dev/null 2>&1; then fail "port $port is already in use by another server; stop it first"; fi
data="$work/data"
NARA_DATA_DIR="$data" NARA_PORT=$port "$nara" > "$work/server.out" 2> "$work/server.log" &
server_pid=$!
for _ in $(seq 1 120); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; fail "server exited"; }
  sleep 1
done
curl -fsS "$base/readyz" >/dev/null || fail "server not ready"
grep -q "official.mois" "$work/server.out" || fail "demo sign-in names not printed"
secret=$(grep -o "(TOTP, SHA-1, 6 digits, 30 s): [A-Z2-7]*" "$work/server.out" | awk '{print $NF}')
[ -n "$secret" ] || fail "TOTP secret not printed"
[ "$(stat -c %a "$data/master.key")" = "600" ] || fail "master.key is not owner-only"
curl -fsS "$base/" | grep -q "Government services" || fail "home page"

echo "== e2e: OpenAPI 3.1 document is valid"
curl -fsS "$base/api/openapi.json" > "$work/openapi.json"
"$venv/bin/python" - "$work/openapi.json" <<'PY'
import json, sys
from openapi_spec_validator import validate
doc = json.load(open(sys.argv[1]))
validate(doc)
assert doc["openapi"].startswith("3.1"), doc["openapi"]
print("openapi ok:", len(doc["paths"]), "paths")
PY

echo "== e2e: open contracting data (OCDS 1.1.5, libcoveocds and the record-package schema)"
"$venv/bin/python" .ci/ocds_check.py "$base" "$standards/ocds-1.1.5" "$work/ocds"

echo "== e2e: customs declarations as WCO Data Model 3.6 DEC-DMS XML (xmlschema)"
"$venv/bin/python" .ci/wco_check.py "$base" "$standards/wco-dm" "$work/wco"

echo "== e2e: real browser sign-in with the second factor"
"$venv/bin/python" .ci/browser_check.py "$base" "$secret"

echo "== e2e: accessibility (axe-core, WCAG 2.2 A and AA rules)"
"$venv/bin/python" .ci/accessibility_check.py "$base" "$secret"

echo "== e2e: an agency system looks a resident up through the exchange, with the citizen's consent"
client_id=$(sqlite3 "$data/nara.sqlite" "SELECT client_id FROM agency_systems WHERE name LIKE 'Seoul welfare%'")
consent=$(sqlite3 "$data/nara.sqlite" "SELECT reference FROM exchange_consents WHERE withdrawn_at IS NULL AND purpose LIKE 'Youth%' ORDER BY reference LIMIT 1")
[ -n "$client_id" ] && [ -n "$consent" ] || fail "demo exchange system or consent missing"
"$venv/bin/python" - "$base" "$client_id" "$consent" <<'PY'
import json, sys, urllib.request, urllib.error
base, client_id, consent = sys.argv[1:4]
def post(path, body, token=None):
    headers = {"Content-Type": "application/json"}
    if token: headers["Authorization"] = "Bearer " + token
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request) as r: return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e: return e.code, json.loads(e.read())
status, body = post("/api/v1/auth/token", {"grant_type": "client_credentials", "client_id": client_id, "client_secret": "nara_cs_demo-seoul-welfare-2026"})
assert status == 200, body
token = body["access_token"]
digits = [int(c) for c in "900512210234"]
check = (11 - sum(a * b for a, b in zip(digits, [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5])) % 11) % 10
request = {"consumerAgency": "6110000", "informationType": "resident.abstract", "subject": {"nationalId": f"900512-210234{check}"},
           "purpose": "Youth housing subsidy application 청년월세 지원 신청", "legalBasis": "egov-act-36-42-consent", "consentReference": consent}
status, body = post("/api/v1/exchange/requests", request, token)
assert status == 200 and body["data"]["name"] == "김민지" and body["response"]["signature"]["algorithm"] == "ES256", (status, body)
del request["consentReference"]
status, body = post("/api/v1/exchange/requests", request, token)
assert status == 403 and body["code"] == "exchange_consent_required" and body["title"] == "Forbidden", (status, body)
print("exchange ok: delivered with signatures, refused without consent")
PY

echo "== e2e: an issued certificate: pyHanko accepts its signature, zbar reads its QR code, the verification page confirms it"
curl -fsS "$base/api/v1/pki/certificates" | "$venv/bin/python" -c '
import json, sys
for c in json.load(sys.stdin):
    if c["purpose"] == "root": open(sys.argv[1], "w").write(c["certificatePEM"])' "$work/root.pem"
[ -s "$work/root.pem" ] || fail "root certificate not exported"
"$venv/bin/python" - "$base" "$work" <<'PY'
import json, sys, urllib.request
base, work = sys.argv[1:3]
def call(path, body=None, token=None, raw=False, content_type="application/json"):
    headers = {"Content-Type": content_type} if body is not None else {}
    if token: headers["Authorization"] = "Bearer " + token
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(base + path, data=data, headers=headers)) as r:
        payload = r.read()
        return payload if raw else json.loads(payload)
def token(user):
    return call("/api/v1/auth/token", {"grant_type": "password", "username": user, "password": "Nara-demo-2026!"})["access_token"]
outcomes = {}
for user, name in (("kim.minji", "valid"), ("lee.junho", "revoked"), ("choi.woojin", "expired")):
    t = token(user)
    docs = call("/api/v1/me/documents", token=t)
    doc = next(d for d in docs if d["status"] == name)
    pdf = call(f"/api/v1/me/documents/{doc['id']}/pdf", token=t, raw=True)
    open(f"{work}/{name}.pdf", "wb").write(pdf)
    outcomes[name] = call("/api/v1/documents/verify", pdf, content_type="application/pdf")["outcome"]
    if name == "valid": open(f"{work}/valid.number", "w").write(doc["number"])
assert outcomes == {"valid": "valid", "revoked": "revoked", "expired": "expired"}, outcomes
data = bytearray(open(f"{work}/valid.pdf", "rb").read())
i = data.index(b"Resident Registration Abstract")
data[i] = ord("r")
open(f"{work}/tampered.pdf", "wb").write(bytes(data))
print("documents ok: valid, revoked and expired certificates are each reported as such")
PY
"$venv/bin/pyhanko" sign validate --pretty-print --trust "$work/root.pem" --trust-replace "$work/valid.pdf" > "$work/pyhanko.txt" 2>&1 \
  || { cat "$work/pyhanko.txt"; fail "pyHanko rejected an issued certificate"; }
grep -q "judged VALID" "$work/pyhanko.txt" || { cat "$work/pyhanko.txt"; fail "pyHanko did not judge the certificate valid"; }
grep -q "covers the entire file" "$work/pyhanko.txt" || { cat "$work/pyhanko.txt"; fail "the signature does not cover the whole file"; }
if "$venv/bin/pyhanko" sign validate --pretty-print --trust "$work/root.pem" --trust-replace "$work/tampered.pdf" > "$work/pyhanko-bad.txt" 2>&1; then
  fail "pyHanko accepted a certificate with one changed byte"
fi
grep -q "INVALID" "$work/pyhanko-bad.txt" || { cat "$work/pyhanko-bad.txt"; fail "pyHanko did not report the changed byte"; }
# A key outside the platform CA is not trusted: validate against an unrelated root.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/other.key" -out "$work/other.pem" -days 30 -subj "/CN=Other Root" 2>/dev/null
if "$venv/bin/pyhanko" sign validate --pretty-print --trust "$work/other.pem" --trust-replace "$work/valid.pdf" > "$work/pyhanko-other.txt" 2>&1; then
  fail "pyHanko trusted the certificate under an unrelated root"
fi
pdftoppm -png -r 150 -f 1 -l 1 "$work/valid.pdf" "$work/page"
page=$(ls "$work"/page*.png | head -1)
url=$(zbarimg --raw -q -Sdisable -Sqrcode.enable "$page" 2>/dev/null)
number=$(cat "$work/valid.number")
case "$url" in
  "$base/verify?n=$number&c="*"&t="*) ;;
  *) fail "the QR code reads '$url', not the verification address of $number" ;;
esac
curl -fsS "$url" -o "$work/verify.html" || fail "the QR code's address does not answer"
grep -q "Genuine and valid" "$work/verify.html" || fail "the QR code's address does not confirm the certificate"
echo "certificate ok: pyHanko VALID (and INVALID after one byte), QR → $base/verify?n=$number&c=…"

echo "== e2e: graceful shutdown finishes and signs the audit checkpoint"
curl -fsS "$base/agencies" >/dev/null
kill -TERM "$server_pid"
wait "$server_pid" && status=0 || status=$?
server_pid=""
[ "$status" = "0" ] || { tail -20 "$work/server.log"; fail "server exit status $status after SIGTERM"; }
grep -q "audit checkpoint signed at shutdown" "$work/server.log" || fail "no shutdown checkpoint"

echo "== e2e: audit verify passes on the demo database"
"$nara" audit verify --data-dir "$data" | tee "$work/verify.txt"
grep -q "audit chain intact" "$work/verify.txt" || fail "audit verify did not pass"

echo "== e2e: audit verify fails on a tampered copy"
cp -r "$data" "$work/tampered"
rm -f "$work/tampered"/nara.sqlite-wal "$work/tampered"/nara.sqlite-shm
sqlite3 "$work/tampered/nara.sqlite" "UPDATE audit_entries SET detail = 'tampered' WHERE seq = 10;"
[ "$(sqlite3 "$work/tampered/nara.sqlite" "SELECT detail FROM audit_entries WHERE seq = 10")" = "tampered" ] || fail "tamper did not apply"
if "$nara" audit verify --data-dir "$work/tampered" > "$work/tampered.txt" 2>&1; then fail "tampered chain verified"; fi
grep -q "BROKEN at entry 10" "$work/tampered.txt" || fail "wrong report: $(cat "$work/tampered.txt")"

echo "== e2e: exchange verify-log passes on the demo database and fails on a tampered copy"
"$nara" exchange verify-log --data-dir "$data" | tee "$work/xverify.txt"
grep -q "exchange log intact" "$work/xverify.txt" || fail "exchange verify-log did not pass"
sqlite3 "$work/tampered/nara.sqlite" "UPDATE exchange_log SET purpose = 'tampered' WHERE seq = 3;"
if "$nara" exchange verify-log --data-dir "$work/tampered" > "$work/xtampered.txt" 2>&1; then fail "tampered exchange log verified"; fi
grep -q "BROKEN at entry 3" "$work/xtampered.txt" || fail "wrong report: $(cat "$work/xtampered.txt")"

echo "== e2e: exported certificates verify with openssl"
"$nara" keys show --data-dir "$data" --export "$work/certs" > "$work/keys.txt"
head -4 "$work/keys.txt"
count=0
for cert in "$work"/certs/agency-*.pem; do
  openssl verify -CAfile "$work/certs/root.pem" "$cert" >/dev/null || fail "openssl rejected $cert"
  count=$((count + 1))
done
[ "$count" -ge 10 ] || fail "expected a certificate per agency, found $count"
# The demo contract was signed by its supplier with a business certificate.
ls "$work"/certs/business-*.pem >/dev/null 2>&1 || fail "no business signing certificate exported"
for cert in "$work"/certs/business-*.pem; do
  openssl verify -CAfile "$work/certs/root.pem" "$cert" >/dev/null || fail "openssl rejected $cert"
done
openssl verify -CAfile "$work/certs/root.pem" "$work/certs/platform.pem" >/dev/null

echo "== e2e: online backup restores and verifies"
"$nara" backup --data-dir "$data" --to "$work/backup.sqlite"
mkdir -p "$work/restored"
cp "$work/backup.sqlite" "$work/restored/nara.sqlite"
cp "$data/master.key" "$work/restored/master.key"
"$nara" audit verify --data-dir "$work/restored" | grep -q "audit chain intact" || fail "restored backup does not verify"

echo "== e2e: user create"
"$nara" user create --data-dir "$data" --username clerk.e2e --password "a long e2e password" --role official --agency 1741000 > "$work/user.txt"
grep -q "second factor" "$work/user.txt" || fail "no TOTP secret for a new official"
if "$nara" user create --data-dir "$data" --username x --password short --role citizen > "$work/user-bad.txt" 2>&1; then fail "invalid user accepted"; fi

echo "== e2e: registries import"
cat > "$work/residents.csv" <<'CSV'
national_id,name,household_key,relationship,address,postal_code,moved_in
800101-1934562,Hong Gildong,E2E-1,head,"12 Sejong-daero, Jongno-gu, Seoul",03172,2020-03-01
820202-2876543,Seo Yuna,E2E-1,spouse,"12 Sejong-daero, Jongno-gu, Seoul",03172,2020-03-01
100303-3123457,Hong Minu,E2E-1,child,"12 Sejong-daero, Jongno-gu, Seoul",03172,2099-03-01
131313-3123457,Nobody,E2E-2,head,"1 Jong-ro, Seoul",03154,2020-01-01
CSV
if "$nara" registries import "$work/residents.csv" --registry resident --data-dir "$data" > "$work/import.txt" 2> "$work/import.log"; then
  fail "an import with refused rows exited 0"
fi
grep -q "imported 2 rows; refused 2" "$work/import.txt" || { cat "$work/import.txt"; fail "registries import report"; }
grep -q "line 4: .*future" "$work/import.txt" || { cat "$work/import.txt"; fail "future move-in date not reported on line 4"; }
grep -q "line 5: " "$work/import.txt" || { cat "$work/import.txt"; fail "invalid resident number not reported on line 5"; }
grep -q "importing resident rows: 4/4" "$work/import.log" || fail "no progress display"
"$nara" audit verify --data-dir "$data" | grep -q "audit chain intact" || fail "audit chain broken after the import"

echo "e2e checks passed"
