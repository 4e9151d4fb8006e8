"""Live workflow events change the summary within a second and a replay changes nothing; a
rebuild from the agreements service's export gives the same summaries; events the read model
cannot take are dead-lettered."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kafka import KafkaConsumer, TopicPartition

from common.db import Database
from common.events.types import DEAD_LETTER_TOPIC
from common.law.vocabulary import Duty, TaskKind, TaskStatus
from services.agreements.models import Agreement, Task
from services.reporting import models
from services.reporting.__main__ import migrate_database
from services.reporting.app import create_app
from services.reporting.rebuild import rebuild
from tests.helpers import draft_body
from tests.integration.reporting.conftest import PER_CYCLE, ReportingStack
from tests.integration.reporting.history import Record
from tests.integration.reporting.workflow import (
    add_duty_tasks,
    event,
    step_data,
    today_in_vietnam,
    values,
)

pytestmark = pytest.mark.integration


def _signed_cycle_open(rstack: ReportingStack, province: str) -> dict[str, Any]:
    open_cycle = rstack.reporting_settings.calendar.open_number
    return rstack.summary(open_cycle, f"officer@{province}")


def _record_workflow_in_agreements_db(
    rstack: ReportingStack,
    agreement_id: str,
    province: str,
    task: dict[str, Any],
    signed: dict[str, Any],
) -> None:
    """What the workflow's activities store in the agreements database with these events: the
    consultation task, the signing, the copy's delivery task (done) and its receipt task."""
    with rstack.agreements_db.write_session() as session:
        session.add(
            Task(
                id=task["task_id"],
                agreement_id=agreement_id,
                kind=TaskKind.CONSULTATION,
                round=1,
                assignee_role="reviewer",
                assignee_org=task["body"],
                status=TaskStatus.DONE,
                requested_at=task["requested_at"],
                due_at=task["due_at"],
                answered_at=task["answered_at"],
                outcome="AGREE",
                on_time=True,
                working_days_taken=4,
            )
        )
        a = session.get(Agreement, agreement_id)
        assert a is not None
        a.status = "IN_FORCE"  # type: ignore[assignment]
        a.signed_on = signed["signed_on"]
        a.effective_from = signed["signed_on"]
        a.expires_on = signed["expires_on"]
        a.copy_due_on = signed["copy_due_on"]
        a.copy_delivered_at = signed["delivered_at"]
        session.add(a)
        session.commit()
    add_duty_tasks(
        rstack.agreements_db,
        agreement_id,
        province,
        Duty.COPY,
        signed["copy_due_on"],
        opened_at=signed["delivered_at"],
        delivered_at=signed["delivered_at"],
        on_time=True,
    )


