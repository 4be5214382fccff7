#!/usr/bin/env bash
# Contract checks of openapi/zadig-mock.yaml against the release binary:
#   1. the document (as written and as served) passes openapi-spec-validator;
#   2. schemathesis fuzzes every operation with every check but
#      `not_a_server_error` (Zadig answers many validation failures with 500)
#      and `unsupported_method` (it requires an `Allow` header gin 1.9.1 does
#      not send); `.ci/openapi/hooks.py` adds ours: every 5xx is Zadig's 500
#      envelope, every undocumented method gin's 405.
# Bounded (a fixed number of examples per operation, a fixed seed, a
# timeout); closes with `openapi: N passed, N failed` (operations).
set -euo pipefail
cd "$(dirname "$0")/../.."

SCHEMATHESIS_VERSION=4.32.5
VALIDATOR_VERSION=0.9.0
venv="${ZADIG_MOCK_OPENAPI_VENV:-target/openapi-venv}"
target="${CARGO_TARGET_DIR:-target}"
token="openapi-fuzz-token"
work="$(mktemp -d)"

if ! "$venv/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  echo "installing schemathesis $SCHEMATHESIS_VERSION and openapi-spec-validator $VALIDATOR_VERSION into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "schemathesis==$SCHEMATHESIS_VERSION" "openapi-spec-validator==$VALIDATOR_VERSION"
fi

"$venv/bin/openapi-spec-validator" openapi/zadig-mock.yaml

cargo build --release --locked --bin zadig-mock
"$target/release/zadig-mock" --listen 127.0.0.1:0 --token "$token" --random-seed 1 >"$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  grep -q "listening on" "$work/server.log" && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.1
done
base="$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/server.log" | head -n 1)"
[ -n "$base" ] || { echo "the server did not start"; cat "$work/server.log"; exit 1; }

"$venv/bin/python" -c 'import sys, urllib.request; urllib.request.urlretrieve(*sys.argv[1:])' \
  "$base/_mock/openapi.json" "$work/served.json"
"$venv/bin/openapi-spec-validator" "$work/served.json"

# The log stream never ends (as Zadig's); its contract is tested in Rust.
excluded=(--exclude-operation-id streamContainerLog)

set +e
SCHEMATHESIS_HOOKS=hooks PYTHONPATH=.ci/openapi timeout 900 \
  "$venv/bin/st" --config-file .ci/openapi/schemathesis.toml run "$base/_mock/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks all --exclude-checks not_a_server_error,unsupported_method \
  "${excluded[@]}" \
  --max-examples 25 --seed 1 --workers 1 --request-timeout 10 --generation-database none \
  --report junit --report-junit-path "$work/junit.xml" --no-color
status=$?
set -e

"$venv/bin/python" - "$work/junit.xml" <<'PY'
import sys
import xml.etree.ElementTree as ET

# One count per operation: it failed if any of its test cases did.
failed = {}
try:
    for case in ET.parse(sys.argv[1]).getroot().iter("testcase"):
        bad = any(child.tag in ("failure", "error") for child in case)
        failed[case.get("name")] = failed.get(case.get("name"), False) or bad
except (OSError, ET.ParseError):
    failed = {"(no report)": True}
outcomes = list(failed.values())
print(f"openapi: {outcomes.count(False)} passed, {outcomes.count(True)} failed")
PY
exit "$status"
