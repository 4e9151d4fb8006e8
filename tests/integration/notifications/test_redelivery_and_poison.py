"""Nothing doubled, nothing stuck: a redelivered event sends nothing, a poison event goes to
the dead-letter topic and the next event is still processed."""

from __future__ import annotations

import dataclasses
import time
import uuid
from typing import Any

import pytest
from kafka import KafkaConsumer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import func, select

from common.events.envelope import encode
from common.events.types import DEAD_LETTER_TOPIC, EventType
from services.notifications.models import Delivery
from tests.integration.notifications.conftest import Service, wait_until
from tests.unit.notifications.samples import event

pytestmark = pytest.mark.integration


def _deliveries(service: Service, event_id: str) -> int:
    with service.db.session() as session:
        return int(session.exec(select(func.count()).where(Delivery.event_id == event_id)).one())


def _calls(service: Service, path: str, event_id: str) -> list[Any]:
    return [r for r in service.webhooks.to(path) if r.headers["x-agreements-event-id"] == event_id]


def test_a_redelivered_event_sends_nothing_again(service: Service) -> None:
    sub = service.client.post(
        "/v1/subscriptions",
        json={
            "url": service.webhooks.url(f"/redelivery/{uuid.uuid4().hex}"),
            "event_types": ["agreement.approved"],
            "secret": "s" * 32,
        },
        headers=service.headers("officer@quang-ninh"),
    )
    assert sub.status_code == 201, sub.text
    path = sub.json()["url"].split(str(service.webhooks.port), 1)[1]
    ev = event(EventType.AGREEMENT_APPROVED, province="quang-ninh")

    service.publish(ev)
    service.processed(ev.id)
    wait_until(lambda: len(service.mail.for_event(ev.id)) == 1)
    # (Events replayed from the topic's start may reach this new subscription too: count
    # this event's calls only.)
    wait_until(lambda: len(_calls(service, path, ev.id)) == 1)
    inbox_before = len(service.notifications(ev.id))
    assert inbox_before == 1

    # The broker hands the same event again (a rebalance, a replay after data loss).
    service.publish(ev)
    marker = event(EventType.AGREEMENT_APPROVED, province="quang-ninh", agreement_id=ev.subject)
    service.publish(marker)  # same key, same partition: processed after the duplicate
    service.processed(marker.id)
    time.sleep(0.5)  # let the dispatcher send anything it (wrongly) queued

    assert len(service.notifications(ev.id)) == inbox_before
    assert _deliveries(service, ev.id) == 2  # one e-mail, one webhook: not four
    assert len(service.mail.for_event(ev.id)) == 1
    assert len(_calls(service, path, ev.id)) == 1
    assert 'notifications_events_total{event_type="agreement.approved",outcome="duplicate"}' in (
        service.metrics_text()
    )


def _dead_letters(service: Service, key: bytes) -> list[Any]:
    consumer = KafkaConsumer(
        bootstrap_servers=service.settings.kafka_bootstrap_servers, fetch_max_wait_ms=20
    )
    try:
        tp = TopicPartition(DEAD_LETTER_TOPIC, 0)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        found: list[Any] = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not found:
            for records in consumer.poll(timeout_ms=200).values():
                found += [r for r in records if r.key == key]
        return found
    finally:
        consumer.close()


