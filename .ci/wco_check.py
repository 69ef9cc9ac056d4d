"""WCO Data Model 3.6 check of the customs declarations: the demo's import and export
declarations (one item, several items) are fetched as DEC-DMS XML through the API and validated
with xmlschema against the bundled schemas. Fails on any schema error, or when the demo lacks
an import with three or more items, an import with one item, or an export.

Usage: python wco_check.py BASE_URL WCO_SCHEMA_DIR OUT_DIR
"""
import json
import os
import sys
import urllib.request

import xmlschema

base, schemas, out = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(out, exist_ok=True)
DEC_NS = "urn:wco:datamodel:WCO:DEC-DMS:2"
dec_xsd = os.path.abspath(os.path.join(schemas, "schemas/wco/declaration/WCO_DEC_2_DMS.xsd"))
md_xsd = os.path.abspath(os.path.join(schemas, "schemas/wco/declaration/DocumentMetaData_2_DMS.xsd"))
# The DocumentMetaData wrapper holds the declaration in a strict wildcard: bind its namespace.
schema = xmlschema.XMLSchema(md_xsd, locations=[(DEC_NS, dec_xsd)])


def call(method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


failures = []
checked = []
for username in ("daehan.trading", "seoul.software", "hanbit.construction"):
    token = json.loads(call("POST", "/api/v1/auth/token", {"grant_type": "password", "username": username, "password": "Nara-demo-2026!"}))["access_token"]
    for declaration in json.loads(call("GET", "/api/v1/customs/declarations", token=token)):
        xml = call("GET", f"/api/v1/customs/declarations/{declaration['id']}/wco.xml", token=token)
        path = os.path.join(out, declaration["number"] + ".xml")
        open(path, "wb").write(xml)
        errors = [f"{e.reason} at {e.path}" for e in schema.iter_errors(path, use_location_hints=False)][:3]
        checked.append((declaration["kind"], len(declaration["items"])))
        if errors:
            failures.append(f"{declaration['number']}: " + "; ".join(errors))
kinds = {(kind, "many" if items >= 3 else "one" if items == 1 else "two") for kind, items in checked}
for needed in (("import", "many"), ("import", "one"), ("export", "one")):
    if needed not in kinds:
        failures.append(f"no demo declaration of kind {needed[0]} with {needed[1]} item(s) to validate")
if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"wco ok: {len(checked)} declarations valid against WCO DM 3.6 DEC-DMS ({sum(1 for k, _ in checked if k == 'import')} imports, "
      f"{sum(1 for k, _ in checked if k == 'export')} exports, up to {max(n for _, n in checked)} items)")