def test_live_workflow_events_change_the_summary_within_a_second(
    rstack: ReportingStack, history: list[Record]
) -> None:
    province = "da-nang"
    r = rstack.agreements.post(
        "/v1/agreements",
        json=draft_body(province=province),
        headers=rstack.headers(f"officer@{province}"),
    )
    assert r.status_code == 201, r.text
    agreement_id = r.json()["id"]
    rstack.wait_idle()
    before = _signed_cycle_open(rstack, province)
    assert values(before["pipeline_by_status"]).get("DRAFT", 0) >= 1

    now = datetime.now(UTC)
    today = today_in_vietnam()
    task: dict[str, Any] = {
        "task_id": str(uuid.uuid4()),
        "body": "mofa",
        "requested_at": now - timedelta(days=6),
        "due_at": now + timedelta(days=3),
        "answered_at": now - timedelta(days=1),
    }
    signed: dict[str, Any] = {
        "signed_on": today,
        "expires_on": today + timedelta(days=120),
        "copy_due_on": today + timedelta(days=15),
        "delivered_at": now,
    }
    step = step_data(agreement_id, province)
    events = [
        event(
            "consultation.requested",
            agreement_id,
            step
            | {
                "task_id": task["task_id"],
                "body": "mofa",
                "round": 1,
                "procedure": "STANDARD",
                "requested_at": task["requested_at"].isoformat(),
                "due_at": task["due_at"].isoformat(),
                "reminder_at": task["due_at"].isoformat(),
                "working_days": 7,
            },
            now + timedelta(milliseconds=1),
        ),
        event(
            "consultation.answered",
            agreement_id,
            step
            | {
                "task_id": task["task_id"],
                "body": "mofa",
                "round": 1,
                "outcome": "AGREE",
                "comment": "",
                "document_ids": [],
                "answered_by": "reviewer@mofa",
                "requested_at": task["requested_at"].isoformat(),
                "answered_at": task["answered_at"].isoformat(),
                "due_at": task["due_at"].isoformat(),
                "on_time": True,
                "working_days_taken": 4,
            },
            now + timedelta(milliseconds=2),
        ),
        event(
            "agreement.signed",
            agreement_id,
            step
            | {
                "signed_on": today.isoformat(),
                "place": "Đà Nẵng",
                "signatories": [],
                "effective_from": today.isoformat(),
                "expires_on": signed["expires_on"].isoformat(),
                "signed_text_sha256": "0" * 64,
                "recorded_by": f"officer@{province}",
                "recorded_at": now.isoformat(),
                "copy_due_on": signed["copy_due_on"].isoformat(),
                "copy_recipient": "mofa-registry",
            },
            now + timedelta(milliseconds=3),
        ),
        event(
            "agreement.copy_delivered",
            agreement_id,
            step
            | {
                "duty": "COPY",
                "due_on": signed["copy_due_on"].isoformat(),
                "recipient": "mofa-registry",
                "task_id": str(uuid.uuid4()),
                "delivered_by": f"officer@{province}",
                "delivered_at": now.isoformat(),
                "on_time": True,
            },
            now + timedelta(milliseconds=4),
        ),
        event(
            "agreement.in_force",
            agreement_id,
            step
            | {
                "effective_from": today.isoformat(),
                "expires_on": signed["expires_on"].isoformat(),
                "at": now.isoformat(),
            },
            now + timedelta(milliseconds=5),
        ),
    ]
    _record_workflow_in_agreements_db(rstack, agreement_id, province, task, signed)
    signed_before = before["headline"]["agreements_signed"]["value"]
    in_force_before = before["headline"]["in_force"]["value"]

    rstack.publish(*events)
    published = time.monotonic()
    rstack.wait_for(
        lambda: (
            _signed_cycle_open(rstack, province)["headline"]["in_force"]["value"]
            == in_force_before + 1
        ),
        timeout_s=10,
        what="the live events in the summary",
    )
    assert time.monotonic() - published < 1.0

    rstack.wait_idle()
    after = _signed_cycle_open(rstack, province)
    assert after["headline"]["agreements_signed"]["value"] == signed_before + 1
    assert after["headline"]["expiring_within_180_days"]["value"] >= 1
    sla = {row["key"]: row for row in after["consultation_sla"]}["mofa"]
    assert sla["answered"]["value"] >= 1
    assert sla["median_working_days"]["value"] is not None
    compliance = after["post_signing_compliance"]
    assert compliance["delivered_on_time"]["value"] >= 1

    # The same event delivered again (a replay after a broker failure) changes nothing.
    rstack.publish(*events)
    rstack.wait_idle()
    last: dict[str, Any] = {}

    def unchanged() -> bool:
        last.update(_signed_cycle_open(rstack, province))
        return last == after

    if not _within(unchanged, timeout_s=5):
        changed = sorted(key for key in after if last.get(key) != after[key])
        pytest.fail(f"the replay changed {changed}: {[(after[k], last.get(k)) for k in changed]}")


