"""Steps of the consultation (domain.md §2.2, §2.3): asking the bodies for their opinions with
the law's deadline, reminding them, escalating an overdue one to the body's supervisor each
working day, and returning an incomplete dossier to the province."""

from __future__ import annotations

from sqlmodel import Session

from common.events.payloads import (
    AgreementReturnedV1,
    ConsultationOverdueV1,
    ConsultationReminderV1,
    ConsultationRequestedV1,
    PmOpinionOverdueV1,
)
from common.law.calendar import default_calendar
from common.law.deadlines import consultation_deadline, next_escalation
from common.law.routing import consultation_assignee, province_duty_assignee
from common.law.vocabulary import AgreementStatus, DocumentKind, TaskKind, TaskStatus
from services.agreements.models import Task
from services.agreements.outbox import add_event
from services.agreements.procedure.records import (
    about,
    close,
    current_text_hashes,
    load,
    new_task,
    touch,
)
from workflows.lifecycle import contracts as c


def open_consultations(session: Session, inp: c.OpenConsultations) -> c.Deadlines:
    """Ask each new body for its opinion and restart the clocks of paused ones, all from
    `at`: N working days, a reminder some working days before, escalation after."""
    a = load(session, inp.agreement_id)
    deadline = consultation_deadline(
        default_calendar(),
        inp.at,
        working_days=inp.working_days,
        reminder_working_days_before=inp.reminder_working_days_before,
    )
    consulted = set(current_text_hashes(session, a.id, DocumentKind.DRAFT_TEXT))
    changed = set(a.consulted_text_sha256) & set(
        current_text_hashes(session, a.id, DocumentKind.SIGNED_TEXT)
    )
    a.consulted_text_sha256 = sorted(consulted | changed)
    a.round = max(a.round, inp.round)

    tasks: list[Task] = [
        new_task(
            session,
            task_id=new.task_id,
            a=a,
            kind=TaskKind.CONSULTATION,
            assignee=consultation_assignee(new.body),
            at=inp.at,
            round_=inp.round,
        )
        for new in inp.new_tasks
    ]
    for task_id in inp.resumed_task_ids:
        task = session.get(Task, task_id)
        if task is not None:
            tasks.append(task)
    deadlines = []
    for task in tasks:
        task.status = TaskStatus.OPEN
        task.round = inp.round
        task.requested_at = inp.at
        task.due_at = deadline.due_at
        task.reminder_at = deadline.reminder_at
        task.reminded_at = None
        task.escalations = 0
        task.text_sha256 = sorted(consulted)
        session.add(task)
        deadlines.append(
            c.Deadline(
                task_id=task.id,
                due_at=deadline.due_at,
                reminder_at=deadline.reminder_at,
                escalate_at=deadline.escalate_at,
            )
        )
        add_event(
            session,
            ConsultationRequestedV1(
                **about(a),
                task_id=task.id,
                body=task.assignee_org,
                round=inp.round,
                procedure=a.procedure,
                requested_at=inp.at,
                due_at=deadline.due_at,
                reminder_at=deadline.reminder_at or deadline.due_at,
                working_days=inp.working_days,
                text_sha256=list(task.text_sha256),
            ),
        )
    if inp.supplement_task_id:
        supplement = session.get(Task, inp.supplement_task_id)
        if supplement is not None and supplement.status is TaskStatus.OPEN:
            close(supplement, at=inp.at, by=a.submitted_by, status=TaskStatus.DONE)
            session.add(supplement)
    touch(a, inp.at, AgreementStatus.IN_CONSULTATION)
    session.add(a)
    return c.Deadlines(deadlines=deadlines)


def record_task_reminder(session: Session, inp: c.TaskTimer) -> c.Done:
    task = session.get(Task, inp.task_id)
    if task is None or task.status is not TaskStatus.OPEN or task.due_at is None:
        return c.Done(changed=False)
    a = load(session, inp.agreement_id)
    task.reminded_at = inp.at
    session.add(task)
    add_event(
        session,
        ConsultationReminderV1(
            **about(a),
            task_id=task.id,
            body=task.assignee_org,
            due_at=task.due_at,
            reminded_at=inp.at,
            working_days_left=default_calendar().working_days_between(inp.at, task.due_at),
        ),
    )
    return c.Done()


def record_task_overdue(session: Session, inp: c.TaskTimer) -> c.Escalated:
    """The deadline passed without an answer: tell the body's supervisor, again each working
    day. The workflow keeps waiting: a late opinion is still taken, and marked late."""
    calendar = default_calendar()
    nxt = c.Escalated(next_escalate_at=next_escalation(calendar, inp.at))
    task = session.get(Task, inp.task_id)
    if task is None or task.status is not TaskStatus.OPEN or task.due_at is None:
        return nxt
    a = load(session, inp.agreement_id)
    task.escalations = inp.escalation
    task.last_escalated_at = inp.at
    session.add(task)
    overdue = max(1, calendar.working_days_between(task.due_at, inp.at))
    if task.kind is TaskKind.PM_OPINION:
        add_event(
            session,
            PmOpinionOverdueV1(
                **about(a),
                task_id=task.id,
                due_at=task.due_at,
                at=inp.at,
                working_days_overdue=overdue,
                escalation=inp.escalation,
            ),
        )
    else:
        add_event(
            session,
            ConsultationOverdueV1(
                **about(a),
                task_id=task.id,
                body=task.assignee_org,
                due_at=task.due_at,
                at=inp.at,
                working_days_overdue=overdue,
                escalation=inp.escalation,
            ),
        )
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
    new_task(
        session,
        task_id=inp.supplement_task_id,
        a=a,
        kind=TaskKind.SUPPLEMENT,
        assignee=province_duty_assignee(a.province),
        at=inp.at,
        round_=a.round,
    )
    touch(a, inp.at, AgreementStatus.RETURNED)
    session.add(a)
    add_event(
        session,
        AgreementReturnedV1(
            **about(a),
            task_id=inp.requesting_task_id,
            body=requesting.assignee_org if requesting else "",
            comment=requesting.comment if requesting else "",
            requested_by=(requesting.answered_by or "") if requesting else "",
            returned_at=inp.at,
            round=a.round,
            bodies_pending=sorted(pending),
        ),
    )
    return c.Done()
