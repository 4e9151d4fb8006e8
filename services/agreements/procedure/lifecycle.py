"""Use cases of the procedure after submission, one function per step the workflow takes.

Each runs in the caller's transaction: it changes the agreement and its tasks and queues the
event announcing it in the outbox; the caller commits once. Moments come from the workflow
(`at`), so a retried or replayed step records the same times; deadlines come from the one
working-day calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from common.events.payloads import PAYLOADS
from common.events.types import EventType
from common.law.calendar import TZ, default_calendar
from common.law.deadlines import pm_opinion_deadline
from common.law.routing import (
    Assignee,
    consultation_assignee,
    copy_recipient,
    decider,
    pm_assignee,
    province_duty_assignee,
)
from common.law.vocabulary import (
    ENDING_KINDS,
    ENDING_STATUS,
    AgreementStatus,
    CaseKind,
    DocumentKind,
    Duty,
    Outcome,
    TaskKind,
    TaskStatus,
)
from services.agreements.models import Agreement, Document, Task
from services.agreements.outbox import add_event
from workflows.lifecycle import contracts as c

MORNING = time(8, 0)


class AgreementMissing(Exception):
    """The workflow names an agreement the database does not have: retrying cannot help."""


# --- shared pieces ---------------------------------------------------------------------------


def load(session: Session, agreement_id: str) -> Agreement:
    a = session.get(Agreement, agreement_id)
    if a is None:
        raise AgreementMissing(agreement_id)
    return a


def step(a: Agreement) -> dict[str, Any]:
    """The part every step event carries: which agreement, whose, and a summary."""
    return {
        "agreement_id": a.id,
        "province": a.province,
        "agreement": {
            "title": a.title,
            "signatory_level": a.signatory_level.value,
            "partner_name": a.partner_name,
            "partner_country": a.partner_country,
            "case_kind": a.case_kind.value,
            "parent_id": a.parent_id,
        },
    }


def _iso(moment: datetime | date | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _emit(session: Session, a: Agreement, event: EventType, **data: Any) -> None:
    payload = step(a) | {
        k: _iso(v) if isinstance(v, datetime | date) else v for k, v in data.items()
    }
    add_event(session, PAYLOADS[(event.value, 1)].model_validate(payload))


def _touch(a: Agreement, at: datetime, status: AgreementStatus | None = None) -> None:
    if status is not None:
        a.status = status
    a.version += 1
    a.updated_at = at


def _local_morning(day: date) -> datetime:
    return datetime.combine(day, MORNING, tzinfo=TZ).astimezone(UTC)


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=TZ).astimezone(UTC)


def _next_working_morning(after: datetime) -> datetime:
    """08:00 local on the first working day after `after`'s local date."""
    return _local_morning(default_calendar().add_working_days(after.astimezone(TZ).date(), 1))


def _new_task(
    session: Session,
    *,
    task_id: str,
    a: Agreement,
    kind: TaskKind,
    assignee: Assignee,
    at: datetime,
    round_: int,
    due_at: datetime | None = None,
    reminder_at: datetime | None = None,
) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        task = Task(
            id=task_id,
            agreement_id=a.id,
            kind=kind,
            round=round_,
            assignee_role=assignee.role.value,
            assignee_org=assignee.org,
            requested_at=at,
            due_at=due_at,
            reminder_at=reminder_at,
        )
        session.add(task)
    return task


def _open_tasks(session: Session, agreement_id: str, kind: TaskKind) -> Sequence[Task]:
    return session.exec(
        select(Task).where(
            Task.agreement_id == agreement_id,
            Task.kind == kind,
            col(Task.status).in_([TaskStatus.OPEN, TaskStatus.PAUSED]),
        )
    ).all()


def _close(task: Task, *, at: datetime, by: str | None, status: TaskStatus) -> None:
    task.status = status
    task.answered_at = at
    task.answered_by = by
    if status is TaskStatus.DONE:
        task.outcome = Outcome.DONE.value
        task.on_time = task.due_at is None or at <= task.due_at


