"""What each agreement event changes in its row of the read model, with the counts moved from
what the row counted before to what it counts after, in the caller's transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from sqlmodel import Session, col, select

from common.db import utcnow
from common.events.envelope import Event
from common.events.payloads import (
    AgreementAmendedV1,
    AgreementCopyDeliveredV1,
    AgreementDeletedV1,
    AgreementImportedV1,
    AgreementInForceV1,
    AgreementResumedV1,
    AgreementSignedV1,
    AgreementSnapshotV1,
    AgreementSubmittedV1,
    AgreementTerminatedV1,
)
from common.law.cycles import ConferenceCalendar
from common.law.vocabulary import Duty
from services.reporting.domain import aggregation as agg
from services.reporting.mapping import fill_agreement, new_agreement
from services.reporting.models import ReadAgreement, ReadConsultation
from services.reporting.projection.counts import (
    add_counts,
    agreement_scopes,
    agreement_stored,
    consultation_stored,
    derive_cycles,
)
from services.reporting.projection.duties import rescope_duties

log = logging.getLogger(__name__)


class UnknownAgreement(LookupError):
    """A step event for an agreement this read model never saw (its earlier events were lost):
    the consumer dead-letters it, and a rebuild restores the agreement."""


class AboutAnAgreement(Protocol):
    """Every event's payload names its agreement."""

    @property
    def agreement_id(self) -> str: ...


def change_agreement(
    session: Session,
    calendar: ConferenceCalendar,
    event: Event,
    agreement_id: str,
    mutate: Callable[[ReadAgreement], None],
    *,
    create: bool = False,
) -> None:
    """Change one agreement and move its counts from what it counted before to what it counts
    after. An event older than what the row already reflects changes nothing."""
    at = event.time or utcnow()
    row = session.get(ReadAgreement, agreement_id)
    old_scopes = agreement_scopes(row)
    if row is None:
        if not create:
            raise UnknownAgreement(f"{event.name} for unknown agreement {agreement_id}")
        # A snapshot (the one event that may create) fills every column.
        row = new_agreement(agreement_id)
        before: list[agg.Stored] = []
    else:
        if row.state_at > at:
            log.info("ignored %s %s: the read model is newer", event.name, event.id)
            return
        before = agreement_stored(row)
    mutate(row)
    derive_cycles(row, calendar)
    row.state_at = at
    session.add(row)
    add_counts(session, agg.delta(before, agreement_stored(row)))
    rescope_consultations(session, agreement_id, old_scopes, agreement_scopes(row))
    rescope_duties(session, agreement_id, old_scopes, agreement_scopes(row))


def rescope_consultations(
    session: Session, agreement_id: str, old: list[str], new: list[str]
) -> None:
    """The agreement's fields or partner changed (or it appeared, or went): move its
    consultations' counts to its new scopes."""
    if old == new:
        return
    change: dict[agg.Stored, int] = {}
    consultations = session.exec(
        select(ReadConsultation).where(col(ReadConsultation.agreement_id) == agreement_id)
    )
    for c in consultations:
        for key, n in agg.delta(consultation_stored(c, old), consultation_stored(c, new)).items():
            change[key] = change.get(key, 0) + n
    add_counts(session, {k: v for k, v in change.items() if v})


# --- the handlers, one per kind of event (projection/__init__.py maps event types to them) ---


def apply_snapshot(
    session: Session, calendar: ConferenceCalendar, event: Event, payload: AgreementSnapshotV1
) -> None:
    """Drafted, updated, submitted or imported: the agreement as it now stands."""
    existing = session.get(ReadAgreement, payload.agreement_id)
    if existing is not None and existing.version > payload.version:
        return  # a newer version is already here

    def mutate(a: ReadAgreement) -> None:
        fill_agreement(a, payload)
        if isinstance(payload, AgreementSubmittedV1):
            a.submitted_at = payload.submitted_at
        if isinstance(payload, AgreementImportedV1):
            a.imported = True

    change_agreement(session, calendar, event, payload.agreement_id, mutate, create=True)


