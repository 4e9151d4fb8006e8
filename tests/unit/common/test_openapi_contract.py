"""The contract does not change silently: the committed documents under docs/openapi/ are what
the services publish, and no change breaks a client of the previous committed version unless
its major version says so. The comparison itself is proved on small documents."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from common.openapi_diff import breaking_changes, version_allows
from services import openapi_docs

REGENERATE = "python -m services.openapi_docs"


@pytest.fixture(scope="module")
def published() -> dict[str, dict[str, Any]]:
    return openapi_docs.documents()


@pytest.mark.parametrize("name", openapi_docs.SERVICES)
def test_committed_document_is_what_the_service_publishes(
    published: dict[str, dict[str, Any]], name: str
) -> None:
    path = openapi_docs.path_of(name)
    committed = path.read_text(encoding="utf-8") if path.exists() else ""
    assert committed == openapi_docs.render(published[name]), (
        f"{path.name} is not what {name} publishes: review the change, bump info.version "
        f"(the major one when it breaks clients) and run `{REGENERATE}`"
    )


@pytest.mark.parametrize("name", openapi_docs.SERVICES)
def test_no_breaking_change_since_the_previous_committed_document_without_a_new_major_version(
    published: dict[str, dict[str, Any]], name: str
) -> None:
    breaks = openapi_docs.unannounced_breaks(name, published[name])
    assert not breaks, f"{name} breaks its clients; raise the major info.version:\n" + "\n".join(
        breaks
    )


def _document() -> dict[str, Any]:
    draft = {
        "type": "object",
        "required": ["title"],
        "additionalProperties": False,
        "properties": {
            "title": {"type": "string", "maxLength": 500},
            "form": {"$ref": "#/components/schemas/Form"},
            "summary": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
    }
    public = {
        "type": "object",
        "required": ["id", "title", "parts"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "parts": {"type": "array", "items": {"$ref": "#/components/schemas/Public"}},
        },
    }
    return {
        "info": {"version": "1.2.0"},
        "paths": {
            "/v1/agreements": {
                "post": {
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Draft"}}
                        },
                    },
                    "responses": {
                        "201": {
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Public"}
                                }
                            }
                        }
                    },
                },
                "get": {"responses": {"200": {}}},
            },
            "/v1/tasks": {"get": {"responses": {"200": {}}}},
        },
        "components": {
            "schemas": {
                "Draft": draft,
                "Public": public,
                "Form": {"type": "string", "enum": ["MEMORANDUM", "AGREEMENT"]},
            }
        },
    }


def _changed(change: Any) -> list[str]:
    new = _document()
    change(new)
    return breaking_changes(_document(), new)


def _schemas(doc: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = doc["components"]["schemas"]
    return schemas


def _post(doc: dict[str, Any]) -> dict[str, Any]:
    post: dict[str, Any] = doc["paths"]["/v1/agreements"]["post"]
    return post


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["paths"].pop("/v1/tasks"), "path /v1/tasks removed"),
        (lambda d: d["paths"]["/v1/agreements"].pop("get"), "GET /v1/agreements removed"),
        (
            lambda d: _schemas(d)["Public"]["properties"].pop("title"),
            "POST /v1/agreements answer 201: field title removed",
        ),
        (
            lambda d: _schemas(d)["Public"]["required"].remove("id"),
            "POST /v1/agreements answer 201: field id no longer always sent",
        ),
        (
            lambda d: _schemas(d)["Public"]["properties"].update(
                id={"anyOf": [{"type": "string"}, {"type": "null"}]}
            ),
            "POST /v1/agreements answer 201.id: type widened from ['string'] to ['null', 'string']",
        ),
        (
            lambda d: _schemas(d)["Draft"]["properties"].update(summary={"type": "string"}),
            "POST /v1/agreements body.summary: type narrowed from ['null', 'string'] to ['string']",
        ),
        (
            lambda d: _schemas(d)["Form"]["enum"].remove("AGREEMENT"),
            "POST /v1/agreements body.form: values no longer accepted: ['AGREEMENT']",
        ),
        (
            lambda d: _schemas(d)["Draft"]["properties"]["title"].update(maxLength=200),
            "POST /v1/agreements body.title: maxLength tightened to 200",
        ),
        (
            lambda d: _schemas(d)["Draft"]["required"].append("summary"),
            "POST /v1/agreements body: new required field summary",
        ),
        (
            lambda d: _schemas(d)["Draft"]["properties"].pop("summary"),
            "POST /v1/agreements body: field summary no longer accepted",
        ),
        (
            lambda d: _post(d)["parameters"].append(
                {"name": "If-Match", "in": "header", "required": True, "schema": {}}
            ),
            "POST /v1/agreements: new required header parameter If-Match",
        ),
        (
            lambda d: _post(d)["parameters"][0].update(required=True),
            "POST /v1/agreements: new required query parameter limit",
        ),
        (
            lambda d: _post(d)["parameters"][0].update(schema={"type": "integer", "maximum": 9}),
            "POST /v1/agreements query parameter limit: maximum tightened to 9",
        ),
    ],
)
def test_a_breaking_change_is_named(change: Any, expected: str) -> None:
    assert expected in _changed(change)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["paths"].update({"/v1/cycles": {"get": {"responses": {"200": {}}}}}),
        lambda d: _schemas(d)["Public"]["properties"].update(note={"type": "string"}),
        lambda d: _schemas(d)["Draft"]["properties"].update(note={"type": "string"}),
        lambda d: _schemas(d)["Form"]["enum"].append("ARRANGEMENT"),
        lambda d: _schemas(d)["Draft"]["properties"]["title"].update(maxLength=1000),
        lambda d: _post(d)["parameters"][0].update(schema={"type": "number"}),
        lambda d: _schemas(d)["Draft"]["properties"].update(title={"type": ["string", "null"]}),
        lambda d: _schemas(d)["Public"].update(description="An agreement, as read."),
    ],
)
def test_a_compatible_change_is_not_flagged(change: Any) -> None:
    assert _changed(change) == []


def test_a_breaking_change_passes_with_a_new_major_version_only() -> None:
    old, new = _document(), copy.deepcopy(_document())
    new["paths"].pop("/v1/tasks")
    assert breaking_changes(old, new) and not version_allows(old, new)
    new["info"]["version"] = "1.3.0"
    assert not version_allows(old, new)
    new["info"]["version"] = "2.0.0"
    assert version_allows(old, new)


# The answers a client reads first in each service: each carries an example.
MAIN_ANSWERS = {
    "agreements": {
        "TokenResponse",
        "AgreementPublic",
        "DocumentPublic",
        "TaskPublic",
        "DecisionPublic",
    },
    "notifications": {"InboxPublic", "NotificationPublic", "SubscriptionPublic"},
    "reporting": {"CyclesPublic", "CycleSummary", "Problem"},
}


def _named(schema: dict[str, Any]) -> str:
    return str(schema.get("$ref", "")).rsplit("/", 1)[-1]


@pytest.mark.parametrize("name", openapi_docs.SERVICES)
def test_every_request_body_and_main_answer_has_an_example_that_fits_its_schema(
    published: dict[str, dict[str, Any]], name: str
) -> None:
    document = published[name]
    schemas = document["components"]["schemas"]
    bodies = {
        _named(content["schema"])
        for item in document["paths"].values()
        for operation in item.values()
        for content in operation.get("requestBody", {}).get("content", {}).values()
    }
    missing = sorted(n for n in bodies | MAIN_ANSWERS[name] if not schemas[n].get("examples"))
    assert not missing, f"{name}: no example for {missing}"
    for schema_name, schema in schemas.items():
        for example in schema.get("examples", []):
            validator = Draft202012Validator(
                {"$ref": f"#/components/schemas/{schema_name}", "components": {"schemas": schemas}}
            )
            errors = [
                f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(example)
            ]
            assert not errors, f"{name} {schema_name} example: {errors}"