def _current_text_hashes(session: Session, agreement_id: str, kind: DocumentKind) -> list[str]:
    docs = session.exec(
        select(Document)
        .where(Document.agreement_id == agreement_id, Document.kind == kind)
        .order_by(col(Document.uploaded_at))
    ).all()
    latest: dict[str, str] = {}
    for d in docs:
        latest[d.language] = d.sha256
    return sorted(set(latest.values()))


def _view(task: Task) -> c.TaskView:
    return c.TaskView(
        task_id=task.id,
        kind=task.kind.value,
        org=task.assignee_org,
        role=task.assignee_role,
        round=task.round,
        status=task.status.value,
        due_at=task.due_at,
        outcome=task.outcome,
    )


# --- consultation ------------------------------------------------------------------------------


def open_consultations(session: Session, inp: c.OpenConsultations) -> c.Deadlines:
    """Ask each new body for its opinion and restart the clocks of paused ones, all from
    `at`: N working days, a reminder some working days before, escalation after."""
    a = load(session, inp.agreement_id)
    cal = default_calendar()
    received_on = inp.at.astimezone(TZ).date()
    due_day = cal.add_working_days(received_on, inp.working_days)
    due_at = _end_of_day(due_day)
    remind_after = inp.working_days - inp.reminder_working_days_before
    reminder_at = (
        _local_morning(cal.add_working_days(received_on, remind_after))
        if remind_after >= 1
        else None
    )
    escalate_at = _next_working_morning(due_at)

    consulted = set(_current_text_hashes(session, a.id, DocumentKind.DRAFT_TEXT))
    changed = set(a.consulted_text_sha256) & set(
        _current_text_hashes(session, a.id, DocumentKind.SIGNED_TEXT)
    )
    a.consulted_text_sha256 = sorted(consulted | changed)
    a.round = max(a.round, inp.round)

    tasks: list[Task] = []
    for new in inp.new_tasks:
        tasks.append(
            _new_task(
                session,
                task_id=new.task_id,
                a=a,
                kind=TaskKind.CONSULTATION,
                assignee=consultation_assignee(new.body),
                at=inp.at,
                round_=inp.round,
            )
        )
    for task_id in inp.resumed_task_ids:
        task = session.get(Task, task_id)
        if task is not None:
            tasks.append(task)
    deadlines = []
    for task in tasks:
        task.status = TaskStatus.OPEN
        task.round = inp.round
        task.requested_at = inp.at
        task.due_at = due_at
        task.reminder_at = reminder_at
        task.reminded_at = None
        task.escalations = 0
        session.add(task)
        deadlines.append(
            c.Deadline(
                task_id=task.id, due_at=due_at, reminder_at=reminder_at, escalate_at=escalate_at
            )
        )
        _emit(
            session,
            a,
            EventType.CONSULTATION_REQUESTED,
            task_id=task.id,
            body=task.assignee_org,
            round=inp.round,
            procedure=a.procedure.value,
            requested_at=inp.at,
            due_at=due_at,
            reminder_at=reminder_at or due_at,
            working_days=inp.working_days,
        )
    if inp.supplement_task_id:
        supplement = session.get(Task, inp.supplement_task_id)
        if supplement is not None and supplement.status is TaskStatus.OPEN:
            _close(supplement, at=inp.at, by=a.submitted_by, status=TaskStatus.DONE)
            session.add(supplement)
    _touch(a, inp.at, AgreementStatus.IN_CONSULTATION)
    session.add(a)
    return c.Deadlines(deadlines=deadlines)


