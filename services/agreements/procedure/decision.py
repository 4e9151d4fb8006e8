"""Steps of the decision (domain.md §2): the Prime Minister's opinion on a disagreement at
provincial level, the leader's decision, and recording any answer to a task with what it
means for the agreement."""

from __future__ import annotations

from sqlmodel import Session

from common.events.payloads import (
    AgreementApprovedV1,
    AgreementCopyReceivedV1,
    AgreementRejectedV1,
    ConsultationAnsweredV1,
    DecisionRequestedV1,
    PmOpinionGivenV1,
    PmOpinionRequestedV1,
)
from common.law.calendar import default_calendar
from common.law.deadlines import pm_opinion_deadline
from common.law.routing import Assignee, committee_chair, pm_assignee
from common.law.vocabulary import (
    PRIMARY_DUTIES,
    AgreementStatus,
    Outcome,
    RejectionReason,
    TaskKind,
    TaskStatus,
    duty_of,
)
from services.agreements.models import Agreement, Task
from services.agreements.outbox import add_event
from services.agreements.procedure.records import (
    AgreementMissing,
    about,
    duty_due_on,
    load,
    new_task,
    touch,
)
from workflows.lifecycle import contracts as c


def open_pm_opinion(session: Session, inp: c.OpenPmOpinion) -> c.Deadline:
    a = load(session, inp.agreement_id)
    deadline = pm_opinion_deadline(default_calendar(), inp.at, working_days=inp.working_days)
    new_task(
        session,
        task_id=inp.task_id,
        a=a,
        kind=TaskKind.PM_OPINION,
        assignee=pm_assignee(),
        at=inp.at,
        round_=a.round,
        due_at=deadline.due_at,
    )
    touch(a, inp.at, AgreementStatus.AWAITING_PM_OPINION)
    session.add(a)
    add_event(
        session,
        PmOpinionRequestedV1(
            **about(a),
            task_id=inp.task_id,
            requested_at=inp.at,
            due_at=deadline.due_at,
            disagreeing_bodies=list(inp.disagreeing_bodies),
        ),
    )
    return c.Deadline(
        task_id=inp.task_id,
        due_at=deadline.due_at,
        reminder_at=None,
        escalate_at=deadline.escalate_at,
    )


def open_decision(session: Session, inp: c.OpenDecision) -> c.Done:
    a = load(session, inp.agreement_id)
    assignee = (
        Assignee(inp.decider_role, inp.decider_org)
        if inp.decider_role and inp.decider_org
        else committee_chair(a.province)
    )
    new_task(
        session,
        task_id=inp.task_id,
        a=a,
        kind=TaskKind.DECISION,
        assignee=assignee,
        at=inp.at,
        round_=a.round,
    )
    touch(a, inp.at, AgreementStatus.AWAITING_DECISION)
    session.add(a)
    add_event(
        session,
        DecisionRequestedV1(
            **about(a),
            task_id=inp.task_id,
            requested_at=inp.at,
            opinions=dict(inp.opinions),
            pm_outcome=inp.pm_outcome,
            decider_role=assignee.role,
        ),
    )
    return c.Done()


def record_claim(session: Session, inp: c.RecordClaim) -> c.Done:
    """Who holds a task now, as the workflow decided; a take-over is kept for the timeline."""
    task = session.get(Task, inp.task_id)
    if task is None:
        raise AgreementMissing(f"task {inp.task_id}")
    task.claimed_by = inp.claimed_by
    task.claimed_at = inp.at if inp.claimed_by else None
    if inp.taken_over_from:
        task.taken_over_from = inp.taken_over_from
        task.taken_over_by = inp.claimed_by
        task.taken_over_at = inp.at
    session.add(task)
    return c.Done()


def record_answer(session: Session, inp: c.RecordAnswer) -> c.Answered:
    """An answer to a task, recorded with what it means for the agreement."""
    a = load(session, inp.agreement_id)
    task = session.get(Task, inp.task_id)
    if task is None:
        raise AgreementMissing(f"task {inp.task_id}")
    task.status = TaskStatus.DONE
    task.outcome = inp.outcome
    task.comment = inp.comment
    task.document_ids = list(inp.document_ids)
    task.answered_by = inp.actor.subject
    task.answered_at = inp.at
    task.on_time = None if task.due_at is None else inp.at <= task.due_at
    task.working_days_taken = default_calendar().working_days_between(task.requested_at, inp.at)
    session.add(task)
    outcome = Outcome(inp.outcome)

    if task.kind is TaskKind.CONSULTATION:
        add_event(
            session,
            ConsultationAnsweredV1(
                **about(a),
                task_id=task.id,
                body=task.assignee_org,
                round=task.round,
                outcome=outcome,
                comment=inp.comment,
                document_ids=list(inp.document_ids),
                requested_at=task.requested_at,
                due_at=task.due_at,
                on_time=bool(task.on_time),
                working_days_taken=task.working_days_taken,
                answered_by=inp.actor.subject,
                answered_at=inp.at,
                text_sha256=list(task.text_sha256),
            ),
        )
    elif task.kind is TaskKind.PM_OPINION:
        add_event(
            session,
            PmOpinionGivenV1(
                **about(a),
                task_id=task.id,
                outcome=outcome,
                comment=inp.comment,
                due_at=task.due_at,
                on_time=bool(task.on_time),
                answered_by=inp.actor.subject,
                answered_at=inp.at,
            ),
        )
        if outcome is Outcome.REFUSE:
            _decide(session, a, inp, approved=False, reason=RejectionReason.PM_REFUSED)
    elif task.kind is TaskKind.DECISION:
        _decide(
            session,
            a,
            inp,
            approved=outcome is Outcome.APPROVE,
            reason=RejectionReason.LEADER_REJECTED,
        )
    elif task.kind is TaskKind.COPY_RECEIPT:
        duty = task.duty or duty_of(a.case_kind)
        if duty in PRIMARY_DUTIES:
            a.copy_received_at = inp.at
        touch(a, inp.at)
        add_event(
            session,
            AgreementCopyReceivedV1(
                **about(a),
                duty=duty,
                due_on=duty_due_on(session, a, task, inp.at),
                recipient=task.assignee_org,
                task_id=task.id,
                received_by=inp.actor.subject,
                received_at=inp.at,
            ),
        )
    session.add(a)
    return c.Answered(
        task_id=task.id,
        kind=task.kind,
        outcome=outcome,
        on_time=task.on_time,
        status=a.status,
    )


def _decide(
    session: Session,
    a: Agreement,
    inp: c.RecordAnswer,
    *,
    approved: bool,
    reason: RejectionReason,
) -> None:
    a.decided_by = inp.actor.subject
    a.decided_at = inp.at
    decided = {
        "task_id": inp.task_id,
        "decided_by": inp.actor.subject,
        "decided_at": inp.at,
        "comment": inp.comment,
    }
    if approved:
        a.approved_text_sha256 = list(a.consulted_text_sha256)
        touch(a, inp.at, AgreementStatus.APPROVED)
        add_event(
            session,
            AgreementApprovedV1(
                **about(a), **decided, approved_text_sha256=list(a.approved_text_sha256)
            ),
        )
    else:
        touch(a, inp.at, AgreementStatus.REJECTED)
        add_event(session, AgreementRejectedV1(**about(a), **decided, reason=reason))
