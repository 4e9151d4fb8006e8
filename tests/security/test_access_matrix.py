"""The access matrix over every route of the three live OpenAPI documents: forged tokens get a
401 problem detail; another province's officer and a body the agreement was never sent to
reach nothing of Hà Nội's (403 or 404 where a route names one of its objects, and no answer
carrying one of its ids), and nothing answers 5xx. A route added tomorrow is in the matrix
without a line here, unless it needs a request body of a kind not seen before (then the
failure says which)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest

from tests.helpers import PDF, draft_body
from tests.security.conftest import SERVICES, VICTIM, Stack, World, forged_tokens

pytestmark = pytest.mark.integration

# Public on purpose: liveness, readiness, sign-in, and the reference lists the sign-in and
# draft forms need. /openapi.json, /docs, /redoc and /metrics are public too (and internal
# behind the production gateway); they are not operations of the documents.
PUBLIC = {
    ("agreements", "GET", "/healthz"),
    ("agreements", "GET", "/readyz"),
    ("agreements", "POST", "/v1/auth/token"),
    ("agreements", "GET", "/v1/reference/provinces"),
    ("agreements", "GET", "/v1/reference/bodies"),
    ("agreements", "GET", "/v1/reference/vocabularies"),
    ("notifications", "GET", "/healthz"),
    ("notifications", "GET", "/readyz"),
    ("reporting", "GET", "/healthz"),
    ("reporting", "GET", "/readyz"),
}
# The services' own feed: a person's token, whoever's, is not a service's.
SERVICE_ONLY = {("agreements", "GET", "/v1/auth/revocations")}
# Ends the caller's own session: the probe spends a sign-in of its own on it.
ENDS_OWN_SESSION = {("agreements", "POST", "/v1/auth/logout")}

MOMENT = "2026-01-01T00:00:00+07:00"
TODAY = date.today().isoformat()
# A valid body of each request schema, so that only who is asking can refuse the request.
# Those naming Hà Nội (a province, a person) aim at it like a path parameter does.
BODIES: dict[str, Any] = {
    "AgreementCreate": draft_body(),
    "AgreementUpdate": {"title": "Bản ghi nhớ bị sửa trái phép"},
    "AmendmentCreate": {"kind": "AMENDMENT", "summary": "Sửa đổi điều 2"},
    "TerminationCreate": {"kind": "TERMINATION", "effective_on": TODAY, "summary": "Chấm dứt"},
    "SigningCreate": {
        "signed_on": TODAY,
        "place": "Hà Nội",
        "signatories": [
            {"side": "VIETNAMESE", "name": "Nguyễn Văn A", "title": "Chủ tịch UBND"},
            {"side": "FOREIGN", "name": "Kim Min-jun", "title": "Mayor"},
        ],
    },
    "CopyDeliveryCreate": {"note": "Công văn số 123/UBND-NV"},
    "DecisionCreate": {"outcome": "AGREE", "comment": "Đồng ý"},
    "RepairCreate": {"reason": "probe"},
    "ReplayCreate": {"since": MOMENT, "until": MOMENT, "reason": "probe"},
    "RevocationCreate": {"subject": VICTIM, "reason": "probe"},
    "LettersAction": {"ids": ["0-0"], "reason": "probe"},
    "SubscriptionCreate": {
        "url": "https://hooks.example/probe",
        "event_types": ["agreement.submitted"],
        "secret": "p" * 32,
    },
    "PreferencesUpdate": {"language": "en"},
    "RecipientPut": {"role": "PROVINCE_OFFICER", "org": "da-nang", "name": "Kẻ mạo danh"},
}
AIMING_BODIES = {"AgreementCreate", "RevocationCreate"}
# Multipart forms, by the field names their schemas require.
FORMS: dict[frozenset[str], tuple[dict[str, str], dict[str, Any]]] = {
    frozenset({"kind", "language", "file"}): (
        {"kind": "PROPOSAL", "language": "vi"},
        {"file": ("to-trinh.pdf", PDF + b"probe", "application/pdf")},
    ),
    frozenset({"file"}): ({}, {"file": ("register.csv", b"title\nprobe\n", "text/csv")}),
}
# Query parameters that pick Hà Nội's objects when a route has them.
AIMING_QUERY = {"province": "ha-noi", "org": "ha-noi", "subject": VICTIM}


@dataclass(frozen=True)
class Route:
    service: str
    method: str
    path: str
    operation: dict[str, Any]
    document: dict[str, Any]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.service, self.method, self.path)

    def __str__(self) -> str:
        return f"{self.service} {self.method} {self.path}"


@dataclass
class Request:
    route: Route
    url: str
    aimed_by_path: bool
    aimed_by_body: bool
    kwargs: dict[str, Any]
    problem: str | None = None  # why no request could be built

    def __str__(self) -> str:
        return f"{self.route.method} {self.url}"


def routes(stack: Stack) -> list[Route]:
    found = []
    for service in SERVICES:
        document = stack.openapi(service)
        for path, item in document["paths"].items():
            for method, operation in item.items():
                if method in {"get", "post", "put", "patch", "delete"}:
                    found.append(Route(service, method.upper(), path, operation, document))
    return found


def _ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _schema(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while (name := _ref_name(schema)) is not None:
        schema = document["components"]["schemas"][name]
    return schema


def _example(schema: dict[str, Any], document: dict[str, Any]) -> Any:
    """A plausible value for a required parameter the probe does not aim with."""
    schema = _schema(schema, document)
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            return _example(option, document)
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("format") == "date-time":
        return MOMENT
    return {"integer": 1, "number": 1, "boolean": "false"}.get(schema.get("type", ""), "probe")


def path_values(world: World) -> dict[str, tuple[str, ...]]:
    """Each path parameter's values: Hà Nội's objects (both agreements, the draft and the
    submitted one), or for the few not owned by a province a real one all the same."""
    return {
        "agreement_id": (world.agreement_id, world.submitted_id),
        "document_id": (world.document_id,),
        "task_id": (world.task_id,),
        "session_id": (world.session_id,),
        "subscription_id": (world.subscription_id,),
        "notification_id": (world.notification_id,),
        "subject": (VICTIM,),
        "number": (str(world.cycle),),
        "name": ("provinces.svg",),
        # No letter is dead here; the operators' routes refuse others before looking.
        "letter_id": ("0-0",),
    }


# Path parameters that name no one's object: a route with only these is aimed at Hà Nội by
# its province filter, if at all.
SHARED = {"number", "name", "letter_id"}


def requests_for(route: Route, world: World, etag: str, base: str) -> Iterator[Request]:
    operation, document = route.operation, route.document
    parameters = operation.get("parameters", [])
    path_params = [p["name"] for p in parameters if p["in"] == "path"]
    values = path_values(world)
    missing = [name for name in path_params if name not in values]
    combos: list[dict[str, str]] = [{}]
    for name in path_params:
        combos = [c | {name: v} for c in combos for v in values.get(name, ("x",))]
    query: dict[str, Any] = {}
    headers = {"Idempotency-Key": uuid.uuid4().hex, "If-Match": etag}
    for p in parameters:
        if p["in"] == "query" and p["name"] in AIMING_QUERY:
            query[p["name"]] = AIMING_QUERY[p["name"]]
        elif p["in"] == "query" and p["name"] == "agreement_id":
            query[p["name"]] = world.submitted_id
        elif p["in"] == "query" and p.get("required"):
            query[p["name"]] = _example(p["schema"], document)
    kwargs: dict[str, Any] = {"params": query, "headers": headers}
    aimed_by_body = False
    problem = None
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        name = _ref_name(content["application/json"]["schema"])
        if name in BODIES:
            kwargs["json"] = BODIES[name]
            aimed_by_body = name in AIMING_BODIES
        else:
            problem = f"no valid body of {name} in BODIES"
    elif "multipart/form-data" in content:
        schema = _schema(content["multipart/form-data"]["schema"], document)
        required = frozenset(schema.get("required", []))
        if required in FORMS:
            data, files = FORMS[required]
            kwargs |= {"data": data, "files": files}
        else:
            problem = f"no valid form with fields {sorted(required)} in FORMS"
    elif "application/x-www-form-urlencoded" in content:
        kwargs["data"] = {"username": VICTIM, "password": "wrong"}
    if missing:
        problem = f"no value for path parameters {missing}"
    for combo in combos:
        path = route.path
        for name, value in combo.items():
            path = path.replace("{" + name + "}", value)
        yield Request(
            route=route,
            url=base + path,
            aimed_by_path=bool(set(path_params) - SHARED),
            aimed_by_body=aimed_by_body,
            kwargs=kwargs | {"headers": dict(headers, **{"Idempotency-Key": uuid.uuid4().hex})},
            problem=problem,
        )


def is_problem(response: httpx.Response, status: int) -> bool:
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        return False
    body = response.json()
    return isinstance(body, dict) and body.get("status") == status and bool(body.get("title"))


@pytest.fixture(scope="module")
def matrix(stack: Stack, world: World) -> list[Request]:
    r = stack.call("agreements", "GET", f"/v1/agreements/{world.agreement_id}", VICTIM)
    assert r.status_code == 200, r.text
    etag = r.headers["etag"]
    built = []
    for route in routes(stack):
        if route.key not in PUBLIC:
            built += list(requests_for(route, world, etag, stack.urls[route.service]))
    unbuilt = [f"{r.route}: {r.problem}" for r in built if r.problem]
    assert not unbuilt, "the probe cannot reach these routes yet:\n" + "\n".join(unbuilt)
    return built


def test_the_routes_listed_as_public_exist_and_the_documents_are_public(stack: Stack) -> None:
    keys = {route.key for route in routes(stack)}
    assert keys >= PUBLIC, f"listed as public but gone: {PUBLIC - keys}"
    for path in ("/openapi.json", "/docs"):
        for service in SERVICES:
            assert httpx.get(stack.urls[service] + path, timeout=30).status_code == 200


@pytest.mark.parametrize("kind", list(forged_tokens()))
def test_a_forged_token_gets_a_401_problem_on_every_route(
    stack: Stack, matrix: list[Request], kind: str
) -> None:
    token = forged_tokens()[kind]
    wrong = []
    for request in matrix:
        headers = dict(request.kwargs["headers"])
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        r = httpx.request(
            request.route.method, request.url, **(request.kwargs | {"headers": headers}), timeout=30
        )
        if not is_problem(r, 401):
            wrong.append(f"{request}: {r.status_code} {r.text[:200]}")
    assert not wrong, f"{kind} token not refused with a 401 problem:\n" + "\n".join(wrong)


@pytest.mark.parametrize("who", ["officer@da-nang", "unrelated body"])
def test_another_province_or_an_unrelated_body_reaches_nothing_of_ha_noi(
    stack: Stack, world: World, matrix: list[Request], who: str
) -> None:
    user = f"reviewer@{world.unrelated_body}" if who == "unrelated body" else who
    wrong = []
    for request in matrix:
        key = request.route.key
        token = stack.login(user)["access_token"] if key in ENDS_OWN_SESSION else stack.token(user)
        headers = dict(request.kwargs["headers"], Authorization=f"Bearer {token}")
        r = httpx.request(
            request.route.method, request.url, **(request.kwargs | {"headers": headers}), timeout=30
        )
        # A problem detail names the address asked for: ids the caller sent are no leak.
        leaked = [s for s in world.secrets if s in r.text and s not in request.url]
        if r.status_code >= 500:
            wrong.append(f"{request}: {r.status_code} {r.text[:200]}")
        elif key in SERVICE_ONLY:
            if r.status_code not in (401, 403):
                wrong.append(f"{request}: {r.status_code} for a person's token")
        elif request.aimed_by_path and r.status_code not in (403, 404):
            wrong.append(f"{request}: {r.status_code} {r.text[:200]}")
        elif request.aimed_by_body and r.is_success:
            wrong.append(f"{request}: {r.status_code} acted for Hà Nội {r.text[:200]}")
        # A filter naming Hà Nội may answer with the caller's own, never with Hà Nội's.
        if leaked:
            wrong.append(f"{request}: {r.status_code} carries Hà Nội's {leaked}")
        if r.status_code in (403, 404) and not is_problem(r, r.status_code):
            wrong.append(f"{request}: {r.status_code} is not a problem detail")
    assert not wrong, f"{user} reached Hà Nội's objects:\n" + "\n".join(wrong)


def test_ha_noi_still_has_everything_after_the_attempts(stack: Stack, world: World) -> None:
    """Nothing the others sent changed Hà Nội's objects: the draft, its document, the
    submitted agreement's task, the webhook, the officer's session, the reviewer's unread
    notification."""
    r = stack.call("agreements", "GET", f"/v1/agreements/{world.agreement_id}", VICTIM)
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "Bản ghi nhớ hợp tác văn hóa Hà Nội và Seoul"
    r = stack.call(
        "agreements",
        "GET",
        f"/v1/agreements/{world.agreement_id}/documents/{world.document_id}",
        VICTIM,
    )
    assert r.status_code == 200, r.text
    r = stack.call("agreements", "GET", f"/v1/tasks/{world.task_id}", "admin@system")
    assert r.status_code == 200, r.text
    assert r.json()["claimed_by"] is None
    r = stack.call("notifications", "GET", f"/v1/subscriptions/{world.subscription_id}", VICTIM)
    assert r.status_code == 200, r.text
    assert r.json()["url"] == "https://hooks.ha-noi.example/agreements"
    r = stack.call("agreements", "GET", "/v1/auth/me", VICTIM)
    assert r.status_code == 200, r.text
    r = stack.call("notifications", "GET", "/v1/inbox", world.notification_owner)
    [mine] = [n for n in r.json()["data"] if n["id"] == world.notification_id]
    assert mine["unread"], mine
