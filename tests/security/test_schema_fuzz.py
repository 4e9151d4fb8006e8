"""Schemathesis over the three live OpenAPI documents, on a fixed budget and seed: requests
made from each operation's schema (valid ones, and ones that break it) as a province officer
and as an administrator. No answer may be a 5xx, and every 4xx must be a problem detail
(application/problem+json with its status and a title)."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from tests.security.conftest import SERVICES, Stack

pytestmark = pytest.mark.integration

# Requests per operation and mode: about 70 operations, two modes, two callers, in well under
# the 90 seconds the whole fuzz may take on two cores.
EXAMPLES = 5
# Would end the caller's own session (logout, a revocation of themselves) and with it the
# rest of the run; the access matrix probes them.
SKIPPED = {("POST", "/v1/auth/logout"), ("POST", "/v1/auth/revocations")}
CALLERS = ("officer@ha-noi", "admin@system")


def check(response: Any, method: str, path: str) -> str | None:
    """What is wrong with one answer (schemathesis's response: headers as lists), if anything."""
    status = int(response.status_code)
    where = f"{method} {path}: {status}"
    if status >= 500:
        return f"{where} {response.text[:300]}"
    if 400 <= status < 500:
        kind = ";".join(response.headers.get("content-type", []))
        body: Any = None
        if kind.startswith("application/problem+json"):
            body = response.json()
        if not (isinstance(body, dict) and body.get("status") == status and body.get("title")):
            return f"{where} is not a problem detail: {kind} {response.text[:200]}"
    return None


def fuzz(
    operation: Any,
    mode: GenerationMode,
    base: str,
    headers: dict[str, str],
    session: requests.Session,
    failures: list[str],
) -> None:
    """A few cases of one operation in one mode, sent with the caller's token."""
    method, path = operation.method.upper(), operation.path

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def probe(case: Any) -> None:
        # The caller's token, whatever authorization header the case made up.
        sent = dict(case.headers or {}) | headers
        response = case.call(base_url=base, session=session, headers=sent)
        if (failure := check(response, method, path)) and failure not in failures:
            failures.append(failure)

    # An operation without parameters or body has no invalid case to make.
    with contextlib.suppress(Unsatisfiable):
        probe()


@pytest.mark.parametrize("service", SERVICES)
def test_generated_requests_get_no_5xx_and_every_4xx_is_a_problem_detail(
    stack: Stack, service: str
) -> None:
    schema = schemathesis.openapi.from_dict(stack.openapi(service))
    base = stack.urls[service]
    failures: list[str] = []
    session = requests.Session()
    started = time.monotonic()
    for result in schema.get_all_operations():
        # Our documents are valid OpenAPI: a part schemathesis cannot read is a failure too.
        assert isinstance(result, Ok), result.err()
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        for caller in CALLERS:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                fuzz(operation, mode, base, stack.headers(caller), session, failures)
    elapsed = time.monotonic() - started
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
    assert elapsed < 60, f"the fuzz of {service} took {elapsed:.0f}s"
