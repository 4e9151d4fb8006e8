"""Duties after a decision takes effect: what each event tells of them, how the parts merge
into one row whatever their order, what a duty counts towards, and the summary's section."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from common.events.payloads import PAYLOADS, DutyRecordV1
from common.law.cycles import DEFAULT_CONFERENCES, ConferenceCalendar
from services.reporting.domain import aggregation as agg
from services.reporting.domain.summary import CycleCounts, DatedFigures, build_summary
from services.reporting.mapping import fill_duty, new_duty
from services.reporting.models import row_dict
from services.reporting.projection.duties import duty_records
from tests.unit.notifications.samples import AT, event

DUE = date(2026, 3, 17)
CASE = "case-1"


def _records(name: str, **data: Any) -> list[DutyRecordV1]:
    e = event(name, agreement_id="a-1", province="hue")
    e = replace(e, data=e.data | data)
    return duty_records(PAYLOADS[(name, 1)].model_validate(e.data), e)  # type: ignore[arg-type]


def test_signing_owes_the_copy_and_at_provincial_level_the_report_due_the_same_day() -> None:
    records = _records("agreement.signed", copy_due_on=DUE.isoformat())
    assert [(r.agreement_id, r.duty, r.due_on) for r in records] == [("a-1", "COPY", DUE)]
    records = _records(
        "agreement.signed", copy_due_on=DUE.isoformat(), report_due_on=DUE.isoformat()
    )
    assert [(r.duty, r.due_on) for r in records] == [("COPY", DUE), ("REPORT", DUE)]
    assert all(r.province == "hue" and r.delivered_at is None for r in records)


def test_the_notice_of_an_end_or_a_resumption_is_its_cases_duty() -> None:
    for name in ("agreement.terminated", "agreement.resumed"):
        (notice,) = _records(name, case_id=CASE, notice_due_on=DUE.isoformat())
        assert (notice.agreement_id, notice.duty, notice.due_on) == (CASE, "NOTICE", DUE)


def test_the_yearly_plan_is_a_duty_only_when_the_event_names_its_task() -> None:
    assert _records("agreement.plan_due") == []
    (plan,) = _records("agreement.plan_due", task_id="t-9", due_on="2026-11-15")
    assert (plan.duty, plan.due_on, plan.task_id) == ("PLAN", date(2026, 11, 15), "t-9")


def test_delivery_and_receipt_tell_their_own_facts() -> None:
    (delivered,) = _records("agreement.copy_delivered", duty="REPORT", due_on=DUE.isoformat())
    assert delivered.duty == "REPORT" and delivered.delivered_at == AT and delivered.on_time
    (received,) = _records("agreement.copy_received", duty="REPORT", due_on=DUE.isoformat())
    assert received.received_at == AT and received.delivered_at is None
    (overdue,) = _records("agreement.copy_overdue", duty="PLAN", due_on=DUE.isoformat())
    assert (overdue.duty, overdue.due_on, overdue.delivered_at) == ("PLAN", DUE, None)


def _record(at: datetime, **facts: Any) -> DutyRecordV1:
    return DutyRecordV1(
        agreement_id="a-1", province="hue", duty="COPY", due_on=DUE, state_at=at, **facts
    )


OWED = _record(AT)
DELIVERED = _record(AT + timedelta(days=3), delivered_at=AT + timedelta(days=3), on_time=True)
RECEIVED = _record(AT + timedelta(days=4), received_at=AT + timedelta(days=4))


def test_a_duty_ends_the_same_whatever_the_order_of_its_events_and_replays() -> None:
    rows = []
    for order in itertools.permutations([OWED, DELIVERED, RECEIVED, DELIVERED, OWED]):
        row = new_duty("a-1", "COPY", DUE)
        for record in order:
            fill_duty(row, record)
        rows.append(row_dict(row))
    assert all(r == rows[0] for r in rows)
    assert rows[0]["delivered_at"] == DELIVERED.delivered_at and rows[0]["on_time"] is True
    assert rows[0]["received_at"] == RECEIVED.received_at
    assert rows[0]["state_at"] == RECEIVED.state_at and rows[0]["province"] == "hue"


def test_an_export_record_fills_the_row_the_events_fill() -> None:
    from_events = new_duty("a-1", "COPY", DUE)
    for record in (OWED, DELIVERED, RECEIVED):
        fill_duty(from_events, record)
    exported = _record(
        RECEIVED.state_at,
        task_id="t-1",
        delivered_at=DELIVERED.delivered_at,
        on_time=True,
        received_at=RECEIVED.received_at,
    )
    from_export = new_duty("a-1", "COPY", DUE)
    fill_duty(from_export, exported)
    assert row_dict(from_export) == row_dict(from_events)


def test_a_delivery_without_its_on_time_flag_is_judged_by_its_day() -> None:
    late = new_duty("a-1", "COPY", DUE)
    fill_duty(late, _record(AT, delivered_at=datetime(2026, 3, 17, 17, 30, tzinfo=UTC)))
    assert late.on_time is False  # 00:30 on 18 March in Hanoi
    in_time = new_duty("a-1", "COPY", DUE)
    fill_duty(in_time, _record(AT, delivered_at=datetime(2026, 3, 17, 16, 30, tzinfo=UTC)))
    assert in_time.on_time is True


def test_a_duty_counts_in_the_cycle_of_its_due_date_once_due_and_once_delivered() -> None:
    assert agg.duty_contributions(agg.DutyFacts(None, "hue", "COPY", False, None)) == []
    assert agg.duty_contributions(agg.DutyFacts(22, "hue", "NOTICE", True, False)) == [
        (22, "hue", "duty", "NOTICE|due"),
        (22, "hue", "duty", "NOTICE|late"),
    ]
    calendar = ConferenceCalendar(DEFAULT_CONFERENCES)
    assert calendar.number_of(date(2023, 12, 18)) == 21
    assert calendar.number_of(date(2023, 12, 19)) == 22


def _counts(facts: list[agg.DutyFacts]) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for f in facts:
        for _, _, d, k in agg.duty_contributions(f):
            out[(d, k)] = out.get((d, k), 0) + 1
    return out


def test_each_duty_has_its_figures_with_the_previous_cycles_beside_them() -> None:
    calendar = ConferenceCalendar(DEFAULT_CONFERENCES)
    today = date(2026, 3, 10)

    def duty(name: str, delivered: bool, on_time: bool | None = None) -> agg.DutyFacts:
        return agg.DutyFacts(22, "hue", name, delivered, on_time)

    now = _counts(
        [
            duty("COPY", True, True),
            duty("COPY", True, False),
            duty("COPY", False),
            duty("COPY", False),
            duty("REPORT", True, True),
            duty("PLAN", False),
        ]
    )
    before = _counts([agg.DutyFacts(21, "hue", "COPY", True, True)])
    summary = build_summary(
        cycle=calendar.cycle(22, today),  # type: ignore[arg-type]
        previous_cycle=calendar.cycle(21, today),
        # One copy undelivered is still within its period; the other is overdue.
        current=CycleCounts(now, DatedFigures(duties_not_yet_due={"COPY": 1})),
        previous=CycleCounts(before, DatedFigures()),
        countries_before_previous=None,
        filters={},
        as_of=today,
        lang="en",
    )
    rows = {r["key"]: r for r in summary["post_signing_duties"]}
    assert list(rows) == ["COPY", "NOTICE", "REPORT", "PLAN"]
    copy = rows["COPY"]
    assert copy["label"] == "Copy of the signed agreement"
    assert {k: copy[k]["value"] for k in copy if k not in ("key", "label")} == {
        "due": 4,
        "delivered_on_time": 1,
        "delivered_late": 1,
        "overdue_not_delivered": 1,
        "not_yet_due": 1,
        "on_time_share": round(1 / 3, 4),
    }
    assert copy["due"] == {"value": 4, "previous": 1, "change": 3}
    assert copy["on_time_share"]["previous"] == 1.0
    assert rows["NOTICE"]["due"]["value"] == 0 and rows["NOTICE"]["on_time_share"]["value"] is None
    assert rows["PLAN"]["overdue_not_delivered"]["value"] == 1
    assert rows["REPORT"]["on_time_share"]["value"] == 1.0
    # The copy figures of the agreements signed in the cycle keep their own section.
    assert set(summary["post_signing_compliance"]) >= {"copies_due", "on_time_share"}
