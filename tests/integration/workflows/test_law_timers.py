"""The procedure's clock is right to the law (issue "Right to the law"), on the time-skipping
server: a period of calendar days rolls over a holiday, the report to the Prime Minister and the
yearly plan are duties with their own deadlines, and a deadline in a year without announced
swaps is provisional."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from common.law.calendar import default_calendar
from common.law.deadlines import calendar_days_deadline
from common.law.vocabulary import Duty
from services.agreements.inbox.tasks import to_public
from services.agreements.models import Agreement
from tests.integration.workflows.conftest import Procedure
from tests.integration.workflows.test_timers import approve, deliver_and_receive, sign, vn

pytestmark = pytest.mark.integration


def _of(procedure: Procedure, agreement_id: str, name: str, duty: str) -> list[Any]:
    return [e for e in procedure.events(agreement_id, name) if e.data["duty"] == duty]


async def test_a_copy_due_on_a_holiday_and_sent_the_next_working_day_is_on_time(
    procedure: Procedure,
) -> None:
    await procedure.advance_to(vn(date(2027, 4, 12), 9))
    sub = procedure.seed(signatory_level="DEPARTMENT")
    await procedure.start(sub)
    await approve(procedure, sub)
    # Signed 15 April 2027: the 15th day after is 30 April, Reunification Day.
    await sign(
        procedure,
        sub,
        signed_on=date(2027, 4, 15),
        effective_from=date(2027, 4, 15),
        expires_on=None,
    )
    due = calendar_days_deadline(default_calendar(), date(2027, 4, 15), 15)
    assert due > date(2027, 4, 30) and default_calendar().is_working_day(due)
    signed = procedure.last_event(sub.agreement_id, "agreement.signed")
    assert signed.data["copy_due_on"] == due.isoformat()
    await procedure.advance_to(vn(due, 9))
    await deliver_and_receive(procedure, sub, due)
    delivered = procedure.last_event(sub.agreement_id, "agreement.copy_delivered")
    assert delivered.data["on_time"] is True
    assert _of(procedure, sub.agreement_id, "agreement.copy_overdue", "COPY") == []


async def test_the_report_to_the_prime_minister_has_its_reminders_lateness_and_receipt(
    procedure: Procedure,
) -> None:
    await procedure.advance_to(vn(date(2027, 4, 5), 9))
    sub = procedure.seed()  # the provincial People's Committee
    await procedure.start(sub)
    await approve(procedure, sub)
    await sign(
        procedure, sub, signed_on=date(2027, 4, 6), effective_from=date(2027, 4, 6), expires_on=None
    )
    [report] = [
        t for t in procedure.tasks(sub.agreement_id, "COPY_DELIVERY") if t.duty == Duty.REPORT
    ]
    assert report.assignee_org == "ha-noi" and report.assignee_role == "province_officer"
    signed = procedure.last_event(sub.agreement_id, "agreement.signed")
    assert signed.data["report_due_on"] == signed.data["copy_due_on"] == "2027-04-21"

    await procedure.advance_to(vn(date(2027, 4, 22), 1))
    reminders = await procedure.until(
        lambda: (
            len(_of(procedure, sub.agreement_id, "agreement.copy_reminder", "REPORT")) == 2
            and _of(procedure, sub.agreement_id, "agreement.copy_reminder", "REPORT")
        )
    )
    assert [r.data["days_left"] for r in reminders] == [5, 1]
    assert {r.data["recipient"] for r in reminders} == {"pm-office"}
    [late] = await procedure.until(
        lambda: _of(procedure, sub.agreement_id, "agreement.copy_overdue", "REPORT")
    )
    assert late.data["recipient"] == "pm-office"

    # Delivered late, acknowledged by the Prime Minister's office.
    await deliver_and_receive(procedure, sub, date(2027, 4, 23), Duty.REPORT)
    [delivered] = _of(procedure, sub.agreement_id, "agreement.copy_delivered", "REPORT")
    assert delivered.data["on_time"] is False and delivered.data["recipient"] == "pm-office"
    [received] = _of(procedure, sub.agreement_id, "agreement.copy_received", "REPORT")
    assert received.data["received_by"] == "pm@office"
    # The copy is still owed: its own duty, untouched by the report's.
    assert _of(procedure, sub.agreement_id, "agreement.copy_delivered", "COPY") == []


async def test_the_yearly_plan_is_a_duty_due_on_15_november(procedure: Procedure) -> None:
    await procedure.advance_to(vn(date(2027, 6, 1), 9))
    sub = procedure.seed(signatory_level="DEPARTMENT")
    await procedure.start(sub)
    await approve(procedure, sub)
    await sign(
        procedure,
        sub,
        signed_on=date(2027, 6, 2),
        effective_from=date(2027, 6, 2),
        expires_on=date(2030, 6, 1),
    )
    await deliver_and_receive(procedure, sub, date(2027, 6, 3))
    await procedure.advance_to(vn(date(2027, 10, 16), 9))
    [plan] = await procedure.until(
        lambda: [
            t for t in procedure.tasks(sub.agreement_id, "COPY_DELIVERY") if t.duty == Duty.PLAN
        ]
    )
    assert plan.due_at is not None and plan.due_at.date() >= date(2027, 11, 15)
    await procedure.advance_to(vn(date(2027, 11, 16), 9))
    [late] = await procedure.until(
        lambda: _of(procedure, sub.agreement_id, "agreement.copy_overdue", "PLAN")
    )
    assert late.data["due_on"] == "2027-11-15" and late.data["recipient"] == "mofa-registry"
    await deliver_and_receive(procedure, sub, date(2027, 11, 18), Duty.PLAN)
    [delivered] = _of(procedure, sub.agreement_id, "agreement.copy_delivered", "PLAN")
    assert delivered.data["on_time"] is False
    [received] = _of(procedure, sub.agreement_id, "agreement.copy_received", "PLAN")
    assert received.data["received_by"] == "registry@mofa"


async def test_a_deadline_in_a_year_without_announced_swaps_is_provisional(
    procedure: Procedure,
) -> None:
    last = default_calendar().announced_through
    assert last is not None
    await procedure.advance_to(vn(date(last + 1, 3, 1), 9))
    sub = procedure.seed()
    await procedure.start(sub)
    [task] = await procedure.until(lambda: procedure.tasks(sub.agreement_id, "CONSULTATION"))
    with procedure.db.session() as s:
        agreement = s.get(Agreement, sub.agreement_id)
        assert agreement is not None
        assert to_public(task, agreement).due_provisional is True
