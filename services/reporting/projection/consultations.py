"""What a consultation's request and answer change in its row of the read model (and, for a
request, its agreement's status), with the counts kept in step, in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from common.db import utcnow
from common.events.envelope import Event
from common.events.payloads import (
    ConsultationAnsweredV1,
    ConsultationRecordV1,
    ConsultationRequestedV1,
)
from common.law.cycles import ConferenceCalendar
from common.law.vocabulary import TaskStatus
from services.reporting.domain import aggregation as agg
from services.reporting.mapping import fill_consultation, new_consultation
from services.reporting.models import ReadAgreement, ReadConsultation
from services.reporting.projection.agreements import change_agreement
from services.reporting.projection.counts import (
    add_counts,
    agreement_scopes,
    consultation_stored,
    derive_consultation_cycle,
)


def consultation_record(
    payload: ConsultationRequestedV1 | ConsultationAnsweredV1, at: datetime
) -> ConsultationRecordV1:
    """The consultation as it stands after this event, as the operator export describes one.
    Each event tells all of it: a request opens a round (any earlier answer no longer stands),
    an answer closes it."""
    answer = payload if isinstance(payload, ConsultationAnsweredV1) else None
    return ConsultationRecordV1(
        task_id=payload.task_id,
        agreement_id=payload.agreement_id,
        province=payload.province,
        body=payload.body,
        round=payload.round,
        status=(TaskStatus.DONE if answer else TaskStatus.OPEN).value,
        requested_at=payload.requested_at,
        due_at=payload.due_at,
        answered_at=answer.answered_at if answer else None,
        on_time=answer.on_time if answer else None,
        working_days_taken=answer.working_days_taken if answer else None,
        outcome=answer.outcome if answer else None,
        state_at=at,
    )


def apply_consultation(
    session: Session,
    calendar: ConferenceCalendar,
    event: Event,
    payload: ConsultationRequestedV1 | ConsultationAnsweredV1,
) -> None:
    at = event.time or utcnow()
    row = session.get(ReadConsultation, payload.task_id)
    if row is not None and row.state_at > at:
        return
    scope_list = agreement_scopes(session.get(ReadAgreement, payload.agreement_id))
    before: list[agg.Stored] = [] if row is None else consultation_stored(row, scope_list)
    if row is None:
        row = new_consultation(payload.task_id)
    fill_consultation(row, consultation_record(payload, at))
    derive_consultation_cycle(row, calendar)
    session.add(row)
    add_counts(session, agg.delta(before, consultation_stored(row, scope_list)))
    if isinstance(payload, ConsultationRequestedV1):
        agreement = session.get(ReadAgreement, payload.agreement_id)
        if agreement is not None and agreement.status in ("SUBMITTED", "RETURNED"):
            change_agreement(
                session,
                calendar,
                event,
                payload.agreement_id,
                lambda a: setattr(a, "status", "IN_CONSULTATION"),
            )
