"""Consultation SLA per body counts every consultation that fell due: one never answered
after its deadline is a miss, shown as overdue; the median counts the answered ones."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.reporting.api.responses import CycleSummary
from tests.helpers import draft_body
from tests.integration.reporting.conftest import ReportingStack
from tests.integration.reporting.workflow import event, step_data

pytestmark = pytest.mark.integration


def _consultation(
    agreement_id: str, province: str, at: datetime, *, due_in_days: int, answer: Any
) -> list[Any]:
    """A request to the Ministry of Health, and its answer when `answer` is (on_time, days)."""
    task_id = str(uuid.uuid4())
    requested = at - timedelta(days=12)
    due = at + timedelta(days=due_in_days)
    step = step_data(agreement_id, province)
    common = {"task_id": task_id, "body": "moh", "round": 1}
    out = [
        event(
            "consultation.requested",
            agreement_id,
            step
            | common
            | {
                "procedure": "STANDARD",
                "requested_at": requested.isoformat(),
                "due_at": due.isoformat(),
                "reminder_at": due.isoformat(),
                "working_days": 7,
            },
            at,
        )
    ]
    if answer is not None:
        on_time, days = answer
        out.append(
            event(
                "consultation.answered",
                agreement_id,
                step
                | common
                | {
                    "outcome": "AGREE",
                    "comment": "",
                    "document_ids": [],
                    "answered_by": "reviewer@moh",
                    "requested_at": requested.isoformat(),
                    "answered_at": (requested + timedelta(days=days)).isoformat(),
                    "due_at": due.isoformat(),
                    "on_time": on_time,
                    "working_days_taken": days,
                },
                at + timedelta(milliseconds=1),
            )
        )
    return out


def test_a_consultation_never_answered_after_its_deadline_counts_as_missed(
    rstack: ReportingStack,
) -> None:
    province = "son-la"
    ids = []
    for _ in range(4):
        r = rstack.agreements.post(
            "/v1/agreements",
            json=draft_body(province=province),
            headers=rstack.headers(f"officer@{province}"),
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    rstack.wait_idle()
    now = datetime.now(UTC)
    rstack.publish(
        *_consultation(ids[0], province, now, due_in_days=-5, answer=(True, 4)),
        *_consultation(ids[1], province, now, due_in_days=-5, answer=(False, 9)),
        *_consultation(ids[2], province, now, due_in_days=-2, answer=None),  # missed
        *_consultation(ids[3], province, now, due_in_days=+3, answer=None),  # not yet due
    )
    rstack.wait_idle()
    open_cycle = rstack.reporting_settings.calendar.open_number
    summary = rstack.summary(open_cycle, f"officer@{province}")
    moh = {row["key"]: row for row in summary["consultation_sla"]}["moh"]
    values = {name: moh[name]["value"] for name in moh if isinstance(moh[name], dict)}
    assert values == {
        "requested": 4,
        "answered": 2,
        "answered_on_time": 1,
        "overdue_open": 1,
        "fell_due": 3,
        "on_time_share": round(1 / 3, 4),
        "median_working_days": 6.5,
    }
    assert summary["cycle"]["open"] is True
    # The typed answer names every SLA figure a client reads.
    sla = {row.key: row for row in CycleSummary.model_validate(summary).consultation_sla}
    assert sla["moh"].median_working_days.value == 6.5
