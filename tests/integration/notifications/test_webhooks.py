"""Webhook subscriptions against a real HTTP receiver: signed CloudEvents, the delivery log,
retries then disabling, access to other people's subscriptions, and bad input."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from common.auth import Principal, Role
from common.events.types import EventType
from services.notifications.domain.signing import SIGNATURE_HEADER, verify
from tests.integration.notifications.conftest import Service, problem, wait_until
from tests.unit.notifications.samples import event

pytestmark = pytest.mark.integration

SECRET = "a-long-shared-secret-for-hmac-1234"


def subscribe(
    service: Service, user: str, path: str, types: list[str], **extra: Any
) -> dict[str, Any]:
    r = service.client.post(
        "/v1/subscriptions",
        json={"url": service.webhooks.url(path), "event_types": types, "secret": SECRET} | extra,
        headers=service.headers(user),
    )
    assert r.status_code == 201, r.text
    assert "secret" not in r.json()
    return dict(r.json())


def calls(service: Service, path: str, event_id: str) -> list[Any]:
    return [r for r in service.webhooks.to(path) if r.headers["x-agreements-event-id"] == event_id]


def test_a_webhook_receives_the_event_signed_and_the_delivery_is_logged(service: Service) -> None:
    path = f"/ok/{uuid.uuid4().hex}"
    sub = subscribe(service, "officer@da-nang", path, ["consultation.answered"])
    ev = event(EventType.CONSULTATION_ANSWERED, province="da-nang")
    service.publish(ev)

    [call] = wait_until(lambda: calls(service, path, ev.id))
    assert verify(SECRET, call.headers[SIGNATURE_HEADER.lower()], call.body, int(time.time()))
    assert not verify("another secret", call.headers[SIGNATURE_HEADER.lower()], call.body, 0)
    document = json.loads(call.body)
    assert document["specversion"] == "1.0"
    assert document["id"] == ev.id
    assert document["type"] == "vn.gov.agreements.consultation.answered.v1"
    assert document["data"] == ev.data
    assert call.headers["content-type"].startswith("application/cloudevents+json")

    def logged() -> list[dict[str, Any]]:
        r = service.client.get(
            f"/v1/subscriptions/{sub['id']}/deliveries", headers=service.headers("officer@da-nang")
        )
        assert r.status_code == 200, r.text
        return [
            d for d in r.json()["data"] if d["event_id"] == ev.id and d["status"] == "delivered"
        ]

    [entry] = wait_until(logged)
    assert entry["attempts"] == 1
    assert entry["id"] == call.headers["x-agreements-delivery"]
    assert entry["attempt_log"][0]["ok"] is True
    assert entry["attempt_log"][0]["status_code"] == 204


def test_a_slow_receiver_does_not_hold_up_the_inbox(service: Service) -> None:
    path = f"/slow/{uuid.uuid4().hex}"
    subscribe(service, "officer@lai-chau", path, ["agreement.expired"])
    first = event(EventType.AGREEMENT_EXPIRED, province="lai-chau")
    service.publish(first)
    service.processed(first.id)
    time.sleep(0.3)  # its webhook call is now waiting on the receiver (3 s)
    published = time.monotonic()
    second = event(EventType.AGREEMENT_EXPIRED, province="lai-chau")
    service.publish(second)
    service.processed(second.id)
    assert time.monotonic() - published < 2.0
    assert [n.recipient for n in service.notifications(second.id)] == ["officer@lai-chau"]
    assert calls(service, path, second.id) == []  # the receiver answers 3 s later...
    wait_until(lambda: calls(service, path, second.id))  # ...and delivered after it


def test_a_subscriber_receives_only_events_of_its_own_province(service: Service) -> None:
    path = f"/ok/{uuid.uuid4().hex}"
    subscribe(service, "officer@can-tho", path, ["agreement.signed"])
    elsewhere = event(EventType.AGREEMENT_SIGNED, province="hue")
    own = event(EventType.AGREEMENT_SIGNED, province="can-tho", agreement_id=elsewhere.subject)
    service.publish(elsewhere)
    service.publish(own)  # same partition, after the other
    wait_until(lambda: calls(service, path, own.id))
    assert calls(service, path, elsewhere.id) == []


def test_a_failing_webhook_is_retried_then_disabled_and_its_owner_told(service: Service) -> None:
    owner = Principal("integrator@an-giang", Role.PROVINCE_OFFICER, "an-giang")
    headers = service.headers_for(owner)
    r = service.client.patch("/v1/preferences", json={"language": "en"}, headers=headers)
    assert r.status_code == 200
    path = f"/fail/{uuid.uuid4().hex}"
    r = service.client.post(
        "/v1/subscriptions",
        json={
            "url": service.webhooks.url(path),
            "event_types": ["agreement.expired"],
            "secret": SECRET,
        },
        headers=headers,
    )
    assert r.status_code == 201
    sub = r.json()
    attempts = service.settings.webhook_max_attempts
    failures = service.settings.webhook_disable_after_failures

    first = event(EventType.AGREEMENT_EXPIRED, province="an-giang")
    service.publish(first)
    wait_until(lambda: len(calls(service, path, first.id)) == attempts)
    numbers = [c.headers["x-agreements-attempt"] for c in calls(service, path, first.id)]
    assert numbers == [str(n) for n in range(1, attempts + 1)]
    # One failed delivery is not yet "repeated failure".
    assert service.client.get(f"/v1/subscriptions/{sub['id']}", headers=headers).json()["active"]

    def all_attempts_made(event_id: str) -> Callable[[], bool]:
        return lambda: len(calls(service, path, event_id)) == attempts

    for _ in range(failures - 1):
        ev = event(EventType.AGREEMENT_EXPIRED, province="an-giang")
        service.publish(ev)
        wait_until(all_attempts_made(ev.id))

    def disabled() -> dict[str, Any] | None:
        body = service.client.get(f"/v1/subscriptions/{sub['id']}", headers=headers).json()
        return None if body["active"] else dict(body)

    off = wait_until(disabled)
    assert off["disabled_at"] is not None
    assert "HTTP 500" in off["disabled_reason"]

    log = service.client.get(
        f"/v1/subscriptions/{sub['id']}/deliveries?status=failed", headers=headers
    ).json()
    assert log["count"] == failures
    assert all(len(d["attempt_log"]) == attempts for d in log["data"])
    assert all(
        not a["ok"] and a["status_code"] == 500 for d in log["data"] for a in d["attempt_log"]
    )

    inbox = service.client.get("/v1/inbox", headers=headers).json()
    [notice] = [n for n in inbox["data"] if n["event_type"] == "subscription.disabled"]
    assert notice["language"] == "en"
    assert "disabled" in notice["subject"] and service.webhooks.url(path) in notice["subject"]
    assert sub["id"] in notice["body"]

    # Switched off: a further event is not sent...
    later = event(EventType.AGREEMENT_EXPIRED, province="an-giang")
    service.publish(later)
    service.processed(later.id)
    time.sleep(0.3)
    assert calls(service, path, later.id) == []
    # ...until its owner enables it again.
    again = service.client.post(f"/v1/subscriptions/{sub['id']}/enable", headers=headers)
    assert again.status_code == 200 and again.json()["active"] is True
    assert again.json()["consecutive_failures"] == 0


def test_someone_elses_subscription_is_answered_as_not_found(service: Service) -> None:
    sub = subscribe(service, "officer@hue", f"/ok/{uuid.uuid4().hex}", ["agreement.in_force"])
    other = service.headers("officer@da-nang")
    base = f"/v1/subscriptions/{sub['id']}"
    assert service.client.get(base, headers=other).status_code == 404
    assert service.client.get(f"{base}/deliveries", headers=other).status_code == 404
    assert service.client.post(f"{base}/enable", headers=other).status_code == 404
    assert service.client.delete(base, headers=other).status_code == 404
    listed = service.client.get("/v1/subscriptions", headers=other).json()
    assert sub["id"] not in {s["id"] for s in listed["data"]}
    # still there for its owner
    assert service.client.get(base, headers=service.headers("officer@hue")).status_code == 200


def test_a_deleted_subscription_receives_nothing(service: Service) -> None:
    path = f"/ok/{uuid.uuid4().hex}"
    sub = subscribe(service, "officer@hai-phong", path, ["agreement.in_force"])
    owner = service.headers("officer@hai-phong")
    assert service.client.delete(f"/v1/subscriptions/{sub['id']}", headers=owner).status_code == 204
    assert service.client.get(f"/v1/subscriptions/{sub['id']}", headers=owner).status_code == 404
    ev = event(EventType.AGREEMENT_IN_FORCE, province="hai-phong")
    service.publish(ev)
    service.processed(ev.id)
    time.sleep(0.3)
    assert calls(service, path, ev.id) == []


def test_a_retried_create_with_the_same_idempotency_key_makes_one_subscription(
    service: Service,
) -> None:
    headers = service.headers("officer@ca-mau") | {"Idempotency-Key": uuid.uuid4().hex}
    body = {
        "url": service.webhooks.url("/ok/idem"),
        "event_types": ["agreement.signed"],
        "secret": SECRET,
    }
    first = service.client.post("/v1/subscriptions", json=body, headers=headers)
    second = service.client.post("/v1/subscriptions", json=body, headers=headers)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    listed = service.client.get("/v1/subscriptions", headers=headers).json()
    assert [s["id"] for s in listed["data"]].count(first.json()["id"]) == 1
    changed = service.client.post(
        "/v1/subscriptions", json=body | {"description": "other"}, headers=headers
    )
    assert changed.status_code == 422
    assert problem(changed)["type"].endswith("idempotency-mismatch")


@pytest.mark.parametrize(
    ("body", "field", "rule", "lang", "words"),
    [
        ({"url": "ftp://example.test/x"}, "url", "url_scheme", "vi", "Địa chỉ phải bắt đầu"),
        ({"url": "ftp://example.test/x"}, "url", "url_scheme", "en", "must start with"),
        ({"url": "https://u:p@example.test/"}, "url", "url_credentials", "en", "credentials"),
        ({"event_types": ["agreement.nonsense"]}, "event_types.0", "enum", "vi", "không hợp lệ"),
        ({"event_types": []}, "event_types", "min_items", "en", "at least 1"),
        ({"secret": "short"}, "secret", "min_length", "en", "at least 16"),
        ({"event_types": ["agreement.signed"] * 2}, "event_types.1", "duplicate", "en", "twice"),
        ({"colour": "red"}, "colour", "unknown_field", "vi", "không được hỗ trợ"),
    ],
)
def test_bad_subscription_input_is_a_422_naming_the_field_and_rule_in_the_callers_language(
    service: Service, body: dict[str, Any], field: str, rule: str, lang: str, words: str
) -> None:
    valid = {"url": "https://example.test/hook", "event_types": ["agreement.signed"]}
    valid["secret"] = SECRET
    r = service.client.post(
        "/v1/subscriptions",
        json=valid | body,
        headers=service.headers("officer@hue", lang=lang),
    )
    assert r.status_code == 422, r.text
    errors = problem(r)["errors"]
    assert {"field": field, "rule": rule} in [
        {"field": e["field"], "rule": e["rule"]} for e in errors
    ]
    assert any(words in e["message"] for e in errors), errors