@pytest.mark.parametrize("poison", ["garbage", "unknown_major_version", "broken_payload"])
def test_a_poison_event_lands_in_the_dlt_and_the_next_event_is_still_processed(
    service: Service, poison: str
) -> None:
    agreement_id = str(uuid.uuid4())
    key = agreement_id.encode()
    good = encode(event(EventType.AGREEMENT_EXPIRED, agreement_id=agreement_id))
    if poison == "garbage":
        service.publish_raw(key, b"\x00not an event", [("ce_type", b"nonsense")])
    elif poison == "unknown_major_version":
        headers = [
            (k, b"vn.gov.agreements.agreement.expired.v9" if k == "ce_type" else v)
            for k, v in good.headers
        ]
        headers = [(k, b"poison-" + v if k == "ce_id" else v) for k, v in headers]
        service.publish_raw(key, good.value, headers)
    else:
        headers = [(k, b"poison-" + v if k == "ce_id" else v) for k, v in good.headers]
        service.publish_raw(key, b'{"agreement_id": "only this"}', headers)
    before = service.app.state.metrics.dead_lettered._value.get()

    nxt = event(EventType.AGREEMENT_EXPIRED, agreement_id=agreement_id, province="hue")
    service.publish(nxt)  # same key: same partition, right behind the poison
    service.processed(nxt.id)
    assert [n.recipient for n in service.notifications(nxt.id)] == ["officer@hue"]

    letters = _dead_letters(service, key)
    assert len(letters) >= 1
    dlt = dict(letters[0].headers)
    assert dlt["dlt_reason"].decode().startswith("undecodable")
    assert dlt["dlt_original_topic"] == b"agreements.events"
    assert dlt["dlt_original_partition"].isdigit()
    assert dlt["dlt_original_offset"].isdigit()
    assert dlt["dlt_consumer_group"] == service.settings.notifications_consumer_group.encode()
    assert service.app.state.metrics.dead_lettered._value.get() >= before + 1


def _consumer_samples(service: Service) -> dict[tuple[str, str], float]:
    """The consumer base's samples on the service's /metrics, for its group: (name, reason)."""
    group = service.settings.notifications_consumer_group
    return {
        (sample.name, sample.labels.get("reason", "")): sample.value
        for family in text_string_to_metric_families(service.metrics_text())
        for sample in family.samples
        if sample.name.startswith("event_consumer_") and sample.labels.get("group") == group
    }


def test_the_dependency_wait_and_the_dead_letters_by_reason_are_on_the_services_metrics(
    service: Service,
) -> None:
    """What the alerts on waiting consumers and dead letters read: exposed by the process that
    runs the consumer, for its group, every reason from the start."""
    before = _consumer_samples(service)
    assert before[("event_consumer_dependency_wait_seconds", "")] == 0.0
    for reason in ("undecodable", "invalid", "failed"):
        assert ("event_consumer_dead_lettered_total", reason) in before, reason

    agreement_id = str(uuid.uuid4())
    service.publish_raw(agreement_id.encode(), b"\x00not an event", [("ce_type", b"nonsense")])
    nxt = event(EventType.AGREEMENT_EXPIRED, agreement_id=agreement_id, province="hue")
    service.publish(nxt)  # same partition, right behind it
    service.processed(nxt.id)

    after = _consumer_samples(service)
    undecodable = ("event_consumer_dead_lettered_total", "undecodable")
    assert after[undecodable] >= before[undecodable] + 1
    assert after[("event_consumer_dependency_wait_seconds", "")] == 0.0


def test_an_event_whose_data_its_model_refuses_is_dead_lettered_after_its_attempts(
    service: Service,
) -> None:
    """The JSON schema leaves a moment's format unchecked; the payload model refuses it, so
    handling fails, is retried, the event is dead-lettered and the next one is handled."""
    agreement_id = str(uuid.uuid4())
    good = event(EventType.CONSULTATION_REQUESTED, agreement_id=agreement_id)
    bad = dataclasses.replace(good, data=good.data | {"due_at": "next Tuesday"})
    service.publish(bad)
    nxt = event(EventType.AGREEMENT_EXPIRED, agreement_id=agreement_id, province="hue")
    service.publish(nxt)  # same key: same partition, right behind it
    service.processed(nxt.id)

    assert service.notifications(bad.id) == [] and _deliveries(service, bad.id) == 0
    [letter] = _dead_letters(service, agreement_id.encode())
    reason = dict(letter.headers)["dlt_reason"].decode()
    assert reason.startswith("handler failed") and "due_at" in reason
