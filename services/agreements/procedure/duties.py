"""Steps of signing and the duties after it (domain.md §2.3): the province's task to record the
signing, the signing itself, a signed text that differs from the approved one, and the copy or
notice owed within 15 days with its reminders, lateness and receipt."""

from __future__ import annotations

from sqlmodel import Session

from common.events.payloads import (
    AgreementCopyDeliveredV1,
    AgreementCopyOverdueV1,
    AgreementCopyReminderV1,
    AgreementSignedV1,
    AgreementTextChangedV1,
    SignatoryV1,
)
from common.law.calendar import default_calendar, local_date
from common.law.deadlines import copy_due_on, duty_due_at, on_time
from common.law.routing import duty_recipient, province_duty_assignee
from common.law.vocabulary import (
    CLOSED_TASK_STATUSES,
    PRIMARY_DUTIES,
    AgreementStatus,
    DocumentKind,
    Duty,
    TaskKind,
    TaskStatus,
)
from services.agreements.models import Agreement, Task
from services.agreements.outbox import add_event
from services.agreements.procedure.records import (
    about,
    close,
    current_text_hashes,
    load,
    new_task,
    open_tasks,
    touch,
    view,
)
from workflows.lifecycle import contracts as c


def open_duty(session: Session, inp: c.OpenDuty) -> c.Done:
    """A duty of the province (recording the signing), shown in its officers' task list."""
    a = load(session, inp.agreement_id)
    new_task(
        session,
        task_id=inp.task_id,
        a=a,
        kind=inp.kind,
        assignee=province_duty_assignee(a.province),
        at=inp.at,
        round_=a.round,
        due_at=duty_due_at(inp.due_on) if inp.due_on else None,
    )
    return c.Done()


def _recipient(a: Agreement, duty: Duty, to_mofa_for_all_levels: bool) -> str:
    return duty_recipient(
        duty, a.signatory_level, a.province, to_mofa_for_all_levels=to_mofa_for_all_levels
    ).org


def record_signing(session: Session, inp: c.RecordSigning) -> c.Signed:
    a = load(session, inp.agreement_id)
    sign = inp.sign
    due_on = copy_due_on(default_calendar(), sign.signed_on, calendar_days=inp.copy_calendar_days)
    a.signed_on = sign.signed_on
    a.signing_place = sign.place
    a.signatories = [
        {"side": s.side, "name": s.name, "title": s.title, "authorised_by": s.authorised_by}
        for s in sign.signatories
    ]
    a.signed_text_sha256 = sign.signed_text_sha256
    a.effective_from = sign.effective_from
    a.expires_on = sign.expires_on
    a.copy_due_on = due_on
    for task in open_tasks(session, a.id, TaskKind.SIGNING):
        close(task, at=inp.at, by=sign.actor.subject, status=TaskStatus.DONE)
        session.add(task)
    new_task(
        session,
        task_id=inp.copy_task_id,
        a=a,
        kind=TaskKind.COPY_DELIVERY,
        assignee=province_duty_assignee(a.province),
        at=inp.at,
        round_=a.round,
        due_at=duty_due_at(due_on),
        duty=Duty.COPY,
    )
    report_due_on = None
    if inp.report_task_id:
        # The report to the Prime Minister is owed within the same period (Art. 19).
        report_due_on = due_on
        new_task(
            session,
            task_id=inp.report_task_id,
            a=a,
            kind=TaskKind.COPY_DELIVERY,
            assignee=province_duty_assignee(a.province),
            at=inp.at,
            round_=a.round,
            due_at=duty_due_at(report_due_on),
            duty=Duty.REPORT,
        )
    touch(a, inp.at, AgreementStatus.SIGNED)
    session.add(a)
    add_event(
        session,
        AgreementSignedV1(
            **about(a),
            signed_on=sign.signed_on,
            place=sign.place,
            signatories=[SignatoryV1.model_validate(s) for s in a.signatories],
            effective_from=sign.effective_from,
            expires_on=sign.expires_on,
            signed_text_sha256=sign.signed_text_sha256,
            recorded_by=sign.actor.subject,
            recorded_at=inp.at,
            copy_due_on=due_on,
            copy_recipient=_recipient(a, Duty.COPY, inp.copy_to_mofa_for_all_levels),
            text_matches=dict(sign.text_matches),
            report_due_on=report_due_on,
        ),
    )
    return c.Signed(
        effective_from=sign.effective_from,
        expires_on=sign.expires_on,
        copy_due_on=due_on,
        signed_on=sign.signed_on,
        report_due_on=report_due_on,
    )


