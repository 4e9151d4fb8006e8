"""Every timer of the procedure, on Temporal's time-skipping server with the real activities:
reminders, daily escalation, the PM's deadline, the 15-day copy, the yearly plan, expiry."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from common.directory import dev_users
from common.law.calendar import TZ, default_calendar
from common.law.deadlines import working_days_deadline
from common.law.vocabulary import Duty
from workflows.lifecycle import contracts as c

from .conftest import Procedure

pytestmark = pytest.mark.integration


def vn(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ).astimezone(UTC)


def at(iso: str) -> datetime:
    """A recorded moment, to the second (a timer fires a few ms after its instant)."""
    return datetime.fromisoformat(iso).replace(microsecond=0)


def actor(user: str) -> c.Actor:
    """Who a development login is, as the API tells the workflow."""
    p = dev_users()[user]
    return c.Actor(subject=p.subject, role=p.role, org=p.org)


async def test_consultation_deadline_skips_tet_then_reminds_and_escalates_each_working_day(
    procedure: Procedure,
) -> None:
    # Monday 1 February 2027, 09:00 in Hanoi; Tết 2027 is 4 to 10 February.
    await procedure.advance_to(vn(date(2027, 2, 1), 9))
    sub = procedure.seed()
    handle = await procedure.start(sub)
    [task] = await procedure.until(lambda: procedure.tasks(sub.agreement_id, "CONSULTATION"))

    # 7 working days: 2, 3, 11, 12, 15, 16, 17 February; the deadline closes the 17th.
    assert task.assignee_org == "mofa"
    assert task.due_at == datetime.combine(date(2027, 2, 17), time.max, tzinfo=TZ)
    assert task.due_at == working_days_deadline(default_calendar(), vn(date(2027, 2, 1), 9), 7)
    assert task.reminder_at == vn(date(2027, 2, 15), 8)

    await procedure.advance_to(vn(date(2027, 2, 15), 7))
    assert procedure.events(sub.agreement_id, "consultation.reminder") == []
    await procedure.advance_to(vn(date(2027, 2, 15), 9))
    [reminder] = await procedure.until(
        lambda: procedure.events(sub.agreement_id, "consultation.reminder")
    )
    assert reminder.data["body"] == "mofa"
    assert reminder.data["working_days_left"] == 2

    await procedure.advance_to(vn(date(2027, 2, 18), 7))
    assert procedure.events(sub.agreement_id, "consultation.overdue") == []
    # Escalations on the mornings of Thu 18, Fri 19 and Mon 22: none on the weekend.
    await procedure.advance_to(vn(date(2027, 2, 22), 9))
    overdue = await procedure.until(
        lambda: (
            len(procedure.events(sub.agreement_id, "consultation.overdue")) == 3
            and procedure.events(sub.agreement_id, "consultation.overdue")
        )
    )
    assert [at(e.data["at"]) for e in overdue] == [vn(date(2027, 2, d), 8) for d in (18, 19, 22)]
    assert [e.data["escalation"] for e in overdue] == [1, 2, 3]
    assert [e.data["working_days_overdue"] for e in overdue] == [1, 2, 3]

    # A late opinion is still taken, and recorded as late.
    result = await handle.execute_update(
        c.UPDATE_DECIDE,
        c.Decide(task_id=task.id, outcome="AGREE", actor=actor("reviewer@mofa")),
        result_type=c.UpdateResult,
    )
    assert result.task is not None and result.task.status == "DONE"
    [answered] = procedure.events(sub.agreement_id, "consultation.answered")
    assert answered.data["on_time"] is False
    assert answered.data["working_days_taken"] == 10
    [decision] = await procedure.until(lambda: procedure.tasks(sub.agreement_id, "DECISION"))
    assert decision.assignee_org == "ha-noi"


async def answer(
    procedure: Procedure,
    sub: c.Submission,
    task_id: str,
    outcome: str,
    user: str,
    comment: str = "",
) -> c.UpdateResult:
    handle = procedure.client.get_workflow_handle(c.workflow_id(sub.agreement_id))
    result: c.UpdateResult = await handle.execute_update(
        c.UPDATE_DECIDE,
        c.Decide(task_id=task_id, outcome=outcome, actor=actor(user), comment=comment),
        result_type=c.UpdateResult,
    )
    return result


async def answer_consultations(procedure: Procedure, sub: c.Submission, outcome: str) -> None:
    tasks = await procedure.until(lambda: procedure.tasks(sub.agreement_id, "CONSULTATION"))
    for task in tasks:
        await answer(procedure, sub, task.id, outcome, f"reviewer@{task.assignee_org}", "ý kiến")


async def approve(procedure: Procedure, sub: c.Submission) -> None:
    await answer_consultations(procedure, sub, "AGREE")
    [decision] = await procedure.until(lambda: procedure.tasks(sub.agreement_id, "DECISION"))
    await answer(procedure, sub, decision.id, "APPROVE", f"leader@{sub.province}")
    await procedure.until(lambda: procedure.tasks(sub.agreement_id, "SIGNING"))


async def sign(
    procedure: Procedure,
    sub: c.Submission,
    *,
    signed_on: date,
    effective_from: date,
    expires_on: date | None,
) -> c.UpdateResult:
    approved = procedure.last_event(sub.agreement_id, "agreement.approved")
    handle = procedure.client.get_workflow_handle(c.workflow_id(sub.agreement_id))
    result: c.UpdateResult = await handle.execute_update(
        c.UPDATE_SIGN,
        c.Sign(
            actor=actor(f"officer@{sub.province}"),
            signed_on=signed_on,
            place="Hà Nội",
            signatories=[
                c.SignatoryInput(side="VIETNAMESE", name="Nguyễn Văn A", title="Chủ tịch")
            ],
            effective_from=effective_from,
            expires_on=expires_on,
            signed_text_sha256=approved.data["approved_text_sha256"][0],
        ),
        result_type=c.UpdateResult,
    )
    return result


async def deliver_and_receive(
    procedure: Procedure, sub: c.Submission, delivered_on: date, duty: Duty | None = None
) -> None:
    """The province delivers a duty (the copy by default) and its recipient acknowledges it."""
    handle = procedure.client.get_workflow_handle(c.workflow_id(sub.agreement_id))
    result = await handle.execute_update(
        c.UPDATE_DELIVER_COPY,
        c.DeliverCopy(actor=actor(f"officer@{sub.province}"), delivered_on=delivered_on, duty=duty),
        result_type=c.UpdateResult,
    )
    assert result.task is not None
    receiver = {"mofa-registry": "registry@mofa", "pm-office": "pm@office"}.get(
        result.task.org, f"reviewer@{result.task.org}"
    )
    await handle.execute_update(
        c.UPDATE_DECIDE,
        c.Decide(task_id=result.task.task_id, outcome="RECEIVED", actor=actor(receiver)),
        result_type=c.UpdateResult,
    )


async def test_disagreement_at_provincial_level_waits_for_the_pm_past_his_deadline(
    procedure: Procedure,
) -> None:
    await procedure.advance_to(vn(date(2027, 3, 1), 9))  # Monday
    sub = procedure.seed(touches=["security"])
    await procedure.start(sub)
    tasks = await procedure.until(lambda: procedure.tasks(sub.agreement_id, "CONSULTATION"))
    assert sorted(t.assignee_org for t in tasks) == ["mofa", "mps"]
    for task in tasks:
        outcome = "DISAGREE" if task.assignee_org == "mps" else "AGREE"
        await answer(procedure, sub, task.id, outcome, f"reviewer@{task.assignee_org}", "lý do")
    [pm] = await procedure.until(lambda: procedure.tasks(sub.agreement_id, "PM_OPINION"))
    assert pm.assignee_org == "pm-office"
    assert pm.due_at == working_days_deadline(default_calendar(), pm.requested_at, 7)
    requested = procedure.last_event(sub.agreement_id, "pm_opinion.requested")
    assert requested.data["disagreeing_bodies"] == ["mps"]
    assert procedure.tasks(sub.agreement_id, "DECISION") == []

    # 7 working days from Mon 1 March: Wed 10 March; overdue from the morning of the 11th.
    assert pm.due_at is not None and pm.due_at.astimezone(TZ).date() == date(2027, 3, 10)
    await procedure.advance_to(vn(date(2027, 3, 11), 7))
    assert procedure.events(sub.agreement_id, "pm_opinion.overdue") == []
    await procedure.advance_to(vn(date(2027, 3, 11), 9))
    [late] = await procedure.until(lambda: procedure.events(sub.agreement_id, "pm_opinion.overdue"))
    assert late.data["escalation"] == 1

    await answer(procedure, sub, pm.id, "CONSENT", "pm@office")
    given = procedure.last_event(sub.agreement_id, "pm_opinion.given")
    assert given.data["on_time"] is False
    [decision] = await procedure.until(lambda: procedure.tasks(sub.agreement_id, "DECISION"))
    requested_decision = procedure.last_event(sub.agreement_id, "decision.requested")
    assert requested_decision.data["pm_outcome"] == "CONSENT"
    assert requested_decision.data["opinions"] == {"mofa": "AGREE", "mps": "DISAGREE"}
    assert decision.assignee_role == "provincial_leader"


async def test_copy_is_due_15_days_after_signing_with_reminders_then_overdue(
    procedure: Procedure,
) -> None:
    await procedure.advance_to(vn(date(2027, 4, 5), 9))
    sub = procedure.seed()
    await procedure.start(sub)
    await approve(procedure, sub)
    await sign(
        procedure,
        sub,
        signed_on=date(2027, 4, 6),
        effective_from=date(2027, 4, 6),
        expires_on=date(2030, 4, 5),
    )
    signed = procedure.last_event(sub.agreement_id, "agreement.signed")
    assert signed.data["copy_due_on"] == "2027-04-21"
    assert signed.data["copy_recipient"] == "mofa-registry"
    [duty] = [t for t in procedure.tasks(sub.agreement_id, "COPY_DELIVERY") if t.duty == "COPY"]
    assert duty.assignee_org == "ha-noi" and duty.assignee_role == "province_officer"

    def of_copy(name: str) -> list[Any]:
        return [e for e in procedure.events(sub.agreement_id, name) if e.data["duty"] == "COPY"]

    await procedure.advance_to(vn(date(2027, 4, 21), 23))
    reminders = of_copy("agreement.copy_reminder")
    assert [r.data["days_left"] for r in reminders] == [5, 1]
    assert of_copy("agreement.copy_overdue") == []
    await procedure.advance_to(vn(date(2027, 4, 22), 1))
    [overdue] = await procedure.until(lambda: of_copy("agreement.copy_overdue"))
    assert overdue.data["days_overdue"] == 1 and overdue.data["duty"] == "COPY"

    await deliver_and_receive(procedure, sub, date(2027, 4, 23))
    delivered = procedure.last_event(sub.agreement_id, "agreement.copy_delivered")
    assert delivered.data["on_time"] is False
    [receipt] = procedure.tasks(sub.agreement_id, "COPY_RECEIPT")
    assert receipt.assignee_org == "mofa-registry" and receipt.status == "DONE"
    assert procedure.events(sub.agreement_id, "agreement.copy_received")


async def test_years_in_force_remind_the_plan_before_15_november_and_expire_at_the_end(
    procedure: Procedure,
) -> None:
    await procedure.advance_to(vn(date(2027, 6, 1), 9))
    sub = procedure.seed()
    handle = await procedure.start(sub)
    first_run = (await handle.describe()).run_id
    await approve(procedure, sub)
    await sign(
        procedure,
        sub,
        signed_on=date(2027, 6, 2),
        effective_from=date(2027, 7, 1),
        expires_on=date(2030, 2, 28),
    )
    await deliver_and_receive(procedure, sub, date(2027, 6, 3))
    await deliver_and_receive(procedure, sub, date(2027, 6, 3), Duty.REPORT)
    assert procedure.events(sub.agreement_id, "agreement.in_force") == []
    await procedure.advance_to(vn(date(2027, 7, 1), 1))
    [in_force] = await procedure.until(
        lambda: procedure.events(sub.agreement_id, "agreement.in_force")
    )
    assert in_force.data["effective_from"] == "2027-07-01"

    # The whole term: a plan reminder 30 days before each 15 November while the agreement is
    # still in force the year after; expiry reminders 180, 90, 30 days before 28 Feb 2030.
    await procedure.advance_to(vn(date(2030, 3, 2)))
    result = await handle.result()
    assert result == "EXPIRED"
    plans = procedure.events(sub.agreement_id, "agreement.plan_due")
    assert [(p.data["year"], p.data["due_on"]) for p in plans] == [
        (2028, "2027-11-15"),
        (2029, "2028-11-15"),
        (2030, "2029-11-15"),
    ]
    assert at(plans[0].data["at"]) == vn(date(2027, 10, 16), 8)
    expiring = procedure.events(sub.agreement_id, "agreement.expiring")
    assert [(e.data["days_left"], at(e.data["at"]).date()) for e in expiring] == [
        (180, date(2029, 9, 1)),
        (90, date(2029, 11, 30)),
        (30, date(2030, 1, 29)),
    ]
    [expired] = procedure.events(sub.agreement_id, "agreement.expired")
    assert at(expired.data["at"]) == vn(date(2030, 3, 1))
    # Continued as new at each yearly reminder: each run's history stays small.
    description = await handle.describe()
    assert description.run_id != first_run
    history = await handle.fetch_history()
    assert len(history.events) < 200
