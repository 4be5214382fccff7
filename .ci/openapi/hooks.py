"""Checks of zadig-mock's own for schemathesis (loaded via SCHEMATHESIS_HOOKS).

Zadig answers many validation failures with HTTP 500, so the built-in
`not_a_server_error` check cannot apply. What must hold instead is that
every 5xx is Zadig's plain-error envelope: nothing else (a panic, a proxy
page, an empty 500) ever reaches the wire.

gin 1.9.1 sends no `Allow` header with a 405, which the built-in
`unsupported_method` check requires; `gin_method_not_allowed` asserts the
rest of that check (405 for every undocumented method) plus gin's body.
"""

import json
import urllib.request

import schemathesis
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario

INTERNAL_ERROR_KEYS = ["code", "description", "message"]


@schemathesis.check
def zadig_internal_error_envelope(ctx, response, case):
    """Every 5xx is `{"code":500,"description":…,"message":"Internal Error: "}`."""
    if response.status_code < 500:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert response.status_code == 500, f"a {response.status_code} is never sent: {response.text[:300]!r}"
    assert content_type == "application/json; charset=utf-8", f"5xx with content type {content_type!r}"
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise AssertionError(f"5xx body is not JSON ({exc}): {response.text[:300]!r}") from exc
    assert isinstance(body, dict) and list(body) == INTERNAL_ERROR_KEYS, f"5xx body is not Zadig's envelope: {body!r}"
    assert body["code"] == 500 and body["message"] == "Internal Error: ", f"5xx envelope values: {body!r}"
    assert isinstance(body["description"], str), f"5xx description: {body!r}"
    return None


@schemathesis.check
def gin_method_not_allowed(ctx, response, case):
    """A method the document does not list gets gin's 405 text, without `Allow`."""
    meta = case.meta
    data = meta.phase.data if meta is not None else None
    if not isinstance(data, CoveragePhaseData) or data.scenario != CoverageScenario.UNSPECIFIED_HTTP_METHOD:
        return None
    method = response.request.method
    if method in ("HEAD", "OPTIONS"):
        # Neither is routed by gin; both are 405 too, covered by the Rust tests.
        return None
    assert response.status_code == 405, f"undocumented {method} answered {response.status_code}: {response.text[:300]!r}"
    assert "allow" not in response.headers, "gin 1.9.1 sends no Allow header"
    text = response.text
    if case.path.startswith("/_mock/"):
        # The control API's own error, in JSON.
        text = json.loads(response.content).get("error", "")
    assert text.startswith(f"Method not allowed: {method} /"), f"405 body: {response.text[:300]!r}"
    return None


@schemathesis.hook
def after_call(context, case, response):
    """A fault added by the fuzzer is removed at once: by design it would make
    the requests after it slow, failing or cut."""
    if case.operation.method.upper() == "POST" and case.operation.path == "/_mock/faults":
        url = response.request.url.split("/_mock/")[0] + "/_mock/faults"
        request = urllib.request.Request(url, method="DELETE")
        request.add_header("Authorization", response.request.headers["Authorization"])
        urllib.request.urlopen(request, timeout=10).close()