def restart_for_changed_text(session: Session, inp: c.RestartForChangedText) -> c.Done:
    """The text about to be signed is not the one approved: it goes back to consultation."""
    a = load(session, inp.agreement_id)
    for task in open_tasks(session, a.id, TaskKind.SIGNING):
        close(task, at=inp.at, by=inp.actor.subject, status=TaskStatus.CANCELLED)
        session.add(task)
    approved = list(a.approved_text_sha256)
    # Every signed language version is consulted on, not only the one the record names.
    signed = current_text_hashes(session, a.id, DocumentKind.SIGNED_TEXT)
    a.consulted_text_sha256 = sorted({*a.consulted_text_sha256, inp.signed_text_sha256, *signed})
    a.approved_text_sha256 = []
    a.round = inp.round
    touch(a, inp.at, AgreementStatus.IN_CONSULTATION)
    session.add(a)
    add_event(
        session,
        AgreementTextChangedV1(
            **about(a),
            approved_text_sha256=approved,
            signed_text_sha256=inp.signed_text_sha256,
            acknowledged_by=inp.actor.subject,
            at=inp.at,
            round=inp.round,
        ),
    )
    return c.Done()


def record_copy_delivered(session: Session, inp: c.RecordCopyDelivered) -> c.TaskView:
    """A duty delivered: the copy or notice (the agreement records it), the report or a plan
    (their own tasks do); the recipient gets a receipt task."""
    a = load(session, inp.agreement_id)
    recipient = duty_recipient(
        inp.duty,
        a.signatory_level,
        a.province,
        to_mofa_for_all_levels=inp.copy_to_mofa_for_all_levels,
    )
    primary = inp.duty in PRIMARY_DUTIES
    if inp.delivery_task_id:
        delivering = [t for t in [session.get(Task, inp.delivery_task_id)] if t is not None]
    else:  # runs from before duties were told apart: the case's copy or notice
        delivering = [
            t
            for t in open_tasks(session, a.id, TaskKind.COPY_DELIVERY)
            if t.duty is None or t.duty in PRIMARY_DUTIES
        ]
    if primary or not delivering or delivering[0].due_at is None:
        due_on = a.copy_due_on or inp.delivered_on
    else:
        due_on = local_date(delivering[0].due_at)
    in_time = on_time(inp.delivered_on, due_on)
    for task in delivering:
        if task.status in CLOSED_TASK_STATUSES:
            continue
        close(task, at=inp.at, by=inp.actor.subject, status=TaskStatus.DONE)
        task.on_time = in_time
        task.comment = inp.note
        session.add(task)
    receipt = new_task(
        session,
        task_id=inp.receipt_task_id,
        a=a,
        kind=TaskKind.COPY_RECEIPT,
        assignee=recipient,
        at=inp.at,
        round_=a.round,
        duty=None if primary and not inp.delivery_task_id else inp.duty,
    )
    if primary:
        a.copy_delivered_at = inp.at
        a.copy_delivered_on = inp.delivered_on
    touch(a, inp.at)
    session.add(a)
    add_event(
        session,
        AgreementCopyDeliveredV1(
            **about(a),
            duty=inp.duty,
            due_on=due_on,
            recipient=recipient.org,
            task_id=inp.receipt_task_id,
            delivered_by=inp.actor.subject,
            delivered_at=inp.at,
            on_time=in_time,
            note=inp.note,
        ),
    )
    return view(receipt)


def _still_owed(session: Session, a: Agreement, inp: c.DutyTimer) -> bool:
    """The duty a reminder or lateness is about has not been delivered yet."""
    if inp.task_id:
        task = session.get(Task, inp.task_id)
        return task is not None and task.status is TaskStatus.OPEN
    return a.copy_delivered_at is None


def record_duty_reminder(session: Session, inp: c.DutyTimer) -> c.Done:
    a = load(session, inp.agreement_id)
    if not _still_owed(session, a, inp):
        return c.Done(changed=False)
    add_event(
        session,
        AgreementCopyReminderV1(
            **about(a),
            duty=inp.duty,
            due_on=inp.due_on,
            recipient=_recipient(a, inp.duty, inp.copy_to_mofa_for_all_levels),
            at=inp.at,
            days_left=(inp.due_on - local_date(inp.at)).days,
        ),
    )
    return c.Done()


def record_duty_overdue(session: Session, inp: c.DutyTimer) -> c.Done:
    a = load(session, inp.agreement_id)
    if not _still_owed(session, a, inp):
        return c.Done(changed=False)
    add_event(
        session,
        AgreementCopyOverdueV1(
            **about(a),
            duty=inp.duty,
            due_on=inp.due_on,
            recipient=_recipient(a, inp.duty, inp.copy_to_mofa_for_all_levels),
            at=inp.at,
            days_overdue=max(1, (local_date(inp.at) - inp.due_on).days),
        ),
    )
    return c.Done()
