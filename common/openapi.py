"""The published contract of every service: its OpenAPI document completed with what FastAPI
cannot infer. Every 4xx and 5xx answer is a problem detail (common.problems.ProblemDetail), and
each operation lists the codes it really returns: those its route declares, plus those every
route of its kind gets from the shared plumbing (401 and 503 from the token check, 413 from the
size limit, 422 from validation, 412 from If-Match, 500 from the last-resort handler). The
password flow of Authorize points at the agreements service's sign-in, where the token is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from common.problems import PROBLEM_MEDIA_TYPE, ProblemDetail

PROBLEM_SCHEMA = "Problem"
PROBLEM_REF = {"$ref": f"#/components/schemas/{PROBLEM_SCHEMA}"}
TOKEN_PATH = "/v1/auth/token"
# FastAPI's own 422 body, which no service sends: every 422 is a problem detail.
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")

# What a code means when the route does not say it in its own words.
DEFAULT_DESCRIPTIONS: Mapping[int, str] = {
    400: "bad request",
    401: "no token, or an invalid, expired or revoked one",
    403: "not allowed",
    404: "not found, or not yours",
    409: "not possible in the current state",
    412: "stale If-Match version",
    413: "request body over the size limit",
    415: "unsupported media type",
    422: "invalid input, every broken rule listed in `errors`",
    428: "If-Match required",
    429: "too many attempts; see Retry-After",
    500: "unexpected error",
    503: "sign-ins cannot be checked right now (outside development); retry",
}


def problem_schemas() -> dict[str, Any]:
    """The component schemas of a problem detail, under the names the documents use."""
    schema = ProblemDetail.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return {PROBLEM_SCHEMA: schema, **defs}


def problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}}


def _is_problem_slot(response: Mapping[str, Any]) -> bool:
    """A 4xx/5xx the route left for problems: no body said, a problem+json one, or FastAPI's
    own validation body. A route that documents another body (a readiness report) keeps it."""
    content = response.get("content") or {}
    if not content or PROBLEM_MEDIA_TYPE in content:
        return True
    schema = content.get("application/json", {}).get("schema", {})
    return str(schema.get("$ref", "")).rsplit("/", 1)[-1] in _FASTAPI_VALIDATION


def derived_codes(operation: Mapping[str, Any]) -> set[int]:
    """The codes an operation returns because of what it is, whatever its route says."""
    codes = {500}
    if operation.get("security"):
        codes |= {401, 503}
    if "requestBody" in operation:
        codes |= {413, 422}
    parameters = operation.get("parameters", [])
    if parameters:
        codes.add(422)
    if any(p.get("in") == "header" and p["name"].lower() == "if-match" for p in parameters):
        codes.add(412)
    return codes


def complete_problems(document: dict[str, Any]) -> dict[str, Any]:
    """Every operation's 4xx and 5xx answers as problem details, the derived codes added."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION:
        schemas.pop(name, None)
    schemas.update(problem_schemas())
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses: dict[str, Any] = operation["responses"]
            for derived in derived_codes(operation):
                responses.setdefault(str(derived), {})
            for code, response in list(responses.items()):
                if not code.isdigit() or int(code) < 400 or not _is_problem_slot(response):
                    continue
                text = response.get("description")
                if not text or text == "Validation Error":
                    text = DEFAULT_DESCRIPTIONS.get(int(code), "refused")
                responses[code] = problem_response(text)
            operation["responses"] = dict(sorted(responses.items()))
    document["components"] = dict(sorted(document["components"].items()))
    document["components"]["schemas"] = dict(sorted(schemas.items()))
    return document


def mark_files(document: dict[str, Any]) -> dict[str, Any]:
    """A file field (FastAPI writes OpenAPI 3.1's contentMediaType) also says format: binary,
    which client generators read as a file to upload rather than text."""
    for schema in document.get("components", {}).get("schemas", {}).values():
        for prop in schema.get("properties", {}).values():
            if prop.get("type") == "string" and "contentMediaType" in prop:
                prop.setdefault("format", "binary")
    return document


def point_token_url(document: dict[str, Any], token_url: str) -> dict[str, Any]:
    """Every OAuth2 password flow asks `token_url` for its token."""
    for scheme in document.get("components", {}).get("securitySchemes", {}).values():
        flow = scheme.get("flows", {}).get("password")
        if flow is not None:
            flow["tokenUrl"] = token_url
    return document


def add_examples(document: dict[str, Any], examples: Mapping[str, Any]) -> dict[str, Any]:
    """An example on each named component schema (a name that is not there is an error: the
    schema was renamed and its example would silently go)."""
    schemas = document["components"]["schemas"]
    for name, example in examples.items():
        if name not in schemas:
            raise KeyError(f"an example names {name!r}, which the document does not have")
        schemas[name]["examples"] = [example]
    return document


def install_contract(
    app: FastAPI, *, token_url: str = TOKEN_PATH, examples: Mapping[str, Any] | None = None
) -> None:
    """Serve the completed document as the app's /openapi.json (built once, on first use)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                servers=app.servers,
            )
            complete_problems(document)
            mark_files(document)
            point_token_url(document, token_url)
            add_examples(document, examples or {})
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def agreements_token_url(public_url: str) -> str:
    """The agreements service's sign-in, absolute: Swagger UI of another service asks it."""
    return public_url.rstrip("/") + TOKEN_PATH
