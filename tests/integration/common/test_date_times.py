"""Every date-time parameter and body field of the three OpenAPI documents, walked with naive,
extreme and malformed values against the running services: a naive moment is read as Vietnam
time, a moment outside the accepted years or not a moment at all is a 422 problem detail that
names the field and the rule in the caller's language, and nothing answers 5xx."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from common.law.calendar import TZ
from tests.helpers import draft_body
from tests.integration.common.conftest import Served, Services

pytestmark = pytest.mark.integration

NAIVE = ("2026-01-01T08:00:00", "2026-01-01", "2026-01-01 08:00")
OUT_OF_RANGE = (
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59",
    "1800-01-01T00:00:00Z",
    "2200-01-01T00:00:00+07:00",
)
MALFORMED: tuple[Any, ...] = (
    "garbage",
    "2026-13-01T00:00:00",
    "2026-01-01T25:00:00",
    "2026-01-01T00:00:00+25:00",
    "-1",
    "1e20",
    "1767225600",
    "2026-01-01T00:00:00\x00",
)
# In a JSON body a moment can also arrive as a number.
MALFORMED_JSON: tuple[Any, ...] = (*MALFORMED, 1767225600, -1, True, [], {})
VALID_MOMENT = "2026-01-01T00:00:00+07:00"
ANY_ID = "00000000-0000-0000-0000-000000000000"
# Who may call every route that has a date-time: the operator console's included.
CALLER = "admin@system"
TITLES = {"vi": "Dữ liệu không hợp lệ", "en": "Invalid request"}


@dataclass(frozen=True)
class Target:
    method: str
    path: str
    where: str  # "query" or "body"
    name: str
    operation: dict[str, Any]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.where}:{self.name}"


def _resolve(schema: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _is_moment(schema: dict[str, Any], doc: dict[str, Any]) -> bool:
    schema = _resolve(schema, doc)
    if schema.get("format") == "date-time":
        return True
    return any(_is_moment(s, doc) for s in schema.get("anyOf", []) + schema.get("oneOf", []))


def _moment_fields(
    schema: dict[str, Any], doc: dict[str, Any], prefix: str = ""
) -> list[tuple[str, dict[str, Any]]]:
    """Dotted names of the date-time fields of a body schema, nested objects included."""
    schema = _resolve(schema, doc)
    found = []
    for name, sub in schema.get("properties", {}).items():
        if _is_moment(sub, doc):
            found.append((prefix + name, sub))
        else:
            found.extend(_moment_fields(sub, doc, f"{prefix}{name}."))
    return found


def targets(doc: dict[str, Any]) -> list[Target]:
    out = []
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            for param in op.get("parameters", []):
                if _is_moment(param.get("schema", {}), doc):
                    out.append(Target(method.upper(), path, param["in"], param["name"], op))
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            for name, _ in _moment_fields(body["schema"], doc) if body else []:
                out.append(Target(method.upper(), path, "body", name, op))
    return out


def description_of(target: Target, doc: dict[str, Any]) -> str:
    if target.where == "body":
        schema = _resolve(
            target.operation["requestBody"]["content"]["application/json"]["schema"], doc
        )
        for part in target.name.split("."):
            schema = _resolve(schema["properties"][part], doc)
        return str(schema.get("description", ""))
    [param] = [p for p in target.operation["parameters"] if p["name"] == target.name]
    return str(param.get("description", "")) + str(param.get("schema", {}).get("description", ""))


def example(schema: dict[str, Any], doc: dict[str, Any]) -> Any:
    """A valid value of `schema`, as small as the schema allows."""
    schema = _resolve(schema, doc)
    if "default" in schema:
        return schema["default"]
    if "anyOf" in schema or "oneOf" in schema:
        options = [s for s in schema.get("anyOf", []) + schema.get("oneOf", [])]
        return example(next(s for s in options if s.get("type") != "null"), doc)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date-time":
            return VALID_MOMENT
        if fmt == "date":
            return "2026-01-01"
        return "Kiểm tra đầu vào".ljust(schema.get("minLength", 0), ".")
    if kind == "integer":
        return schema.get("minimum", 0)
    if kind == "number":
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    if kind == "array":
        return [example(schema.get("items", {}), doc)] * schema.get("minItems", 0)
    if kind == "object":
        props = schema.get("properties", {})
        return {name: example(props[name], doc) for name in schema.get("required", [])}
    return None


def call(
    served: Served, doc: dict[str, Any], target: Target, value: Any, lang: str, token: str
) -> httpx.Response:
    op = target.operation
    path = target.path
    query: dict[str, Any] = {}
    for param in op.get("parameters", []):
        if param["in"] == "path":
            path = path.replace("{" + param["name"] + "}", ANY_ID)
        elif param["in"] == "query" and param.get("required"):
            query[param["name"]] = example(param.get("schema", {}), doc)
    body = None
    if "requestBody" in op:
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        body = example(schema, doc)
    if target.where == "query":
        query[target.name] = value
    else:
        assert body is not None
        holder = body
        *parents, leaf = target.name.split(".")
        for part in parents:
            holder = holder.setdefault(part, {})
        holder[leaf] = value
    return httpx.request(
        target.method,
        served.url + path,
        params=query,
        json=body,
        headers={"Authorization": f"Bearer {token}", "Accept-Language": lang},
        timeout=30,
    )


@pytest.mark.parametrize("name", ["agreements", "notifications", "reporting"])
def test_every_date_time_parameter_reads_naive_as_vietnam_time_and_refuses_the_rest_with_422(
    services: Services, name: str
) -> None:
    served = services.by_name(name)
    doc = served.openapi()
    token = services.token(CALLER)
    failures: list[str] = []
    walked = targets(doc)
    for target in walked:
        if "Vietnam time" not in description_of(target, doc):
            failures.append(f"{target}: the description does not say how a naive value is read")
        for value in NAIVE:
            r = call(served, doc, target, value, "en", token)
            named = [e for e in _errors(r) if e.get("field") == target.name]
            if r.status_code >= 500 or named:
                failures.append(f"{target} {value!r}: {r.status_code} {r.text[:200]}")
        bad = [(v, "date_time_range") for v in OUT_OF_RANGE] + [
            (v, "date_time") for v in (MALFORMED_JSON if target.where == "body" else MALFORMED)
        ]
        for i, (value, rule) in enumerate(bad):
            lang = ("vi", "en")[i % 2]
            r = call(served, doc, target, value, lang, token)
            problem = r.headers.get("content-type", "").startswith("application/problem+json")
            rules = {(e.get("field"), e.get("rule")) for e in _errors(r)}
            if (
                r.status_code != 422
                or not problem
                or (target.name, rule) not in rules
                or r.json().get("title") != TITLES[lang]
            ):
                failures.append(f"{target} {value!r} ({lang}): {r.status_code} {r.text[:300]}")
    assert failures == [], "\n".join(failures)
    if name == "agreements":  # the tasks inbox and the operator's replay, at least
        assert {str(t) for t in walked} >= {
            "GET /v1/tasks query:due_before",
            "GET /v1/tasks query:due_after",
            "GET /v1/ops/replay query:since",
            "POST /v1/ops/replay body:until",
        }


def _errors(r: httpx.Response) -> list[dict[str, Any]]:
    try:
        body = r.json()
    except ValueError:
        return []
    return list(body.get("errors", [])) if isinstance(body, dict) else []


def test_a_naive_moment_is_vietnam_time_end_to_end(services: Services) -> None:
    """An agreement drafted now is in the replay range written in Vietnam's wall-clock time
    around now, and not in the same wall-clock range read as UTC (seven hours earlier)."""
    base = services.agreements.url
    r = httpx.post(
        f"{base}/v1/agreements", json=draft_body(), headers=services.headers("officer@ha-noi")
    )
    assert r.status_code == 201, r.text
    created = datetime.fromisoformat(r.json()["created_at"])

    def preview(since: datetime, until: datetime) -> dict[str, Any]:
        r = httpx.get(
            f"{base}/v1/ops/replay",
            params={"since": since.isoformat(), "until": until.isoformat()},
            headers=services.headers(CALLER),
        )
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    window = timedelta(seconds=2)
    local = created.astimezone(TZ).replace(tzinfo=None)
    vietnam = preview(local - window, local + window)
    assert vietnam["by_type"].get("agreement.drafted", 0) >= 1
    assert datetime.fromisoformat(vietnam["since"]) == created.astimezone(UTC) - window
    utc_wall_clock = created.astimezone(UTC).replace(tzinfo=None)
    assert preview(utc_wall_clock - window, utc_wall_clock + window)["count"] == 0


def test_the_replay_page_refuses_a_moment_outside_the_years_on_its_field(
    services: Services,
) -> None:
    """The operator's replay form (signed in by header, as behind a gateway; the pages speak
    Vietnamese unless the person chose English): year 1 is a message on its field, where it
    was a server error."""
    r = httpx.post(
        f"{services.agreements.url}/ui/ops/replay",
        data={"since": "0001-01-01T00:00", "until": "2026-01-01T00:00", "reason": "kiểm tra"},
        headers=services.headers("ops@system", "vi"),
    )
    assert r.status_code == 422, r.text[:500]
    assert "Phải trong khoảng từ 1900-01-01 đến 2199-12-31 (giờ Việt Nam)." in r.text
