"""What the three live OpenAPI documents promise a generated client: every 4xx and 5xx answer
is the one problem-detail schema, the refusals really sent match it, and Authorize on each
Swagger UI signs in at the agreements service."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from common.openapi import PROBLEM_SCHEMA, derived_codes
from common.problems import PROBLEM_MEDIA_TYPE, ProblemDetail

from .conftest import Services

pytestmark = pytest.mark.integration

SERVICES = ["agreements", "notifications", "reporting"]
PROBLEM_REF = f"#/components/schemas/{PROBLEM_SCHEMA}"
# A development origin of the other services' Swagger UI (AgreementsSettings.sign_in_origins).
SWAGGER_ORIGIN = "http://127.0.0.1:8003"


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict)
    ]


@pytest.mark.parametrize("name", SERVICES)
def test_every_refusal_of_every_operation_is_documented_as_a_problem_detail(
    services: Services, name: str
) -> None:
    document = services.by_name(name).openapi()
    schemas = document["components"]["schemas"]
    assert {"type", "title", "status", "detail"} <= set(schemas[PROBLEM_SCHEMA]["required"])
    assert "errors" in schemas[PROBLEM_SCHEMA]["properties"]
    assert "HTTPValidationError" not in schemas
    failures = []
    for method, path, operation in operations(document):
        codes = {int(c) for c in operation["responses"] if c.isdigit()}
        if missing := derived_codes(operation) - codes:
            failures.append(f"{method} {path}: {sorted(missing)} not documented")
        for code, response in operation["responses"].items():
            if int(code) < 400 or (path == "/readyz" and code == "503"):
                continue
            schema = response.get("content", {}).get(PROBLEM_MEDIA_TYPE, {}).get("schema")
            if schema != {"$ref": PROBLEM_REF} or set(response["content"]) != {PROBLEM_MEDIA_TYPE}:
                failures.append(f"{method} {path} {code}: {response}")
    assert not failures, "\n".join(failures)


def _documented(served_document: dict[str, Any], method: str, path: str) -> set[int]:
    operation = served_document["paths"][path][method.lower()]
    return {int(c) for c in operation["responses"]}


def test_refusals_sent_are_the_documented_problems_with_their_field_errors(
    services: Services,
) -> None:
    agreements, reporting = services.agreements, services.reporting
    cases = [
        # A draft without its required fields: every one named, in Vietnamese by default.
        (
            agreements,
            "POST",
            "/v1/agreements",
            httpx.post(
                f"{agreements.url}/v1/agreements",
                json={"title": "Bản ghi nhớ"},
                headers={"Authorization": f"Bearer {services.token('officer@ha-noi')}"},
                timeout=30,
            ),
        ),
        (
            reporting,
            "GET",
            "/v1/cycles/{number}/summary",
            httpx.get(
                f"{reporting.url}/v1/cycles/999/summary",
                headers=services.headers("registry@mofa"),
                timeout=30,
            ),
        ),
        (
            services.notifications,
            "GET",
            "/v1/inbox",
            httpx.get(f"{services.notifications.url}/v1/inbox", timeout=30),
        ),
    ]
    for served, method, path, r in cases:
        assert r.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE), r.text
        assert r.status_code in _documented(served.openapi(), method, path), (path, r.status_code)
        problem = ProblemDetail.model_validate(r.json())
        assert problem.status == r.status_code
    refused = ProblemDetail.model_validate(cases[0][3].json())
    assert refused.errors is not None
    named = {e.field: e for e in refused.errors}
    assert {"form", "signatory_level", "province", "foreign_party"} <= set(named)
    assert named["form"].rule == "required"
    assert named["form"].message == "Trường này là bắt buộc."


@pytest.mark.parametrize("name", ["notifications", "reporting"])
def test_authorize_on_each_swagger_ui_signs_in_at_the_agreements_service(
    services: Services, name: str
) -> None:
    served = services.by_name(name)
    [scheme] = served.openapi()["components"]["securitySchemes"].values()
    token_url = scheme["flows"]["password"]["tokenUrl"]
    assert token_url == f"{services.agreements.url}/v1/auth/token"
    # The browser asks first (Swagger UI sends X-Requested-With), then signs in.
    preflight = httpx.options(
        token_url,
        headers={
            "Origin": SWAGGER_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-requested-with",
        },
        timeout=30,
    )
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["access-control-allow-origin"] == SWAGGER_ORIGIN
    r = httpx.post(
        token_url,
        data={"username": "registry@mofa", "password": "dev"},
        headers={"Origin": SWAGGER_ORIGIN, "X-Requested-With": "XMLHttpRequest"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert r.headers["access-control-allow-origin"] == SWAGGER_ORIGIN
    probe = "/v1/cycles" if name == "reporting" else "/v1/inbox"
    answer = httpx.get(
        served.url + probe,
        headers={"Authorization": f"Bearer {r.json()['access_token']}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text


def test_only_the_sign_in_answers_other_origins_and_only_the_allowed_ones(
    services: Services,
) -> None:
    url = services.agreements.url
    stranger = httpx.post(
        f"{url}/v1/auth/token",
        data={"username": "officer@ha-noi", "password": "dev"},
        headers={"Origin": "https://evil.example"},
        timeout=30,
    )
    assert "access-control-allow-origin" not in stranger.headers
    elsewhere = httpx.get(
        f"{url}/v1/agreements",
        headers=services.headers("officer@ha-noi") | {"Origin": SWAGGER_ORIGIN},
        timeout=30,
    )
    assert elsewhere.status_code == 200
    assert "access-control-allow-origin" not in elsewhere.headers
