"""A province drafts, attaches its dossier and submits; the submission is announced on Kafka."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlmodel import col, select

from common.events.types import ce_type
from services.agreements.models import OutboxEvent
from services.agreements.outbox import backlog
from tests.helpers import PDF, dossier_files, draft_body

pytestmark = pytest.mark.integration


def _draft(stack: Any, user: str = "officer@ha-noi", **overrides: Any) -> dict[str, Any]:
    r = stack.client.post("/v1/agreements", json=draft_body(**overrides), headers=stack.login(user))
    assert r.status_code == 201, r.text
    return dict(r.json())


def _attach_all(stack: Any, agreement_id: str, languages: tuple[str, ...] = ("vi", "ko")) -> None:
    for kind, lang, name, content in dossier_files(languages):
        r = stack.client.post(
            f"/v1/agreements/{agreement_id}/documents",
            data={"kind": kind, "language": lang},
            files={"file": (name, content, "application/pdf")},
            headers=stack.login("officer@ha-noi"),
        )
        assert r.status_code == 201, r.text


def test_submission_puts_exactly_one_submitted_event_on_kafka(stack: Any) -> None:
    a = _draft(stack)
    _attach_all(stack, a["id"])
    r = stack.client.post(f"/v1/agreements/{a['id']}/submit", headers=stack.login("officer@ha-noi"))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "SUBMITTED"

    events = stack.events_for(a["id"], expect=6)  # drafted, 4 documents, submitted
    submitted = [e for e in events if e.name == "agreement.submitted"]
    assert len(submitted) == 1
    event = submitted[0]
    assert (
        event.type == ce_type("agreement.submitted") == "vn.gov.agreements.agreement.submitted.v1"
    )
    assert event.subject == a["id"]
    assert event.source == "/services/agreements"
    assert event.data["province"] == "ha-noi"
    assert event.data["submitted_by"] == "officer@ha-noi"
    assert {d["kind"] for d in event.data["documents"]} == {
        "PROPOSAL",
        "IMPLEMENTATION_PLAN",
        "DRAFT_TEXT",
    }
    assert [e.name for e in events] == [
        "agreement.drafted",
        *["document.attached"] * 4,
        "agreement.submitted",
    ]
    assert len({e.id for e in events}) == len(events)


def test_kafka_record_is_a_binary_mode_cloudevent_keyed_by_agreement(stack: Any) -> None:
    a = _draft(stack)
    records = stack.records_for(a["id"], expect=1)
    assert len(records) == 1
    headers = dict(records[0].headers)
    assert records[0].key == a["id"].encode()
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_type"] == b"vn.gov.agreements.agreement.drafted.v1"
    assert headers["ce_subject"] == a["id"].encode()
    assert headers["ce_id"]
    assert headers["ce_correlationid"]


def test_correlation_id_travels_from_http_header_to_kafka(stack: Any) -> None:
    headers = stack.login("officer@ha-noi") | {"X-Correlation-ID": "trace-abc-123"}
    r = stack.client.post("/v1/agreements", json=draft_body(), headers=headers)
    assert r.headers["X-Correlation-ID"] == "trace-abc-123"
    (event,) = stack.events_for(r.json()["id"], expect=1)
    assert event.correlation_id == "trace-abc-123"


def test_submission_lists_every_broken_rule_in_the_requested_language(stack: Any) -> None:
    a = _draft(stack, languages=["ko"])
    stack.client.post(
        f"/v1/agreements/{a['id']}/documents",
        data={"kind": "DRAFT_TEXT", "language": "ko"},
        files={"file": ("ko.pdf", PDF, "application/pdf")},
        headers=stack.login("officer@ha-noi"),
    )
    r = stack.client.post(
        f"/v1/agreements/{a['id']}/submit", headers=stack.login("officer@ha-noi", lang="vi")
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    rules = {e["rule"] for e in problem["errors"]}
    assert rules == {
        "proposal_required",
        "implementation_plan_required",
        "vietnamese_translation_required",
    }
    assert "tờ trình" in " ".join(e["message"] for e in problem["errors"])
    r_en = stack.client.post(
        f"/v1/agreements/{a['id']}/submit", headers=stack.login("officer@ha-noi", lang="en")
    )
    assert "proposal" in " ".join(e["message"] for e in r_en.json()["errors"])


def test_submitting_twice_is_refused(stack: Any) -> None:
    a = _draft(stack)
    _attach_all(stack, a["id"])
    ok = stack.client.post(
        f"/v1/agreements/{a['id']}/submit", headers=stack.login("officer@ha-noi")
    )
    assert ok.status_code == 200
    again = stack.client.post(
        f"/v1/agreements/{a['id']}/submit", headers=stack.login("officer@ha-noi")
    )
    assert again.status_code == 409
    assert "SUBMITTED" in again.json()["detail"]


def test_idempotency_key_makes_a_retried_create_return_the_first_result(stack: Any) -> None:
    headers = stack.login("officer@ha-noi") | {"Idempotency-Key": "create-retry-1"}
    first = stack.client.post(
        "/v1/agreements", json=draft_body(title="Thỏa thuận thử lặp"), headers=headers
    )
    second = stack.client.post(
        "/v1/agreements", json=draft_body(title="Thỏa thuận thử lặp"), headers=headers
    )
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers.get("Idempotent-Replayed") == "true"
    other = stack.client.post("/v1/agreements", json=draft_body(title="Khác hẳn"), headers=headers)
    assert other.status_code == 422
    assert len(stack.records_for(first.json()["id"], expect=1)) == 1


def test_broker_outage_loses_nothing_and_doubles_nothing(stack: Any, broker: Any) -> None:
    a = _draft(stack)
    _attach_all(stack, a["id"])
    # Let everything so far reach the broker, then take it away.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with stack.db.session() as session:
            if backlog(session)[0] == 0:
                break
        time.sleep(0.1)
    broker.stop()
    try:
        r = stack.client.post(
            f"/v1/agreements/{a['id']}/submit", headers=stack.login("officer@ha-noi")
        )
        assert r.status_code == 200, r.text  # the API does not need the broker to accept work
        time.sleep(1.5)
        with stack.db.session() as session:
            assert backlog(session)[0] >= 1  # waiting in the outbox, not lost
    finally:
        broker.start()
    # The in-memory broker came back empty: the relay notices and publishes the outbox's
    # history again, so the topic holds this agreement's every event once, in order, the
    # pending submission last.
    with stack.db.session() as session:
        rows = session.exec(
            select(OutboxEvent)
            .where(OutboxEvent.agreement_id == a["id"])
            .order_by(col(OutboxEvent.id))
        ).all()
    assert rows[-1].event_type == "agreement.submitted"
    events = stack.events_for(a["id"], expect=len(rows), timeout_s=60)
    assert [e.id for e in events] == [r.event_id for r in rows]
    with stack.db.session() as session:
        assert backlog(session)[0] == 0