def record_task_reminder(session: Session, inp: c.TaskTimer) -> c.Done:
    task = session.get(Task, inp.task_id)
    if task is None or task.status is not TaskStatus.OPEN or task.due_at is None:
        return c.Done(changed=False)
    a = load(session, inp.agreement_id)
    task.reminded_at = inp.at
    session.add(task)
    _emit(
        session,
        a,
        EventType.CONSULTATION_REMINDER,
        task_id=task.id,
        body=task.assignee_org,
        due_at=task.due_at,
        reminded_at=inp.at,
        working_days_left=default_calendar().working_days_between(inp.at, task.due_at),
    )
    return c.Done()


def record_task_overdue(session: Session, inp: c.TaskTimer) -> c.Escalated:
    """The deadline passed without an answer: tell the body's supervisor, again each working
    day. The workflow keeps waiting: a late opinion is still taken, and marked late."""
    nxt = c.Escalated(next_escalate_at=_next_working_morning(inp.at))
    task = session.get(Task, inp.task_id)
    if task is None or task.status is not TaskStatus.OPEN or task.due_at is None:
        return nxt
    a = load(session, inp.agreement_id)
    task.escalations = inp.escalation
    task.last_escalated_at = inp.at
    session.add(task)
    common = {
        "task_id": task.id,
        "due_at": task.due_at,
        "at": inp.at,
        "working_days_overdue": max(
            1, default_calendar().working_days_between(task.due_at, inp.at)
        ),
        "escalation": inp.escalation,
    }
    if task.kind is TaskKind.PM_OPINION:
        _emit(session, a, EventType.PM_OPINION_OVERDUE, **common)
    else:
        _emit(session, a, EventType.CONSULTATION_OVERDUE, body=task.assignee_org, **common)
    return nxt


def return_dossier(session: Session, inp: c.ReturnDossier) -> c.Done:
    """A body asked for a supplement: the dossier goes back to the province and every clock
    still running stops until a complete dossier is received again."""
    a = load(session, inp.agreement_id)
    requesting = session.get(Task, inp.requesting_task_id)
    pending = []
    for task_id in inp.paused_task_ids:
        task = session.get(Task, task_id)
        if task is not None and task.status is TaskStatus.OPEN:
            task.status = TaskStatus.PAUSED
            session.add(task)
            pending.append(task.assignee_org)
    _new_task(
        session,
        task_id=inp.supplement_task_id,
        a=a,
        kind=TaskKind.SUPPLEMENT,
        assignee=province_duty_assignee(a.province),
        at=inp.at,
        round_=a.round,
    )
    _touch(a, inp.at, AgreementStatus.RETURNED)
    session.add(a)
    _emit(
        session,
        a,
        EventType.AGREEMENT_RETURNED,
        task_id=inp.requesting_task_id,
        body=requesting.assignee_org if requesting else "",
        comment=requesting.comment if requesting else "",
        requested_by=(requesting.answered_by or "") if requesting else "",
        returned_at=inp.at,
        round=a.round,
        bodies_pending=sorted(pending),
    )
    return c.Done()


# --- the Prime Minister's opinion and the decision -------------------------------------------


def open_pm_opinion(session: Session, inp: c.OpenPmOpinion) -> c.Deadline:
    a = load(session, inp.agreement_id)
    deadline = pm_opinion_deadline(default_calendar(), inp.at, working_days=inp.working_days)
    due_at = deadline.due_at
    _new_task(
        session,
        task_id=inp.task_id,
        a=a,
        kind=TaskKind.PM_OPINION,
        assignee=pm_assignee(),
        at=inp.at,
        round_=a.round,
        due_at=due_at,
    )
    _touch(a, inp.at, AgreementStatus.AWAITING_PM_OPINION)
    session.add(a)
    _emit(
        session,
        a,
        EventType.PM_OPINION_REQUESTED,
        task_id=inp.task_id,
        requested_at=inp.at,
        due_at=due_at,
        disagreeing_bodies=list(inp.disagreeing_bodies),
    )
    return c.Deadline(
        task_id=inp.task_id,
        due_at=due_at,
        reminder_at=None,
        escalate_at=deadline.escalate_at,
    )


