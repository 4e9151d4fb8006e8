"""The operator console against the real broker: a record a real consumer dead-lettered shows
with its reason and origin, is retried (and then processed) or discarded with a reason, and
every action is audited; everyone but operators and administrators is refused, on the API and
on the pages; the pages speak both languages."""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from kafka import KafkaConsumer, KafkaProducer

from common.auth import Principal, Role
from common.events.envelope import Event
from common.events.types import EVENTS_TOPIC, ce_type
from common.kafka import EventConsumer
from services.agreements.api.routes import ops as ops_api
from services.agreements.ops.lag import consumer_lag
from services.agreements.settings import AgreementsSettings
from services.agreements.ui.routes import ops as ops_pages
from tests.helpers import draft_body, until

from .conftest import Stack

pytestmark = pytest.mark.integration

OPS = "ops@system"
BROKEN = "[ops-console: handler bug]"
CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


class Flaky(EventConsumer):
    """A consumer on our own base whose handler has a bug for agreements titled with BROKEN,
    until that agreement is `fixed`."""

    def __init__(self, settings: AgreementsSettings) -> None:
        super().__init__(
            settings,
            group_id=f"ops-console-test-{uuid.uuid4().hex[:8]}",
            max_attempts=2,
            retry_backoff_s=0.05,
        )
        self.fixed: set[str] = set()
        self.handled: list[str] = []

    def handle(self, event: Event) -> None:
        if BROKEN in json.dumps(event.data, ensure_ascii=False) and event.subject not in self.fixed:
            raise RuntimeError(f"handler bug met by {event.subject}")
        self.handled.append(event.id)


@pytest.fixture(scope="module")
def flaky(stack: Stack) -> Iterator[Flaky]:
    consumer = Flaky(stack.settings)
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True, name="flaky")
    thread.start()
    yield consumer
    stop.set()
    thread.join(30)


