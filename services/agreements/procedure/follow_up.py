"""Steps after signing (domain.md §2): change cases acting on the agreement they change
(amendment, supplement, extension; termination, withdrawal, suspension with its notice), entry
into force, the yearly implementation plan, expiry reminders and expiry."""

from __future__ import annotations

from sqlmodel import Session

from common.events.payloads import (
    AgreementAmendedV1,
    AgreementExpiredV1,
    AgreementExpiringV1,
    AgreementInForceV1,
    AgreementPlanDueV1,
    AgreementResumedV1,
    AgreementTerminatedV1,
)
from common.law.calendar import default_calendar, local_date
from common.law.deadlines import duty_due_at, notice_due_on
from common.law.routing import province_duty_assignee
from common.law.vocabulary import (
    ENDING_STATUS,
    LIVE_STATUSES,
    AgreementStatus,
    CaseKind,
    Duty,
    TaskKind,
)
from services.agreements.outbox import add_event
from services.agreements.procedure.records import about, load, new_task, touch
from workflows.lifecycle import contracts as c


def apply_change_to_parent(session: Session, inp: c.ApplyChangeToParent) -> c.ParentEffect:
    """A signed amendment, supplement or extension changes the agreement it belongs to."""
    case = load(session, inp.case_id)
    parent = load(session, inp.parent_id)
    if case.expires_on is not None:
        parent.expires_on = case.expires_on
    touch(parent, inp.at)
    session.add(parent)
    add_event(
        session,
        AgreementAmendedV1(
            **about(parent),
            case_id=case.id,
            case_kind=case.case_kind,
            signed_on=case.signed_on or local_date(inp.at),
            expires_on=parent.expires_on,
            at=inp.at,
        ),
    )
    return c.ParentEffect(parent_id=parent.id, status=parent.status, expires_on=parent.expires_on)


def apply_ending_to_parent(session: Session, inp: c.ApplyEndingToParent) -> c.ParentEffect:
    """An approved termination, withdrawal or suspension takes effect on its date; the
    Ministry of Foreign Affairs is owed a notice within 15 days of it."""
    case = load(session, inp.case_id)
    parent = load(session, inp.parent_id)
    effective_on = case.effective_on or local_date(inp.at)
    due_on = notice_due_on(default_calendar(), effective_on, calendar_days=inp.notice_calendar_days)
    status = ENDING_STATUS[case.case_kind]
    touch(parent, inp.at, status)
    session.add(parent)
    case.copy_due_on = due_on
    # The case shows what it did: it is the termination (withdrawal, suspension) in effect.
    touch(case, inp.at, status)
    session.add(case)
    new_task(
        session,
        task_id=inp.notice_task_id,
        a=case,
        kind=TaskKind.COPY_DELIVERY,
        assignee=province_duty_assignee(case.province),
        at=inp.at,
        round_=case.round,
        due_at=duty_due_at(due_on),
        duty=Duty.NOTICE,
    )
    if case.case_kind is CaseKind.RESUMPTION:
        add_event(
            session,
            AgreementResumedV1(
                **about(parent),
                case_id=case.id,
                effective_on=effective_on,
                notice_due_on=due_on,
                at=inp.at,
            ),
        )
    else:
        add_event(
            session,
            AgreementTerminatedV1(
                **about(parent),
                case_id=case.id,
                case_kind=case.case_kind,
                status=status,
                effective_on=effective_on,
                notice_due_on=due_on,
                at=inp.at,
            ),
        )
    return c.ParentEffect(
        parent_id=parent.id,
        status=status,
        expires_on=parent.expires_on,
        effective_on=effective_on,
        notice_due_on=due_on,
    )


def mark_in_force(session: Session, inp: c.AgreementTimer) -> c.Done:
    a = load(session, inp.agreement_id)
    if a.status is not AgreementStatus.SIGNED:
        return c.Done(changed=False)
    touch(a, inp.at, AgreementStatus.IN_FORCE)
    session.add(a)
    add_event(
        session,
        AgreementInForceV1(
            **about(a),
            effective_from=a.effective_from or local_date(inp.at),
            expires_on=a.expires_on,
            at=inp.at,
        ),
    )
    return c.Done()


def record_plan_due(session: Session, inp: c.AgreementTimer) -> c.Done:
    """The yearly implementation plan is due on 15 November: announced, and (with a task id)
    a duty of the province, due that day."""
    a = load(session, inp.agreement_id)
    if a.status is not AgreementStatus.IN_FORCE:
        return c.Done(changed=False)
    if inp.task_id and inp.due_on:
        new_task(
            session,
            task_id=inp.task_id,
            a=a,
            kind=TaskKind.COPY_DELIVERY,
            assignee=province_duty_assignee(a.province),
            at=inp.at,
            round_=a.round,
            due_at=duty_due_at(inp.due_on),
            duty=Duty.PLAN,
        )
    add_event(
        session,
        AgreementPlanDueV1(
            **about(a),
            year=inp.days or inp.at.year + 1,
            due_on=inp.due_on or local_date(inp.at),
            at=inp.at,
            task_id=inp.task_id,
        ),
    )
    return c.Done()


def record_expiring(session: Session, inp: c.AgreementTimer) -> c.Done:
    a = load(session, inp.agreement_id)
    if a.expires_on is None or a.status not in LIVE_STATUSES:
        return c.Done(changed=False)
    add_event(
        session,
        AgreementExpiringV1(
            **about(a), expires_on=a.expires_on, days_left=inp.days or 0, at=inp.at
        ),
    )
    return c.Done()


def mark_expired(session: Session, inp: c.AgreementTimer) -> c.Done:
    a = load(session, inp.agreement_id)
    if a.expires_on is None or a.status not in LIVE_STATUSES:
        return c.Done(changed=False)
    touch(a, inp.at, AgreementStatus.EXPIRED)
    session.add(a)
    add_event(session, AgreementExpiredV1(**about(a), expires_on=a.expires_on, at=inp.at))
    return c.Done()