def open_decision(session: Session, inp: c.OpenDecision) -> c.Done:
    a = load(session, inp.agreement_id)
    _new_task(
        session,
        task_id=inp.task_id,
        a=a,
        kind=TaskKind.DECISION,
        assignee=decider(a.province),
        at=inp.at,
        round_=a.round,
    )
    _touch(a, inp.at, AgreementStatus.AWAITING_DECISION)
    session.add(a)
    _emit(
        session,
        a,
        EventType.DECISION_REQUESTED,
        task_id=inp.task_id,
        requested_at=inp.at,
        opinions=dict(inp.opinions),
        pm_outcome=inp.pm_outcome,
    )
    return c.Done()


def record_answer(session: Session, inp: c.RecordAnswer) -> c.Answered:
    """An answer to a task, recorded with what it means for the agreement."""
    a = load(session, inp.agreement_id)
    task = session.get(Task, inp.task_id)
    if task is None:
        raise AgreementMissing(f"task {inp.task_id}")
    cal = default_calendar()
    task.status = TaskStatus.DONE
    task.outcome = inp.outcome
    task.comment = inp.comment
    task.document_ids = list(inp.document_ids)
    task.answered_by = inp.actor.subject
    task.answered_at = inp.at
    task.on_time = None if task.due_at is None else inp.at <= task.due_at
    task.working_days_taken = cal.working_days_between(task.requested_at, inp.at)
    session.add(task)
    outcome = Outcome(inp.outcome)
    answered_at = {"answered_by": inp.actor.subject, "answered_at": inp.at}

    if task.kind is TaskKind.CONSULTATION:
        _emit(
            session,
            a,
            EventType.CONSULTATION_ANSWERED,
            task_id=task.id,
            body=task.assignee_org,
            round=task.round,
            outcome=outcome.value,
            comment=inp.comment,
            document_ids=list(inp.document_ids),
            requested_at=task.requested_at,
            due_at=task.due_at,
            on_time=bool(task.on_time),
            working_days_taken=task.working_days_taken,
            **answered_at,
        )
    elif task.kind is TaskKind.PM_OPINION:
        _emit(
            session,
            a,
            EventType.PM_OPINION_GIVEN,
            task_id=task.id,
            outcome=outcome.value,
            comment=inp.comment,
            due_at=task.due_at,
            on_time=bool(task.on_time),
            **answered_at,
        )
        if outcome is Outcome.REFUSE:
            _decide(session, a, inp, approved=False, reason="PM_REFUSED")
    elif task.kind is TaskKind.DECISION:
        _decide(session, a, inp, approved=outcome is Outcome.APPROVE, reason="LEADER_REJECTED")
    elif task.kind is TaskKind.COPY_RECEIPT:
        a.copy_received_at = inp.at
        _touch(a, inp.at)
        _emit(
            session,
            a,
            EventType.AGREEMENT_COPY_RECEIVED,
            duty=_duty_of(a).value,
            due_on=a.copy_due_on or inp.at.astimezone(TZ).date(),
            recipient=task.assignee_org,
            task_id=task.id,
            received_by=inp.actor.subject,
            received_at=inp.at,
        )
    session.add(a)
    return c.Answered(
        task_id=task.id,
        kind=task.kind.value,
        outcome=outcome.value,
        on_time=task.on_time,
        status=a.status.value,
    )


def _decide(
    session: Session, a: Agreement, inp: c.RecordAnswer, *, approved: bool, reason: str
) -> None:
    a.decided_by = inp.actor.subject
    a.decided_at = inp.at
    common = {
        "task_id": inp.task_id,
        "decided_by": inp.actor.subject,
        "decided_at": inp.at,
        "comment": inp.comment,
    }
    if approved:
        a.approved_text_sha256 = list(a.consulted_text_sha256)
        _touch(a, inp.at, AgreementStatus.APPROVED)
        _emit(
            session,
            a,
            EventType.AGREEMENT_APPROVED,
            approved_text_sha256=list(a.approved_text_sha256),
            **common,
        )
    else:
        _touch(a, inp.at, AgreementStatus.REJECTED)
        _emit(session, a, EventType.AGREEMENT_REJECTED, reason=reason, **common)