def _within(check: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _summaries(client: Any, headers: dict[str, str], cycles: range) -> list[Any]:
    out = []
    for n in cycles:
        for params in ({}, {"province": "an-giang"}, {"field": "trade"}, {"country": "JP"}):
            r = client.get(f"/v1/cycles/{n}/summary", params=params, headers=headers)
            assert r.status_code == 200, r.text
            out.append(r.json())
    return out


def test_a_rebuild_from_the_agreements_service_gives_the_same_summaries(
    rstack: ReportingStack, history: list[Record]
) -> None:
    rstack.wait_idle()
    headers = rstack.headers("registry@mofa")
    cycles = range(19, rstack.reporting_settings.calendar.open_number + 1)
    live = _summaries(rstack.reporting, headers, cycles)

    # The broker lost everything and the read model is new: rebuild it from the export.
    settings = rstack.reporting_settings.model_copy(
        update={"reporting_database_url": rstack.urls["rebuilt"], "rebuild_page_size": 700}
    )
    migrate_database(settings.database_url)
    db = Database(settings.database_url, pool_size=2)
    try:
        result = rebuild(settings, db, client=rstack.agreements)
        assert result.agreements >= sum(PER_CYCLE.values())
        from fastapi.testclient import TestClient

        with TestClient(create_app(settings)) as rebuilt:
            _assert_same(_summaries(rebuilt, headers, cycles), live)
    finally:
        db.dispose()
    # The duties came with it (copies, notices, reports, plans: test_duties.py's among them),
    # and gave the same figures as their events.
    assert result.duties >= 1
    duties = [row for summary in live for row in summary["post_signing_duties"]]
    assert sum(row["due"]["value"] for row in duties) > 0

    # Rebuilding over the live read model changes nothing either.
    rebuild(rstack.reporting_settings, rstack.reporting_db, client=rstack.agreements)
    _assert_same(_summaries(rstack.reporting, headers, cycles), live)


def _assert_same(got: list[Any], want: list[Any]) -> None:
    """Summaries equal, or the first section that differs named."""
    for a, b in zip(got, want, strict=True):
        for section in b:
            assert a[section] == b[section], (a["cycle"], a["filters"], section)


def test_an_event_for_an_unknown_agreement_is_dead_lettered_and_the_next_applied(
    rstack: ReportingStack, history: list[Record]
) -> None:
    ghost = str(uuid.uuid4())
    now = datetime.now(UTC)
    approved = event(
        "agreement.approved",
        ghost,
        step_data(ghost, "hue")
        | {
            "task_id": str(uuid.uuid4()),
            "decided_by": "leader@hue",
            "decided_at": now.isoformat(),
            "comment": "",
            "approved_text_sha256": [],
        },
        now,
    )
    dead_before = rstack.consumer.dead_lettered
    rstack.publish(approved)
    rstack.wait_for(lambda: rstack.consumer.dead_lettered > dead_before, 20, "dead letter")
    headers = _dead_letter_headers(rstack, ghost)
    assert b"unknown agreement" in headers["dlt_reason"]
    assert headers["dlt_consumer_group"] == rstack.reporting_settings.consumer_group.encode()
    rstack.wait_idle()  # and the consumer went on


def test_an_event_whose_data_its_model_refuses_is_dead_lettered(
    rstack: ReportingStack, history: list[Record]
) -> None:
    """The JSON schema leaves a moment's format unchecked; the payload model refuses it, so the
    event is retried, then dead-lettered, and nothing of it reaches the read model."""
    agreement_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    requested = event(
        "consultation.requested",
        agreement_id,
        step_data(agreement_id, "hue")
        | {
            "task_id": str(uuid.uuid4()),
            "body": "mofa",
            "round": 1,
            "procedure": "STANDARD",
            "requested_at": now.isoformat(),
            "due_at": now.isoformat(),
            "reminder_at": now.isoformat(),
            "working_days": 7,
        },
        now,
    )
    requested.data["due_at"] = "next Tuesday"
    dead_before = rstack.consumer.dead_lettered
    rstack.publish(requested)
    rstack.wait_for(lambda: rstack.consumer.dead_lettered > dead_before, 20, "dead letter")
    reason = _dead_letter_headers(rstack, agreement_id)["dlt_reason"]
    assert reason.startswith(b"handler failed") and b"due_at" in reason
    with rstack.reporting_db.session() as session:
        assert session.get(models.ReadConsultation, requested.data["task_id"]) is None
    rstack.wait_idle()


def _dead_letter_headers(rstack: ReportingStack, agreement_id: str) -> dict[str, bytes]:
    """The headers of the dead letter keyed by this agreement."""
    probe = KafkaConsumer(bootstrap_servers=rstack.reporting_settings.kafka_bootstrap_servers)
    try:
        tp = TopicPartition(DEAD_LETTER_TOPIC, 0)
        probe.assign([tp])
        probe.seek_to_beginning(tp)
        letters: list[Any] = []
        deadline = time.monotonic() + 5
        while not letters and time.monotonic() < deadline:
            for records in probe.poll(timeout_ms=200).values():
                letters += [r for r in records if r.key == agreement_id.encode()]
    finally:
        probe.close()
    assert letters, "the event is not on the dead-letter topic"
    return dict(letters[0].headers)
