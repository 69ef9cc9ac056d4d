"""Open Contracting Data Standard 1.1.5 checks of a running Nara (no network beyond the server).

Usage: ocds_check.py BASE_URL STANDARDS_DIR WORK_DIR

- The bulk release package and the release package of a whole contracting process (plan to
  contract, with a payment) are validated with libcoveocds against the bundled standard: no
  validation errors and no closed-codelist violations, or this script fails.
- The record package of that process is validated with jsonschema (draft 4) against the
  bundled record-package schema, resolving the release schema locally.
- Sealed bids: no release of a process whose bids are still sealed carries bid data, and the
  change feed's cursor pages reach every release exactly once.
"""
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

base, standards, work = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
work.mkdir(parents=True, exist_ok=True)
failures = []


def get(path):
    with urllib.request.urlopen(base + path, timeout=30) as response:
        return response.read()


def libcove(name, data):
    path = work / name
    path.write_bytes(data)
    report = subprocess.run(
        [str(Path(sys.executable).parent / "libcoveocds"), "--standard-zip", str(standards / "ocds-standard-1__1__5.zip"),
         "--additional-checks", "all", str(path)],
        capture_output=True, text=True, timeout=600)
    if report.returncode != 0:
        failures.append(f"libcoveocds failed on {name}: {report.stderr[-2000:]}")
        return
    result = json.loads(report.stdout)
    errors = result.get("validation_errors")
    closed = result.get("additional_closed_codelist_values")
    print(f"libcoveocds {name}: {result.get('count')} releases, {result.get('unique_ocids_count')} processes, "
          f"validation errors {len(errors or [])}, closed-codelist violations {len(closed or {})}")
    if errors:
        failures.append(f"{name}: validation errors {json.dumps(errors)[:3000]}")
    if closed:
        failures.append(f"{name}: closed codelist violations {json.dumps(closed)[:2000]}")


# The change feed, page by page.
seen, after, pages = [], 0, 0
while True:
    page = json.loads(get(f"/api/v1/procurement/ocds/releases?after={after}&limit=7"))
    pages += 1
    seen += [r["id"] for r in page["releases"]]
    nxt = (page.get("links") or {}).get("next")
    if not nxt:
        break
    after = int(nxt.split("after=")[1].split("&")[0])
bulk_bytes = get("/api/v1/procurement/ocds/bulk")
bulk = json.loads(bulk_bytes)
if seen != [r["id"] for r in bulk["releases"]]:
    failures.append("the paged feed and the bulk file disagree")
print(f"feed: {len(seen)} releases in {pages} pages")

# Sealed bids stay out of the data until the opening: no release of a process whose tender
# period has not ended shows bids, bidders or their number.
import datetime
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
latest = {r["ocid"]: r for r in bulk["releases"]}  # the feed is oldest first
still_open = {ocid for ocid, r in latest.items()
              if r["tender"].get("status") in ("planned", "active") and (r["tender"].get("tenderPeriod") or {}).get("endDate", "9") > now}
checked = 0
for release in bulk["releases"]:
    if release["ocid"] in still_open:
        checked += 1
        if release.get("bids") or release["tender"].get("tenderers") or release["tender"].get("numberOfTenderers") is not None:
            failures.append(f"{release['id']}: bids visible before the opening")
print(f"sealed: {len(still_open)} processes open for bids, {checked} releases without bid data")
if not still_open:
    failures.append("no process open for bids in the demo data")

libcove("bulk.json", bulk_bytes)

# The whole cycle: the process that reached a contract with a payment.
complete = [r for r in bulk["releases"] if "implementation" in r["tag"]]
if not complete:
    failures.append("no contracting process reached implementation in the demo data")
else:
    ocid = complete[-1]["ocid"]
    tags = {t for r in bulk["releases"] if r["ocid"] == ocid for t in r["tag"]}
    for needed in ("planning", "tender", "award", "contract", "implementation"):
        if needed not in tags:
            failures.append(f"{ocid}: no {needed} release")
    libcove("process.json", get(f"/api/v1/procurement/ocds/releases?ocid={ocid}"))
    record = json.loads(get(f"/api/v1/procurement/ocds/records/{ocid}"))
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4
    remote = "https://standard.open-contracting.org/schema/1__1__5/"
    registry = Registry().with_resources(
        (remote + name, Resource.from_contents(json.loads((standards / name).read_text()), default_specification=DRAFT4))
        for name in ("release-schema.json", "versioned-release-validation-schema.json", "record-package-schema.json"))
    schema = json.loads((standards / "record-package-schema.json").read_text())
    validator = Draft4Validator(schema, registry=registry)
    errors = sorted(validator.iter_errors(record), key=lambda e: list(e.path))
    print(f"record package {ocid}: {len(record['records'][0]['releases'])} releases, schema errors {len(errors)}")
    for error in errors[:10]:
        failures.append(f"record package: {list(error.path)}: {error.message[:300]}")
    compiled = record["records"][0]["compiledRelease"]
    if compiled["tender"]["status"] != "complete" or not compiled.get("contracts"):
        failures.append("the compiled release does not show the completed process")

if failures:
    print("OCDS FAILURES:")
    for failure in failures:
        print(" -", failure)
    sys.exit(1)
print("ocds ok")
