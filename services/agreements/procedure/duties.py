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
from common.law.routing import copy_recipient, province_duty_assignee
from common.law.vocabulary import AgreementStatus, DocumentKind, TaskKind, TaskStatus
from services.agreements.models import Agreement
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


def _recipient(a: Agreement, to_mofa_for_all_levels: bool) -> str:
    return copy_recipient(
        a.signatory_level, a.province, to_mofa_for_all_levels=to_mofa_for_all_levels
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
            copy_recipient=_recipient(a, inp.copy_to_mofa_for_all_levels),
            text_matches=dict(sign.text_matches),
        ),
    )
    return c.Signed(
        effective_from=sign.effective_from,
        expires_on=sign.expires_on,
        copy_due_on=due_on,
        signed_on=sign.signed_on,
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
    a = load(session, inp.agreement_id)
    recipient = copy_recipient(
        a.signatory_level, a.province, to_mofa_for_all_levels=inp.copy_to_mofa_for_all_levels
    )
    due_on = a.copy_due_on or inp.delivered_on
    in_time = on_time(inp.delivered_on, due_on)
    for task in open_tasks(session, a.id, TaskKind.COPY_DELIVERY):
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
    )
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


def record_duty_reminder(session: Session, inp: c.DutyTimer) -> c.Done:
    a = load(session, inp.agreement_id)
    if a.copy_delivered_at is not None:
        return c.Done(changed=False)
    add_event(
        session,
        AgreementCopyReminderV1(
            **about(a),
            duty=inp.duty,
            due_on=inp.due_on,
            recipient=_recipient(a, inp.copy_to_mofa_for_all_levels),
            at=inp.at,
            days_left=(inp.due_on - local_date(inp.at)).days,
        ),
    )
    return c.Done()


def record_duty_overdue(session: Session, inp: c.DutyTimer) -> c.Done:
    a = load(session, inp.agreement_id)
    if a.copy_delivered_at is not None:
        return c.Done(changed=False)
    add_event(
        session,
        AgreementCopyOverdueV1(
            **about(a),
            duty=inp.duty,
            due_on=inp.due_on,
            recipient=_recipient(a, inp.copy_to_mofa_for_all_levels),
            at=inp.at,
            days_overdue=max(1, (local_date(inp.at) - inp.due_on).days),
        ),
    )
    return c.Done()