# --- signing and the duties after it --------------------------------------------------------


def open_duty(session: Session, inp: c.OpenDuty) -> c.Done:
    """A duty of the province (recording the signing), shown in its officers' task list."""
    a = load(session, inp.agreement_id)
    _new_task(
        session,
        task_id=inp.task_id,
        a=a,
        kind=TaskKind(inp.kind),
        assignee=province_duty_assignee(a.province),
        at=inp.at,
        round_=a.round,
        due_at=_end_of_day(inp.due_on) if inp.due_on else None,
    )
    return c.Done()


def _duty_of(a: Agreement) -> Duty:
    return Duty.NOTICE if a.case_kind in ENDING_KINDS else Duty.COPY


def record_signing(session: Session, inp: c.RecordSigning) -> c.Signed:
    a = load(session, inp.agreement_id)
    sign = inp.sign
    copy_due_on = sign.signed_on + timedelta(days=inp.copy_calendar_days)
    recipient = copy_recipient(
        a.signatory_level, a.province, to_mofa_for_all_levels=inp.copy_to_mofa_for_all_levels
    )
    a.signed_on = sign.signed_on
    a.signing_place = sign.place
    a.signatories = [
        {"side": s.side, "name": s.name, "title": s.title, "authorised_by": s.authorised_by}
        for s in sign.signatories
    ]
    a.signed_text_sha256 = sign.signed_text_sha256
    a.effective_from = sign.effective_from
    a.expires_on = sign.expires_on
    a.copy_due_on = copy_due_on
    for task in _open_tasks(session, a.id, TaskKind.SIGNING):
        _close(task, at=inp.at, by=sign.actor.subject, status=TaskStatus.DONE)
        session.add(task)
    _new_task(
        session,
        task_id=inp.copy_task_id,
        a=a,
        kind=TaskKind.COPY_DELIVERY,
        assignee=province_duty_assignee(a.province),
        at=inp.at,
        round_=a.round,
        due_at=_end_of_day(copy_due_on),
    )
    _touch(a, inp.at, AgreementStatus.SIGNED)
    session.add(a)
    _emit(
        session,
        a,
        EventType.AGREEMENT_SIGNED,
        signed_on=sign.signed_on,
        place=sign.place,
        signatories=list(a.signatories),
        effective_from=sign.effective_from,
        expires_on=sign.expires_on,
        signed_text_sha256=sign.signed_text_sha256,
        recorded_by=sign.actor.subject,
        recorded_at=inp.at,
        copy_due_on=copy_due_on,
        copy_recipient=recipient.org,
    )
    return c.Signed(
        effective_from=sign.effective_from,
        expires_on=sign.expires_on,
        copy_due_on=copy_due_on,
        signed_on=sign.signed_on,
    )


def restart_for_changed_text(session: Session, inp: c.RestartForChangedText) -> c.Done:
    """The text about to be signed is not the one approved: it goes back to consultation."""
    a = load(session, inp.agreement_id)
    for task in _open_tasks(session, a.id, TaskKind.SIGNING):
        _close(task, at=inp.at, by=inp.actor.subject, status=TaskStatus.CANCELLED)
        session.add(task)
    approved = list(a.approved_text_sha256)
    a.consulted_text_sha256 = sorted({*a.consulted_text_sha256, inp.signed_text_sha256})
    a.approved_text_sha256 = []
    a.round = inp.round
    _touch(a, inp.at, AgreementStatus.IN_CONSULTATION)
    session.add(a)
    _emit(
        session,
        a,
        EventType.AGREEMENT_TEXT_CHANGED,
        approved_text_sha256=approved,
        signed_text_sha256=inp.signed_text_sha256,
        acknowledged_by=inp.actor.subject,
        at=inp.at,
        round=inp.round,
    )
    return c.Done()