def apply_deleted(
    session: Session, calendar: ConferenceCalendar, event: Event, payload: AgreementDeletedV1
) -> None:
    row = session.get(ReadAgreement, payload.agreement_id)
    if row is None or row.state_at > (event.time or utcnow()):
        return
    add_counts(session, agg.delta(agreement_stored(row), []))
    rescope_consultations(session, row.id, agreement_scopes(row), [agg.ALL])
    rescope_duties(session, row.id, agreement_scopes(row), [agg.ALL])
    session.delete(row)


def set_status(
    status: str,
) -> Callable[[Session, ConferenceCalendar, Event, AboutAnAgreement], None]:
    """A handler for a step whose only mark on the read model is the agreement's status."""

    def handler(
        session: Session, calendar: ConferenceCalendar, event: Event, payload: AboutAnAgreement
    ) -> None:
        change_agreement(
            session, calendar, event, payload.agreement_id, lambda a: setattr(a, "status", status)
        )

    return handler


def apply_signed(
    session: Session, calendar: ConferenceCalendar, event: Event, payload: AgreementSignedV1
) -> None:
    def mutate(a: ReadAgreement) -> None:
        a.status = "SIGNED"
        a.signed_on = payload.signed_on
        a.effective_from = payload.effective_from
        a.expires_on = payload.expires_on
        a.copy_due_on = payload.copy_due_on

    change_agreement(session, calendar, event, payload.agreement_id, mutate)


def apply_copy_delivered(
    session: Session,
    calendar: ConferenceCalendar,
    event: Event,
    payload: AgreementCopyDeliveredV1,
) -> None:
    if payload.duty != Duty.COPY.value:
        return  # a notice of termination: not a signed copy

    def mutate(a: ReadAgreement) -> None:
        a.copy_delivered_at = payload.delivered_at
        a.copy_on_time = payload.on_time
        if a.copy_due_on is None:
            a.copy_due_on = payload.due_on

    change_agreement(session, calendar, event, payload.agreement_id, mutate)


def apply_in_force(
    session: Session, calendar: ConferenceCalendar, event: Event, payload: AgreementInForceV1
) -> None:
    def mutate(a: ReadAgreement) -> None:
        a.status = "IN_FORCE"
        a.effective_from = payload.effective_from or a.effective_from
        a.expires_on = payload.expires_on

    change_agreement(session, calendar, event, payload.agreement_id, mutate)


def apply_amended(
    session: Session, calendar: ConferenceCalendar, event: Event, payload: AgreementAmendedV1
) -> None:
    # An extension or amendment signed on a linked case: the agreement may now end later.
    change_agreement(
        session,
        calendar,
        event,
        payload.agreement_id,
        lambda a: setattr(a, "expires_on", payload.expires_on),
    )


def apply_terminated(
    session: Session, calendar: ConferenceCalendar, event: Event, payload: AgreementTerminatedV1
) -> None:
    def mutate(a: ReadAgreement) -> None:
        a.status = payload.status

    change_agreement(session, calendar, event, payload.agreement_id, mutate)
    # The case that decided it is the termination (withdrawal, suspension) in effect: the
    # agreements service records the same status on both.
    if payload.case_id and session.get(ReadAgreement, payload.case_id) is not None:
        change_agreement(session, calendar, event, payload.case_id, mutate)


def apply_resumed(
    session: Session, calendar: ConferenceCalendar, event: Event, payload: AgreementResumedV1
) -> None:
    """A suspension ended by the decider's resumption: the agreement is in force again, and
    the resumption case shows it took effect (as the agreements service records both)."""

    def mutate(a: ReadAgreement) -> None:
        a.status = "IN_FORCE"

    change_agreement(session, calendar, event, payload.agreement_id, mutate)
    if session.get(ReadAgreement, payload.case_id) is not None:
        change_agreement(session, calendar, event, payload.case_id, mutate)
