"""Prints the operationIds whose handler still answers 501 "does not serve",
one per line, so that the fuzzing run can leave them out until they exist.

usage: unserved.py BASE_URL TOKEN
"""

import json
import sys
import urllib.error
import urllib.request

base, token = sys.argv[1], sys.argv[2]
with urllib.request.urlopen(f"{base}/_mock/openapi.json", timeout=10) as reply:
    document = json.load(reply)

for path, item in document["paths"].items():
    for method, operation in item.items():
        if method not in ("get", "put", "post", "delete", "patch") or path.startswith("/openapi/logs/sse/"):
            continue
        url = base + "/".join("openapi-probe" if s.startswith("{") else s for s in path.split("/"))
        request = urllib.request.Request(url + "?projectKey=openapi-probe", method=method.upper(), data=b"{}")
        request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                continue
        except urllib.error.HTTPError as error:
            if error.code == 501 and b"does not serve" in error.read():
                print(operation["operationId"])
