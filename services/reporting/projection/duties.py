"""What the events of a duty (owed on signing, an end, a resumption or the yearly plan;
reminded, overdue, delivered, received) change in its row of the read model, with the counts
kept in step, in the caller's transaction."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from common.db import utcnow
from common.events.envelope import Event
from common.events.payloads import (
    AgreementCopyDeliveredV1,
    AgreementCopyOverdueV1,
    AgreementCopyReceivedV1,
    AgreementCopyReminderV1,
    AgreementPlanDueV1,
    AgreementResumedV1,
    AgreementSignedV1,
    AgreementTerminatedV1,
    DutyRecordV1,
)
from common.law.cycles import ConferenceCalendar
from common.law.vocabulary import Duty
from services.reporting.domain import aggregation as agg
from services.reporting.mapping import fill_duty, new_duty
from services.reporting.models import ReadAgreement, ReadDuty
from services.reporting.projection.counts import (
    add_counts,
    agreement_scopes,
    derive_duty_cycle,
    duty_stored,
)

DutyEvent = (
    AgreementSignedV1
    | AgreementTerminatedV1
    | AgreementResumedV1
    | AgreementPlanDueV1
    | AgreementCopyReminderV1
    | AgreementCopyOverdueV1
    | AgreementCopyDeliveredV1
    | AgreementCopyReceivedV1
)


def duty_records(payload: DutyEvent, event: Event) -> list[DutyRecordV1]:
    """The duties an event tells of, each as much as the event knows of it, as of the event's
    time. The copy (and at provincial level the report) is owed on signing; the notice of an
    end or a resumption is its case's duty; the yearly plan is one when the event names its
    task; the duty events themselves name theirs."""
    at = event.time or utcnow()

    def record(
        agreement_id: str,
        duty: str,
        due_on: date,
        *,
        task_id: str | None = None,
        delivered_at: datetime | None = None,
        on_time: bool | None = None,
        received_at: datetime | None = None,
    ) -> DutyRecordV1:
        return DutyRecordV1(
            task_id=task_id,
            agreement_id=agreement_id,
            province=payload.province,
            duty=duty,
            due_on=due_on,
            delivered_at=delivered_at,
            on_time=on_time,
            received_at=received_at,
            state_at=at,
        )

    p = payload
    if isinstance(p, AgreementSignedV1):
        owed = [record(p.agreement_id, Duty.COPY.value, p.copy_due_on)]
        if p.report_due_on is not None:
            owed.append(record(p.agreement_id, Duty.REPORT.value, p.report_due_on))
        return owed
    if isinstance(p, AgreementTerminatedV1 | AgreementResumedV1):
        return [record(p.case_id, Duty.NOTICE.value, p.notice_due_on)]
    if isinstance(p, AgreementPlanDueV1):
        if p.task_id is None:
            return []  # announced only: not a duty of the province
        return [record(p.agreement_id, Duty.PLAN.value, p.due_on, task_id=p.task_id)]
    if isinstance(p, AgreementCopyDeliveredV1):
        return [
            record(p.agreement_id, p.duty, p.due_on, delivered_at=p.delivered_at, on_time=p.on_time)
        ]
    if isinstance(p, AgreementCopyReceivedV1):
        return [record(p.agreement_id, p.duty, p.due_on, received_at=p.received_at)]
    # A reminder or a lateness: the duty is owed (should the event opening it be lost).
    return [record(p.agreement_id, p.duty, p.due_on)]


def apply_duty(session: Session, calendar: ConferenceCalendar, record: DutyRecordV1) -> None:
    """Merge what a record tells into its duty's row, and move the duty's counts."""
    row = session.get(ReadDuty, (record.agreement_id, record.duty, record.due_on))
    scope_list = agreement_scopes(session.get(ReadAgreement, record.agreement_id))
    before: list[agg.Stored] = [] if row is None else duty_stored(row, scope_list)
    if row is None:
        row = new_duty(record.agreement_id, record.duty, record.due_on)
    fill_duty(row, record)
    derive_duty_cycle(row, calendar)
    session.add(row)
    add_counts(session, agg.delta(before, duty_stored(row, scope_list)))


def apply_duties(
    session: Session, calendar: ConferenceCalendar, event: Event, payload: DutyEvent
) -> None:
    """The handler of every event that tells of a duty (projection/__init__.py)."""
    for record in duty_records(payload, event):
        apply_duty(session, calendar, record)


def rescope_duties(session: Session, agreement_id: str, old: list[str], new: list[str]) -> None:
    """The agreement (or case) owing these duties changed its fields or partner (or appeared,
    or went): move the duties' counts to its new scopes."""
    if old == new:
        return
    change: dict[agg.Stored, int] = {}
    duties = session.exec(select(ReadDuty).where(col(ReadDuty.agreement_id) == agreement_id))
    for d in duties:
        for key, n in agg.delta(duty_stored(d, old), duty_stored(d, new)).items():
            change[key] = change.get(key, 0) + n
    add_counts(session, {k: v for k, v in change.items() if v})
