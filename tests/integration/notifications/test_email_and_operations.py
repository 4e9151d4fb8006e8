"""E-mail through a real SMTP server (immediate and daily digest), health, readiness, metrics,
and migrations that build exactly the models' schema on each backend."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, update
from sqlmodel import col, select

from common.auth import Principal, Role
from common.events.types import EventType
from services.notifications.models import Delivery, NotificationsTable
from tests.integration.notifications.conftest import Service, wait_until
from tests.unit.notifications.samples import event

pytestmark = pytest.mark.integration


def test_reminders_wait_for_the_daily_digest_when_the_person_chose_it(service: Service) -> None:
    person = Principal(f"reviewer-{uuid.uuid4().hex[:8]}@moh", Role.REVIEWER, "moh")
    address = f"{person.subject.split('@')[0]}@moh.example.test"
    admin = service.headers("admin@system")
    r = service.client.put(
        f"/v1/recipients/{person.subject}",
        json={"role": "reviewer", "org": "moh", "email": address},
        headers=admin,
    )
    assert r.status_code == 201
    headers = service.headers_for(person)
    r = service.client.patch("/v1/preferences", json={"reminder_mode": "digest"}, headers=headers)
    assert r.json()["reminder_mode"] == "digest"

    reminder = event(EventType.CONSULTATION_REMINDER, body="moh", title="Nhắc: hợp tác y tế")
    request = event(EventType.CONSULTATION_REQUESTED, body="moh", title="Lấy ý kiến: y tế")
    service.publish(reminder)
    service.publish(request)
    service.processed(reminder.id)
    service.processed(request.id)

    # The inbox has both at once; e-mail brings the request now, the reminder later.
    inbox = service.client.get("/v1/inbox", headers=headers).json()
    assert {n["event_type"] for n in inbox["data"]} == {
        "consultation.reminder",
        "consultation.requested",
    }

    def mine(event_id: str) -> list[EmailMessage]:
        return [m for m in service.mail.for_event(event_id) if m["To"] == address]

    [mail] = wait_until(lambda: mine(request.id))
    assert str(mail["Subject"]) == "[Lấy ý kiến] Lấy ý kiến: y tế"
    assert mine(reminder.id) == []
    with service.db.session() as session:
        held = session.exec(
            select(Delivery).where(
                Delivery.event_id == reminder.id, Delivery.recipient == person.subject
            )
        ).one()
    assert held.status == "held"

    # Two days pass: the last digest moment (DIGEST_HOUR, Vietnam time) is after it was held.
    with service.db.write_session() as session:
        session.exec(
            update(Delivery)
            .where(col(Delivery.id) == held.id)
            .values(created_at=datetime.now(UTC) - timedelta(days=2))
        )
        session.commit()
    dispatcher = service.app.state.worker.dispatcher
    dispatcher.make_digests()
    dispatcher.make_digests()  # (its own thread may run it too): nothing is gathered twice
    with service.db.session() as session:
        digests = session.exec(
            select(Delivery).where(
                Delivery.recipient == person.subject, Delivery.event_type == "digest"
            )
        ).all()
        assert len(digests) == 1
        assert session.get(Delivery, held.id).digest_id == digests[0].id  # type: ignore[union-attr]

    def digest() -> list[EmailMessage]:
        return [m for m in service.mail.to(address) if "Tổng hợp nhắc việc" in str(m["Subject"])]

    [mail] = wait_until(digest)
    assert str(mail["Subject"]).startswith("[Tổng hợp nhắc việc] 1 nhắc việc")
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "[Nhắc hạn góp ý] Nhắc: hợp tác y tế" in text
    assert f"/ui/agreements/{reminder.subject}" in text


def test_health_readiness_and_metrics(service: Service) -> None:
    assert service.client.get("/healthz").json() == {"status": "ok"}
    ready = service.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok", "worker": "ok"}

    ev = event(EventType.AGREEMENT_PLAN_DUE, province="dong-thap")
    service.publish(ev)
    service.processed(ev.id)
    wait_until(lambda: service.mail.for_event(ev.id))

    expected = (
        'notifications_created_total{channel="inbox",event_type="agreement.plan_due"}',
        'notifications_created_total{channel="email",event_type="agreement.plan_due"}',
        'notifications_delivered_total{channel="inbox",event_type="agreement.plan_due"}',
        'notifications_delivered_total{channel="email",event_type="agreement.plan_due"}',
        'notifications_delivery_latency_seconds_bucket{channel="inbox"',
        'notifications_delivery_latency_seconds_bucket{channel="email"',
        'notifications_events_total{event_type="agreement.plan_due",outcome="processed"}',
        # Refreshed periodically by the consumer, so it may lag the events a little.
        "notifications_consumer_lag{partition=",
        "notifications_dead_lettered_total",
        "notifications_failed_total",
        "notifications_delivery_backlog",
        "notifications_subscriptions_inactive",
        "http_requests_total",
    )

    def scraped() -> str:
        text = service.metrics_text()
        return text if all(name in text for name in expected) else ""

    text = wait_until(scraped)
    for name in expected:
        assert name in text, name


def test_migrated_schema_matches_the_models(service: Service) -> None:
    engine = create_engine(service.settings.database_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), NotificationsTable.metadata)
    finally:
        engine.dispose()
    assert diff == [], f"models and migrations differ; add a migration: {diff}"
