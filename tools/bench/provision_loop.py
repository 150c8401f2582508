"""The one-call-per-row loop, as resellers write it with a community SDK: for each row of the
file, in order and one request at a time, look the tenant up by its domain prefix, then create
it when it is absent or update it when it differs. The pattern of the community Python SDK's
provisioning example (`crayon-cloudiq-sdk` 1.0.0, `Examples/ADO-Pipeline/provision_tenants.py`),
written with httpx against the same mock, for `cargo xtask bench` to compare with.

Usage: provision_loop.py BASE_URL ROWS.ndjson
Each line: {"DomainPrefix": ..., "Reference": ..., "Create": {create body}}.
Prints: requests=N
"""

import base64
import json
import sys

import httpx

base, rows_path = sys.argv[1], sys.argv[2]
client = httpx.Client(base_url=base, timeout=30)
basic = base64.b64encode(b"demo-client:demo-secret").decode()
token = client.post(
    "/api/v1/connect/token/",
    headers={"Authorization": f"Basic {basic}"},
    data={"grant_type": "password", "username": "demo@example.com",
          "password": "demo-password", "scope": "CustomerApi"},
).json()["AccessToken"]
client.headers["Authorization"] = f"Bearer {token}"
requests = 1
for line in open(rows_path):
    row = json.loads(line)
    found = client.get("/api/v1/customertenants/",
                       params={"organizationId": 1, "domainPrefix": row["DomainPrefix"]})
    requests += 1
    found.raise_for_status()
    items = [t for t in found.json()["Items"] if t["DomainPrefix"].lower() == row["DomainPrefix"].lower()]
    if not items:
        client.post("/api/v1/customertenants/", json=row["Create"]).raise_for_status()
        requests += 1
    elif items[0].get("Reference") != row["Reference"]:
        tenant = items[0]
        client.put(f"/api/v1/customertenants/{tenant['Id']}/",
                   json={"Tenant": {"Id": tenant["Id"], "Reference": row["Reference"]}}).raise_for_status()
        requests += 1
print(f"requests={requests}")