def record_copy_delivered(session: Session, inp: c.RecordCopyDelivered) -> c.TaskView:
    a = load(session, inp.agreement_id)
    recipient = copy_recipient(
        a.signatory_level, a.province, to_mofa_for_all_levels=inp.copy_to_mofa_for_all_levels
    )
    due_on = a.copy_due_on or inp.delivered_on
    for task in _open_tasks(session, a.id, TaskKind.COPY_DELIVERY):
        _close(task, at=inp.at, by=inp.actor.subject, status=TaskStatus.DONE)
        task.on_time = inp.delivered_on <= due_on
        task.comment = inp.note
        session.add(task)
    receipt = _new_task(
        session,
        task_id=inp.receipt_task_id,
        a=a,
        kind=TaskKind.COPY_RECEIPT,
        assignee=recipient,
        at=inp.at,
        round_=a.round,
    )
    a.copy_delivered_at = inp.at
    a.copy_delivered_on = inp.delivered_on
    _touch(a, inp.at)
    session.add(a)
    _emit(
        session,
        a,
        EventType.AGREEMENT_COPY_DELIVERED,
        duty=inp.duty,
        due_on=due_on,
        recipient=recipient.org,
        task_id=inp.receipt_task_id,
        delivered_by=inp.actor.subject,
        delivered_at=inp.at,
        on_time=inp.delivered_on <= due_on,
        note=inp.note,
    )
    return _view(receipt)


def record_duty_reminder(session: Session, inp: c.DutyTimer) -> c.Done:
    a = load(session, inp.agreement_id)
    if a.copy_delivered_at is not None:
        return c.Done(changed=False)
    today = inp.at.astimezone(TZ).date()
    _emit(
        session,
        a,
        EventType.AGREEMENT_COPY_REMINDER,
        duty=inp.duty,
        due_on=inp.due_on,
        recipient=_recipient_org(a, inp),
        at=inp.at,
        days_left=(inp.due_on - today).days,
    )
    return c.Done()


def record_duty_overdue(session: Session, inp: c.DutyTimer) -> c.Done:
    a = load(session, inp.agreement_id)
    if a.copy_delivered_at is not None:
        return c.Done(changed=False)
    today = inp.at.astimezone(TZ).date()
    _emit(
        session,
        a,
        EventType.AGREEMENT_COPY_OVERDUE,
        duty=inp.duty,
        due_on=inp.due_on,
        recipient=_recipient_org(a, inp),
        at=inp.at,
        days_overdue=max(1, (today - inp.due_on).days),
    )
    return c.Done()


def _recipient_org(a: Agreement, inp: c.DutyTimer) -> str:
    return copy_recipient(
        a.signatory_level, a.province, to_mofa_for_all_levels=inp.copy_to_mofa_for_all_levels
    ).org


# --- change cases --------------------------------------------------------------------------


def apply_change_to_parent(session: Session, inp: c.ApplyChangeToParent) -> c.ParentEffect:
    """A signed amendment, supplement or extension changes the agreement it belongs to."""
    case = load(session, inp.case_id)
    parent = load(session, inp.parent_id)
    if case.expires_on is not None:
        parent.expires_on = case.expires_on
    _touch(parent, inp.at)
    session.add(parent)
    _emit(
        session,
        parent,
        EventType.AGREEMENT_AMENDED,
        case_id=case.id,
        case_kind=case.case_kind.value,
        signed_on=case.signed_on or inp.at.astimezone(TZ).date(),
        expires_on=parent.expires_on,
        at=inp.at,
    )
    return c.ParentEffect(
        parent_id=parent.id, status=parent.status.value, expires_on=parent.expires_on
    )