def letters(stack: Stack, state: str = "open") -> dict[str, Any]:
    r = stack.client.get(
        "/v1/ops/dead-letters", params={"state": state, "limit": 500}, headers=stack.login(OPS)
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def letter_of(stack: Stack, agreement_id: str, group: str, state: str = "open") -> Any:
    return next(
        (
            d
            for d in letters(stack, state)["data"]
            if d["agreement_id"] == agreement_id and d["consumer_group"] == group
        ),
        None,
    )


def test_a_dead_letter_shows_its_reason_and_origin_and_its_retry_is_processed(
    stack: Stack, flaky: Flaky, caplog: pytest.LogCaptureFixture
) -> None:
    r = stack.client.post(
        "/v1/agreements",
        json=draft_body(title=f"Bản ghi nhớ {BROKEN}"),
        headers=stack.login("officer@ha-noi"),
    )
    assert r.status_code == 201, r.text
    agreement_id = r.json()["id"]

    letter = until(
        lambda: letter_of(stack, agreement_id, flaky.group_id), 60, "the letter in the console"
    )
    assert letter["state"] == "open"
    assert f"handler bug met by {agreement_id}" in letter["reason"]
    assert letter["original_topic"] == EVENTS_TOPIC
    assert isinstance(letter["original_partition"], int)
    assert isinstance(letter["original_offset"], int)
    assert letter["event_type"] == ce_type("agreement.drafted")
    assert letter["event_id"] and letter["event_time"] and letter["failed_at"]

    one = stack.client.get(f"/v1/ops/dead-letters/{letter['id']}", headers=stack.login(OPS))
    assert one.status_code == 200, one.text
    inspected = one.json()
    assert inspected["headers"]["ce_id"] == letter["event_id"]
    assert inspected["headers"]["dlt_consumer_group"] == flaky.group_id
    assert inspected["data"]["agreement_id"] == agreement_id
    assert inspected["key"] == agreement_id

    # The cause is fixed; the operator retries, and the consumer processes the event.
    flaky.fixed.add(agreement_id)
    body: dict[str, Any] = {"ids": [letter["id"]], "reason": "Lỗi xử lý đã được sửa (bản vá 1.2.3)"}
    headers = stack.login(OPS) | {"Idempotency-Key": f"retry-{agreement_id}"}
    with caplog.at_level(logging.WARNING, logger="services.agreements.ops.audit"):
        r = stack.client.post("/v1/ops/dead-letters/retry", json=body, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json() == {"results": [{"id": letter["id"], "outcome": "retried"}], "done": 1}
    again = stack.client.post("/v1/ops/dead-letters/retry", json=body, headers=headers)
    assert again.json() == r.json() and again.headers.get("Idempotent-Replayed") == "true"
    until(lambda: letter["event_id"] in flaky.handled, 30, "the retried event processed")

    assert letter_of(stack, agreement_id, flaky.group_id) is None  # no longer open
    handled = letter_of(stack, agreement_id, flaky.group_id, state="retried")
    assert handled["handled_by"] == OPS and handled["handled_reason"] == body["reason"]
    log = stack.client.get("/v1/ops/actions", params={"kind": "retry"}, headers=stack.login(OPS))
    entry = log.json()["data"][0]
    assert entry["actor"] == OPS and entry["reason"] == body["reason"]
    assert entry["event_id"] == letter["event_id"] and entry["agreement_id"] == agreement_id
    assert entry["target"].endswith(f"/{letter['partition']}/{letter['offset']}")
    assert any(OPS in m and "retry" in m and body["reason"] in m for m in caplog.messages), (
        caplog.messages
    )

    # Once handled, a letter is not published a second time.
    twice = stack.client.post(
        "/v1/ops/dead-letters/retry",
        json=body | {"reason": "lần nữa"},
        headers=stack.login(OPS),
    )
    assert twice.json()["results"] == [{"id": letter["id"], "outcome": "already_handled"}]

    metrics = stack.client.get("/metrics").text
    retried = re.search(r'^agreements_ops_actions_total\{kind="retry"\} ([0-9.]+)$', metrics, re.M)
    assert retried and float(retried[1]) >= 1
    assert re.search(r"^agreements_dead_letters_open [0-9.]+$", metrics, re.M)


def poison(stack: Stack) -> str:
    """A record that is no event at all, keyed by a fresh id; returns that id."""
    key = str(uuid.uuid4())
    producer = KafkaProducer(bootstrap_servers=stack.settings.kafka_bootstrap_servers)
    try:
        producer.send(EVENTS_TOPIC, key=key.encode(), value=b"{not json").get(timeout=10)
    finally:
        producer.close()
    return key


def test_a_dead_letter_is_discarded_with_a_reason_and_audited(stack: Stack, flaky: Flaky) -> None:
    key = poison(stack)
    letter = until(lambda: letter_of(stack, key, flaky.group_id), 60, "the poison record")
    assert letter["reason"].startswith("undecodable")
    assert letter["event_type"] is None

    no_reason = stack.client.post(
        "/v1/ops/dead-letters/discard",
        json={"ids": [letter["id"]], "reason": ""},
        headers=stack.login(OPS),
    )
    assert no_reason.status_code == 422
    reason = "Bản ghi rác do công cụ thử nghiệm gửi nhầm"
    r = stack.client.post(
        "/v1/ops/dead-letters/discard",
        json={"ids": [letter["id"], "999-999999"], "reason": reason},
        headers=stack.login(OPS),
    )
    assert r.status_code == 200, r.text
    assert r.json()["results"] == [
        {"id": letter["id"], "outcome": "discarded"},
        {"id": "999-999999", "outcome": "not_found"},
    ]
    assert letter_of(stack, key, flaky.group_id) is None
    assert letter_of(stack, key, flaky.group_id, state="discarded")["handled_reason"] == reason
    entry = stack.client.get(
        "/v1/ops/actions", params={"kind": "discard"}, headers=stack.login(OPS)
    ).json()["data"][0]
    assert (entry["actor"], entry["reason"], entry["outcome"]) == (OPS, reason, "discarded")


# --- who may use the console ------------------------------------------------------------------

API_CALLS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/v1/ops/dead-letters", None),
    ("GET", "/v1/ops/dead-letters/0-0", None),
    ("POST", "/v1/ops/dead-letters/retry", {"ids": ["0-0"], "reason": "thử"}),
    ("POST", "/v1/ops/dead-letters/discard", {}),
    ("GET", "/v1/ops/workflows", None),
    ("POST", "/v1/ops/workflows/some-id/repair", {"reason": "thử lại"}),
    ("GET", "/v1/ops/replay?since=2026-01-01T00:00:00Z&until=2026-01-02T00:00:00Z", None),
    ("POST", "/v1/ops/replay", {"since": "2026-01-01T00:00:00Z"}),
    ("GET", "/v1/ops/lag", None),
    ("GET", "/v1/ops/actions", None),
]
PAGES = [
    "/ui/ops",
    "/ui/ops/dead-letters",
    "/ui/ops/dead-letters/0-0",
    "/ui/ops/workflows",
    "/ui/ops/replay",
    "/ui/ops/lag",
    "/ui/ops/actions",
]
FORMS = ["/ui/ops/dead-letters", "/ui/ops/workflows/some-id/repair", "/ui/ops/replay"]
OTHERS = ["officer@ha-noi", "leader@ha-noi", "reviewer@mofa", "pm@office", "registry@mofa"]


def _route_paths(routes: list[Any]) -> set[tuple[str, str]]:
    return {
        (method, re.sub(r"\{[^}]+\}", "x", r.path))
        for r in routes
        if isinstance(r, APIRoute)
        for method in r.methods or ()
    }


def test_the_lists_of_refused_calls_cover_every_console_route() -> None:
    called = {(m, re.sub(r"/(0-0|some-id)(?=/|$)", "/x", p.split("?")[0])) for m, p, _ in API_CALLS}
    assert _route_paths(ops_api.router.routes) == called
    pages = {("GET", re.sub(r"/0-0$", "/x", p)) for p in PAGES}
    pages |= {("POST", p.replace("some-id", "x")) for p in FORMS}
    assert _route_paths(ops_pages.router.routes) == pages


def browser(stack: Stack) -> TestClient:
    return TestClient(stack.client.app, raise_server_exceptions=False)


def sign_in(client: TestClient, username: str) -> str:
    page = client.get("/ui/login")
    r = client.post(
        "/ui/login",
        data={"username": username, "password": "dev", "csrf_token": CSRF.findall(page.text)[0]},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return CSRF.findall(client.get(r.headers["location"]).text)[0]


@pytest.mark.parametrize("user", OTHERS)
def test_everyone_but_operators_is_refused_on_every_console_route_and_page(
    stack: Stack, user: str
) -> None:
    for method, path, body in API_CALLS:
        r = stack.client.request(method, path, json=body, headers=stack.login(user))
        assert r.status_code == 403, (method, path, r.text)
        assert r.json()["type"].endswith("/ops-not-operator")
        assert stack.client.request(method, path, json=body).status_code == 401

    person = browser(stack)
    csrf = sign_in(person, user)
    assert 'href="/ui/ops"' not in person.get("/ui/tasks").text
    for path in PAGES:
        page = person.get(path)
        assert page.status_code == 403, (path, page.text[:200])
    for path in FORMS:
        sent = person.post(path, data={"csrf_token": csrf, "reason": "thử", "ids": "0-0"})
        assert sent.status_code == 403, (path, sent.text[:200])


def test_administrators_may_use_the_console(stack: Stack) -> None:
    r = stack.client.get("/v1/ops/actions", headers=stack.login("admin@system"))
    assert r.status_code == 200, r.text
    admin = browser(stack)
    sign_in(admin, "admin@system")
    assert 'href="/ui/ops"' in admin.get("/ui/agreements").text
    assert admin.get("/ui/ops/actions").status_code == 200


# --- the pages --------------------------------------------------------------------------------

TITLES = {
    "/ui/ops": ("Bảng điều khiển vận hành", "Operator console"),
    "/ui/ops/dead-letters": ("Thư chết", "Dead letters"),
    "/ui/ops/workflows": ("Quy trình bị dừng", "Stopped workflows"),
    "/ui/ops/replay": ("Phát lại sự kiện", "Replay events"),
    "/ui/ops/lag": ("Độ trễ tiêu thụ", "Consumer lag"),
    "/ui/ops/actions": ("Nhật ký vận hành", "Audit log"),
}


def test_the_console_pages_render_in_vietnamese_then_in_english(stack: Stack) -> None:
    operator = browser(stack)
    csrf = sign_in(operator, OPS)
    home = operator.get("/ui", follow_redirects=True)
    assert home.url.path == "/ui/ops" and 'href="/ui/ops"' in home.text
    for path, (vi, _) in TITLES.items():
        page = operator.get(path)
        assert page.status_code == 200, (path, page.text[:300])
        assert f"<h1>{vi}</h1>" in page.text, path
        assert "ops." not in re.sub(r"<[^>]+>", "", page.text), path  # no untranslated key
    switched = operator.post(
        "/ui/language", data={"lang": "en", "next": "/ui/ops", "csrf_token": csrf}
    )
    assert switched.status_code == 200
    for path, (_, en) in TITLES.items():
        page = operator.get(path)
        assert f"<h1>{en}</h1>" in page.text, path
        assert 'lang="en"' in page.text
    # The choice is kept per person: give the other tests their Vietnamese back.
    operator.post("/ui/language", data={"lang": "vi", "next": "/ui/ops", "csrf_token": csrf})


def test_a_dead_letter_is_discarded_from_its_page(stack: Stack, flaky: Flaky) -> None:
    key = poison(stack)
    letter = until(lambda: letter_of(stack, key, flaky.group_id), 60, "the poison record")
    operator = browser(stack)
    csrf = sign_in(operator, OPS)
    operator.post("/ui/language", data={"lang": "vi", "next": "/ui/ops", "csrf_token": csrf})
    page = operator.get(f"/ui/ops/dead-letters/{letter['id']}")
    assert page.status_code == 200 and letter["reason"][:40] in page.text
    refused = operator.post(
        "/ui/ops/dead-letters",
        data={"csrf_token": csrf, "ids": letter["id"], "action": "discard", "reason": ""},
    )
    assert refused.status_code == 422 and "tối thiểu 3 ký tự" in refused.text
    done = operator.post(
        "/ui/ops/dead-letters",
        data={
            "csrf_token": csrf,
            "ids": letter["id"],
            "action": "discard",
            "reason": "Bỏ qua từ trang web",
        },
    )
    assert done.status_code == 200, done.text[:300]
    assert f'<span class="mono">{letter["id"]}</span>: đã bỏ qua' in done.text
    assert letter_of(stack, key, flaky.group_id) is None
    assert "Bỏ qua từ trang web" in operator.get("/ui/ops/actions").text


def test_the_lag_of_a_topic_not_made_yet_is_none_and_asking_does_not_make_it(stack: Stack) -> None:
    topic = f"ops-console-absent-{uuid.uuid4().hex[:8]}"
    settings = stack.settings.model_copy(update={"events_topic": topic})
    operator = Principal(subject=OPS, role=Role.OPERATOR, org="system")
    lag = consumer_lag(settings, principal=operator)
    assert lag.total == 0 and all(not group.partitions for group in lag.groups)
    look = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:
        assert topic not in look.topics()
    finally:
        look.close()
