"""Applies agreement events to the read model, each in one transaction with its processed id
and the per-cycle counts kept in step (agreements.py, consultations.py, duties.py, counts.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final

from sqlmodel import Session

from common.db import Database, utcnow
from common.events.envelope import Event, parse_payload
from common.events.types import EventType
from common.law.cycles import ConferenceCalendar
from services.reporting.models import ProcessedEvent
from services.reporting.projection.agreements import (
    UnknownAgreement,
    apply_amended,
    apply_copy_delivered,
    apply_deleted,
    apply_in_force,
    apply_resumed,
    apply_signed,
    apply_snapshot,
    apply_terminated,
    set_status,
)
from services.reporting.projection.consultations import apply_consultation
from services.reporting.projection.counts import (
    agreement_cycles,
    consultation_cycle,
    ensure_calendar,
    recount,
    serialize_writers,
)
from services.reporting.projection.duties import apply_duties

# Each handler takes the event's payload model (PAYLOADS of its type and version).
Handler = Callable[[Session, ConferenceCalendar, Event, Any], None]


def each(*handlers: Handler) -> Handler:
    """One event that changes several parts of the read model (the agreement, its duties)."""

    def handler(session: Session, calendar: ConferenceCalendar, event: Event, payload: Any) -> None:
        for h in handlers:
            h(session, calendar, event, payload)

    return handler


E = EventType
HANDLERS: Final[Mapping[str, Handler]] = MappingProxyType(
    {
        E.AGREEMENT_DRAFTED: apply_snapshot,
        E.AGREEMENT_UPDATED: apply_snapshot,
        E.AGREEMENT_SUBMITTED: apply_snapshot,
        E.AGREEMENT_IMPORTED: apply_snapshot,
        E.AGREEMENT_DELETED: apply_deleted,
        E.CONSULTATION_REQUESTED: apply_consultation,
        E.CONSULTATION_ANSWERED: apply_consultation,
        E.AGREEMENT_RETURNED: set_status("RETURNED"),
        # The signed text was not the approved one: back to consultation.
        E.AGREEMENT_TEXT_CHANGED: set_status("IN_CONSULTATION"),
        E.PM_OPINION_REQUESTED: set_status("AWAITING_PM_OPINION"),
        E.DECISION_REQUESTED: set_status("AWAITING_DECISION"),
        E.AGREEMENT_APPROVED: set_status("APPROVED"),
        E.AGREEMENT_REJECTED: set_status("REJECTED"),
        E.AGREEMENT_SIGNED: each(apply_signed, apply_duties),
        E.AGREEMENT_COPY_DELIVERED: each(apply_copy_delivered, apply_duties),
        E.AGREEMENT_IN_FORCE: apply_in_force,
        E.AGREEMENT_EXPIRED: set_status("EXPIRED"),
        E.AGREEMENT_AMENDED: apply_amended,
        E.AGREEMENT_TERMINATED: each(apply_terminated, apply_duties),
        E.AGREEMENT_RESUMED: each(apply_resumed, apply_duties),
        # The duties' own events: owed (the yearly plan), reminded, late, received.
        E.AGREEMENT_PLAN_DUE: apply_duties,
        E.AGREEMENT_COPY_REMINDER: apply_duties,
        E.AGREEMENT_COPY_OVERDUE: apply_duties,
        E.AGREEMENT_COPY_RECEIVED: apply_duties,
    }
)


class Projection:
    """The read side of `agreements.events`. `apply` is the consumer's handler; it commits."""

    def __init__(self, db: Database, calendar: ConferenceCalendar) -> None:
        self.db = db
        self.calendar = calendar

    def apply(self, event: Event) -> bool:
        """Apply one event; False when its id was already processed (nothing changes)."""
        handler = HANDLERS.get(event.name)
        # Parsed before the transaction: data its model refuses raises here, and the consumer
        # retries, then dead-letters the event, as for any failure to handle it.
        payload = parse_payload(event) if handler is not None else None
        with self.db.write_session() as session:
            serialize_writers(session)
            if session.get(ProcessedEvent, event.id) is not None:
                return False
            if handler is not None:
                handler(session, self.calendar, event, payload)
            session.add(
                ProcessedEvent(event_id=event.id, event_type=event.name, processed_at=utcnow())
            )
            session.commit()
            return True


__all__ = [
    "HANDLERS",
    "Projection",
    "UnknownAgreement",
    # Used by bench/report.py and the service's command line.
    "agreement_cycles",
    "consultation_cycle",
    "ensure_calendar",
    "recount",
]