def apply_ending_to_parent(session: Session, inp: c.ApplyEndingToParent) -> c.ParentEffect:
    """An approved termination, withdrawal or suspension takes effect on its date; the
    Ministry of Foreign Affairs is owed a notice within 15 days of it."""
    case = load(session, inp.case_id)
    parent = load(session, inp.parent_id)
    effective_on = case.effective_on or inp.at.astimezone(TZ).date()
    notice_due_on = effective_on + timedelta(days=inp.notice_calendar_days)
    status = AgreementStatus(ENDING_STATUS[CaseKind(case.case_kind)])
    _touch(parent, inp.at, status)
    session.add(parent)
    case.copy_due_on = notice_due_on
    # The case shows what it did: it is the termination (withdrawal, suspension) in effect.
    _touch(case, inp.at, status)
    session.add(case)
    _new_task(
        session,
        task_id=inp.notice_task_id,
        a=case,
        kind=TaskKind.COPY_DELIVERY,
        assignee=province_duty_assignee(case.province),
        at=inp.at,
        round_=case.round,
        due_at=_end_of_day(notice_due_on),
    )
    _emit(
        session,
        parent,
        EventType.AGREEMENT_TERMINATED,
        case_id=case.id,
        case_kind=case.case_kind.value,
        status=status.value,
        effective_on=effective_on,
        notice_due_on=notice_due_on,
        at=inp.at,
    )
    return c.ParentEffect(
        parent_id=parent.id,
        status=status.value,
        expires_on=parent.expires_on,
        effective_on=effective_on,
        notice_due_on=notice_due_on,
    )


# --- in force --------------------------------------------------------------------------------


def mark_in_force(session: Session, inp: c.AgreementTimer) -> c.Done:
    a = load(session, inp.agreement_id)
    if a.status is not AgreementStatus.SIGNED:
        return c.Done(changed=False)
    _touch(a, inp.at, AgreementStatus.IN_FORCE)
    session.add(a)
    _emit(
        session,
        a,
        EventType.AGREEMENT_IN_FORCE,
        effective_from=a.effective_from or inp.at.astimezone(TZ).date(),
        expires_on=a.expires_on,
        at=inp.at,
    )
    return c.Done()


def record_plan_due(session: Session, inp: c.AgreementTimer) -> c.Done:
    a = load(session, inp.agreement_id)
    if a.status is not AgreementStatus.IN_FORCE:
        return c.Done(changed=False)
    _emit(
        session,
        a,
        EventType.AGREEMENT_PLAN_DUE,
        year=inp.days or inp.at.year + 1,
        due_on=inp.due_on or inp.at.astimezone(TZ).date(),
        at=inp.at,
    )
    return c.Done()


def record_expiring(session: Session, inp: c.AgreementTimer) -> c.Done:
    a = load(session, inp.agreement_id)
    if a.expires_on is None or a.status not in (
        AgreementStatus.IN_FORCE,
        AgreementStatus.SUSPENDED,
        AgreementStatus.SIGNED,
    ):
        return c.Done(changed=False)
    _emit(
        session,
        a,
        EventType.AGREEMENT_EXPIRING,
        expires_on=a.expires_on,
        days_left=inp.days or 0,
        at=inp.at,
    )
    return c.Done()


def mark_expired(session: Session, inp: c.AgreementTimer) -> c.Done:
    a = load(session, inp.agreement_id)
    if a.expires_on is None or a.status not in (
        AgreementStatus.IN_FORCE,
        AgreementStatus.SUSPENDED,
        AgreementStatus.SIGNED,
    ):
        return c.Done(changed=False)
    _touch(a, inp.at, AgreementStatus.EXPIRED)
    session.add(a)
    _emit(session, a, EventType.AGREEMENT_EXPIRED, expires_on=a.expires_on, at=inp.at)
    return c.Done()
