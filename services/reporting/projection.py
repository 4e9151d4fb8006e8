"""Applies agreement events to the read model and keeps the per-cycle counts in step, in one
transaction with the processed event id; also re-counts everything from the read model."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import bindparam, delete, text, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from common.db import Database, utcnow
from common.events.envelope import Event
from common.law.calendar import TZ
from common.law.vocabulary import Duty
from services.reporting.domain import aggregation as agg
from services.reporting.domain.cycles import ConferenceCalendar
from services.reporting.models import (
    CycleCount,
    ProcessedEvent,
    ReadAgreement,
    ReadConsultation,
    ReportMeta,
    table_of,
)

log = logging.getLogger(__name__)

# Any constant shared by the writers of this database: PostgreSQL serialises them on it.
_WRITER_LOCK_KEY: Final = 5_000_001
CALENDAR_META: Final = "conferences"


class UnknownAgreement(LookupError):
    """A step event for an agreement this read model never saw (its earlier events were lost):
    the consumer dead-letters it, and a rebuild restores the agreement."""


def serialize_writers(session: Session) -> None:
    """One writer at a time: the consumer, a rebuild and a re-count touch the same counts.
    SQLite already has a single writer (Database.write_session); PostgreSQL takes an advisory
    lock held until the transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _WRITER_LOCK_KEY})


def local_date(moment: datetime | None) -> date | None:
    return None if moment is None else moment.astimezone(TZ).date()


def agreement_facts(a: ReadAgreement) -> agg.AgreementFacts:
    return agg.AgreementFacts(
        case_kind=a.case_kind,
        status=a.status,
        province=a.province,
        historical_unit=a.historical_unit,
        partner_country=a.partner_country,
        partner_type=a.partner_type,
        form=a.form,
        signatory_level=a.signatory_level,
        fields=tuple(a.fields),
        occasion=a.occasion,
        signed_cycle=a.signed_cycle,
        pipeline_cycle=a.pipeline_cycle,
        copy_due=a.copy_due_on is not None,
        copy_on_time=a.copy_on_time if a.copy_delivered_at is not None else None,
    )


def consultation_facts(c: ReadConsultation) -> agg.ConsultationFacts:
    return agg.ConsultationFacts(
        cycle=c.cycle,
        province=c.province,
        body=c.body,
        answered=c.answered_at is not None,
        on_time=c.on_time,
        working_days_taken=c.working_days_taken,
    )


def agreement_cycles(
    calendar: ConferenceCalendar,
    case_kind: str,
    signed_on: date | None,
    submitted_at: datetime | None,
    created_at: datetime | None,
) -> tuple[int | None, int | None]:
    """The cycle an agreement is signed in (conclusions only), and the cycle its case was
    opened in (submitted, or for a record that never was: signed, or else created), in
    Vietnam's calendar days."""
    concluded = signed_on is not None and case_kind == "CONCLUSION"
    signed_cycle = calendar.number_of(signed_on) if concluded and signed_on else None
    opened = local_date(submitted_at) or signed_on or local_date(created_at)
    return signed_cycle, calendar.number_of(opened) if opened else None


def consultation_cycle(calendar: ConferenceCalendar, requested_at: datetime | None) -> int | None:
    requested = local_date(requested_at)
    return calendar.number_of(requested) if requested else None


def derive_cycles(a: ReadAgreement, calendar: ConferenceCalendar) -> None:
    a.signed_cycle, a.pipeline_cycle = agreement_cycles(
        calendar, a.case_kind, a.signed_on, a.submitted_at, a.created_at
    )


def derive_consultation_cycle(c: ReadConsultation, calendar: ConferenceCalendar) -> None:
    c.cycle = consultation_cycle(calendar, c.requested_at)


def agreement_stored(a: ReadAgreement) -> list[agg.Stored]:
    return agg.scoped(
        agg.agreement_contributions(agreement_facts(a)), agg.scopes(a.fields, a.partner_country)
    )


def agreement_scopes(a: ReadAgreement | None) -> list[str]:
    """A consultation is counted in its agreement's scopes; [ALL] while that is unknown."""
    return [agg.ALL] if a is None else agg.scopes(a.fields, a.partner_country)


def consultation_stored(c: ReadConsultation, scope_list: list[str]) -> list[agg.Stored]:
    return agg.scoped(agg.consultation_contributions(consultation_facts(c)), scope_list)


def add_counts(session: Session, change: dict[agg.Stored, int]) -> None:
    """Add to the stored counts with one upsert per row, in key order so that two writers
    never wait on each other in opposite orders."""
    if not change:
        return
    rows = [
        {"cycle": c, "scope": s, "province": p, "dimension": d, "key": k, "n": n}
        for (c, s, p, d, k), n in sorted(change.items())
    ]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = table_of(CycleCount)
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["cycle", "scope", "province", "dimension", "key"],
        set_={"n": table.c.n + stmt.excluded.n},
    )
    # On the session's connection, in its transaction, but past the ORM's bulk-insert path,
    # which costs more than the upsert itself.
    session.connection().execute(stmt, rows)


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _moment(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


# Snapshot fields (AgreementSnapshotV1) -> read model columns.
def _from_snapshot(a: ReadAgreement, data: dict[str, Any]) -> None:
    party = data["foreign_party"]
    fields = [str(f) for f in data.get("fields", [])]
    a.version = int(data["version"])
    a.case_kind = data.get("case_kind") or "CONCLUSION"
    a.parent_id = data.get("parent_id")
    a.status = data["status"]
    a.province = data["province"]
    a.historical_unit = data.get("historical_unit")
    a.title = data.get("title", "")[:500]
    a.form = data["form"]
    a.signatory_level = data["signatory_level"]
    a.partner_name = party["name"][:300]
    a.partner_country = party["country"].upper()
    a.partner_type = party["type"]
    a.fields = fields
    a.fields_index = "|" + "|".join(fields) + "|"
    a.occasion = (data.get("occasion") or "").strip() or None
    a.reference = data.get("reference")
    a.created_at = _moment(data["created_at"]) or a.created_at
    a.signed_on = _date(data.get("signed_on"))
    a.effective_from = _date(data.get("effective_from"))
    a.expires_on = _date(data.get("expires_on"))


class Projection:
    """The read side of `agreements.events`. `apply` is the consumer's handler; it commits."""

    def __init__(self, db: Database, calendar: ConferenceCalendar) -> None:
        self.db = db
        self.calendar = calendar
        self._handlers: dict[str, Callable[[Session, Event], None]] = {
            "agreement.drafted": self._snapshot,
            "agreement.updated": self._snapshot,
            "agreement.submitted": self._snapshot,
            "agreement.imported": self._snapshot,
            "agreement.deleted": self._deleted,
            "consultation.requested": self._consultation,
            "consultation.answered": self._consultation,
            "agreement.returned": self._status("RETURNED"),
            # The signed text was not the approved one: back to consultation.
            "agreement.text_changed": self._status("IN_CONSULTATION"),
            "pm_opinion.requested": self._status("AWAITING_PM_OPINION"),
            "decision.requested": self._status("AWAITING_DECISION"),
            "agreement.approved": self._status("APPROVED"),
            "agreement.rejected": self._status("REJECTED"),
            "agreement.signed": self._signed,
            "agreement.copy_delivered": self._copy_delivered,
            "agreement.in_force": self._in_force,
            "agreement.expired": self._status("EXPIRED"),
            "agreement.amended": self._amended,
            "agreement.terminated": self._terminated,
        }

    def apply(self, event: Event) -> bool:
        """Apply one event; False when its id was already processed (nothing changes)."""
        with self.db.write_session() as session:
            serialize_writers(session)
            if session.get(ProcessedEvent, event.id) is not None:
                return False
            handler = self._handlers.get(event.name)
            if handler is not None:
                handler(session, event)
            session.add(
                ProcessedEvent(event_id=event.id, event_type=event.name, processed_at=utcnow())
            )
            session.commit()
            return True

    # --- agreements ------------------------------------------------------------------------

    def _change(
        self,
        session: Session,
        event: Event,
        mutate: Callable[[ReadAgreement], None],
        *,
        create: bool = False,
        agreement_id: str | None = None,
    ) -> None:
        """Change one agreement (the event's, unless another is named) and move its counts
        from what it counted before to what it counts after. An event older than what the row
        already reflects changes nothing."""
        agreement_id = agreement_id or str(event.data["agreement_id"])
        at = event.time or utcnow()
        row = session.get(ReadAgreement, agreement_id)
        old_scopes = agreement_scopes(row)
        if row is None:
            if not create:
                raise UnknownAgreement(f"{event.name} for unknown agreement {agreement_id}")
            # Placeholders only: a snapshot (the one event that may create) fills every field.
            row = ReadAgreement(
                id=agreement_id,
                status="DRAFT",
                province="",
                form="",
                signatory_level="",
                partner_country="",
                partner_type="",
                state_at=at,
            )
            before: list[agg.Stored] = []
        else:
            if row.state_at > at:
                log.info("ignored %s %s: the read model is newer", event.name, event.id)
                return
            before = agreement_stored(row)
        mutate(row)
        derive_cycles(row, self.calendar)
        row.state_at = at
        session.add(row)
        add_counts(session, agg.delta(before, agreement_stored(row)))
        self._rescope_consultations(session, agreement_id, old_scopes, agreement_scopes(row))

    def _rescope_consultations(
        self, session: Session, agreement_id: str, old: list[str], new: list[str]
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
            for key, n in agg.delta(
                consultation_stored(c, old), consultation_stored(c, new)
            ).items():
                change[key] = change.get(key, 0) + n
        add_counts(session, {k: v for k, v in change.items() if v})

    def _snapshot(self, session: Session, event: Event) -> None:
        data = event.data
        existing = session.get(ReadAgreement, str(data["agreement_id"]))
        if existing is not None and existing.version > int(data["version"]):
            return  # a newer version is already here

        def mutate(a: ReadAgreement) -> None:
            _from_snapshot(a, data)
            if event.name == "agreement.submitted":
                a.submitted_at = _moment(data.get("submitted_at"))
            if event.name == "agreement.imported":
                a.imported = True

        self._change(session, event, mutate, create=True)

    def _deleted(self, session: Session, event: Event) -> None:
        row = session.get(ReadAgreement, str(event.data["agreement_id"]))
        if row is None or row.state_at > (event.time or utcnow()):
            return
        add_counts(session, agg.delta(agreement_stored(row), []))
        self._rescope_consultations(session, row.id, agreement_scopes(row), [agg.ALL])
        session.delete(row)

    def _status(self, status: str) -> Callable[[Session, Event], None]:
        def handler(session: Session, event: Event) -> None:
            self._change(session, event, lambda a: setattr(a, "status", status))

        return handler

    def _signed(self, session: Session, event: Event) -> None:
        data = event.data

        def mutate(a: ReadAgreement) -> None:
            a.status = "SIGNED"
            a.signed_on = _date(data["signed_on"])
            a.effective_from = _date(data.get("effective_from"))
            a.expires_on = _date(data.get("expires_on"))
            a.copy_due_on = _date(data.get("copy_due_on"))

        self._change(session, event, mutate)

    def _copy_delivered(self, session: Session, event: Event) -> None:
        data = event.data
        if data.get("duty", Duty.COPY.value) != Duty.COPY.value:
            return  # a notice of termination: not a signed copy

        def mutate(a: ReadAgreement) -> None:
            a.copy_delivered_at = _moment(data["delivered_at"])
            a.copy_on_time = bool(data["on_time"])
            if a.copy_due_on is None:
                a.copy_due_on = _date(data.get("due_on"))

        self._change(session, event, mutate)

    def _in_force(self, session: Session, event: Event) -> None:
        data = event.data

        def mutate(a: ReadAgreement) -> None:
            a.status = "IN_FORCE"
            a.effective_from = _date(data.get("effective_from")) or a.effective_from
            a.expires_on = _date(data.get("expires_on"))

        self._change(session, event, mutate)

    def _amended(self, session: Session, event: Event) -> None:
        # An extension or amendment signed on a linked case: the agreement may now end later.
        expires_on = _date(event.data.get("expires_on"))
        self._change(session, event, lambda a: setattr(a, "expires_on", expires_on))

    def _terminated(self, session: Session, event: Event) -> None:
        status = str(event.data["status"])
        self._change(session, event, lambda a: setattr(a, "status", status))
        # The case that decided it is the termination (withdrawal, suspension) in effect: the
        # agreements service records the same status on both.
        case_id = event.data.get("case_id")
        if case_id and session.get(ReadAgreement, str(case_id)) is not None:
            self._change(
                session, event, lambda a: setattr(a, "status", status), agreement_id=str(case_id)
            )

    # --- consultations ---------------------------------------------------------------------

    def _consultation(self, session: Session, event: Event) -> None:
        data = event.data
        at = event.time or utcnow()
        task_id = str(data["task_id"])
        row = session.get(ReadConsultation, task_id)
        if row is not None and row.state_at > at:
            return
        scope_list = agreement_scopes(session.get(ReadAgreement, str(data["agreement_id"])))
        before = [] if row is None else consultation_stored(row, scope_list)
        if row is None:
            row = ReadConsultation(
                task_id=task_id,
                agreement_id=str(data["agreement_id"]),
                province=str(data["province"]),
                body=str(data["body"]),
                requested_at=_moment(data["requested_at"]) or at,
                state_at=at,
            )
        row.body = str(data["body"])
        row.round = int(data.get("round", row.round))
        row.requested_at = _moment(data.get("requested_at")) or row.requested_at
        row.due_at = _moment(data.get("due_at")) or row.due_at
        if event.name == "consultation.requested":
            # A new round asks again: the earlier answer no longer stands.
            row.answered_at, row.on_time, row.working_days_taken, row.outcome = (
                None,
                None,
                None,
                None,
            )
        else:
            row.answered_at = _moment(data["answered_at"])
            row.on_time = bool(data["on_time"])
            row.working_days_taken = int(data["working_days_taken"])
            row.outcome = str(data["outcome"])
        derive_consultation_cycle(row, self.calendar)
        row.state_at = at
        session.add(row)
        add_counts(session, agg.delta(before, consultation_stored(row, scope_list)))
        if event.name == "consultation.requested":
            agreement = session.get(ReadAgreement, row.agreement_id)
            if agreement is not None and agreement.status in ("SUBMITTED", "RETURNED"):
                self._change(session, event, lambda a: setattr(a, "status", "IN_CONSULTATION"))


# --- re-counting ---------------------------------------------------------------------------


def recount(session: Session, calendar: ConferenceCalendar, batch: int = 20_000) -> int:
    """Derive every row's cycles again and rebuild the counts from the read model (after a
    rebuild, or when a conference date changed). Runs in the caller's transaction; reads only
    the columns the counts need, so a million rows take seconds, not minutes."""
    serialize_writers(session)
    session.execute(delete(CycleCount))
    totals: dict[agg.Stored, int] = {}
    count = 0
    a = table_of(ReadAgreement)
    last: str | None = None
    while True:
        stmt = sa_select(
            a.c.id,
            a.c.case_kind,
            a.c.status,
            a.c.province,
            a.c.historical_unit,
            a.c.partner_country,
            a.c.partner_type,
            a.c.form,
            a.c.signatory_level,
            a.c.fields,
            a.c.occasion,
            a.c.signed_on,
            a.c.submitted_at,
            a.c.created_at,
            a.c.copy_due_on,
            a.c.copy_delivered_at,
            a.c.copy_on_time,
            a.c.signed_cycle,
            a.c.pipeline_cycle,
        ).order_by(a.c.id)
        if last is not None:
            stmt = stmt.where(a.c.id > last)
        rows = session.execute(stmt.limit(batch)).all()
        if not rows:
            break
        updates = []
        for r in rows:
            signed_cycle, pipeline_cycle = agreement_cycles(
                calendar, r.case_kind, r.signed_on, r.submitted_at, r.created_at
            )
            if (signed_cycle, pipeline_cycle) != (r.signed_cycle, r.pipeline_cycle):
                updates.append({"b_id": r.id, "b_signed": signed_cycle, "b_pipe": pipeline_cycle})
            facts = agg.AgreementFacts(
                case_kind=r.case_kind,
                status=r.status,
                province=r.province,
                historical_unit=r.historical_unit,
                partner_country=r.partner_country,
                partner_type=r.partner_type,
                form=r.form,
                signatory_level=r.signatory_level,
                fields=tuple(r.fields or ()),
                occasion=r.occasion,
                signed_cycle=signed_cycle,
                pipeline_cycle=pipeline_cycle,
                copy_due=r.copy_due_on is not None,
                copy_on_time=r.copy_on_time if r.copy_delivered_at is not None else None,
            )
            stored = agg.scoped(
                agg.agreement_contributions(facts), agg.scopes(r.fields, r.partner_country)
            )
            for c in stored:
                totals[c] = totals.get(c, 0) + 1
        if updates:
            session.execute(
                update(a)
                .where(a.c.id == bindparam("b_id"))
                .values(signed_cycle=bindparam("b_signed"), pipeline_cycle=bindparam("b_pipe")),
                updates,
            )
        count += len(rows)
        last = rows[-1].id

    t = table_of(ReadConsultation)
    last = None
    while True:
        cstmt = (
            sa_select(
                t.c.task_id,
                t.c.province,
                t.c.body,
                t.c.requested_at,
                t.c.answered_at,
                t.c.on_time,
                t.c.working_days_taken,
                t.c.cycle,
                a.c.id.label("agreement_known"),
                a.c.fields,
                a.c.partner_country,
            )
            .select_from(t.outerjoin(a, a.c.id == t.c.agreement_id))
            .order_by(t.c.task_id)
        )
        if last is not None:
            cstmt = cstmt.where(t.c.task_id > last)
        crows = session.execute(cstmt.limit(batch)).all()
        if not crows:
            break
        changed = []
        for r in crows:
            cycle = consultation_cycle(calendar, r.requested_at)
            if cycle != r.cycle:
                changed.append({"b_id": r.task_id, "b_cycle": cycle})
            answered = r.answered_at is not None
            facts_c = agg.ConsultationFacts(
                cycle, r.province, r.body, answered, r.on_time, r.working_days_taken
            )
            scope_list = agg.scopes(r.fields, r.partner_country) if r.agreement_known else [agg.ALL]
            for c in agg.scoped(agg.consultation_contributions(facts_c), scope_list):
                totals[c] = totals.get(c, 0) + 1
        if changed:
            session.execute(
                update(t)
                .where(t.c.task_id == bindparam("b_id"))
                .values(cycle=bindparam("b_cycle")),
                changed,
            )
        count += len(crows)
        last = crows[-1].task_id
    _bulk_counts(session, totals)
    set_meta(session, CALENDAR_META, calendar.fingerprint())
    return count


def _bulk_counts(session: Session, totals: dict[agg.Stored, int]) -> None:
    rows = [
        {"cycle": c, "scope": s, "province": p, "dimension": d, "key": k, "n": n}
        for (c, s, p, d, k), n in sorted(totals.items())
    ]
    for start in range(0, len(rows), 5000):
        session.execute(table_of(CycleCount).insert(), rows[start : start + 5000])


def get_meta(session: Session, name: str) -> str | None:
    row = session.get(ReportMeta, name)
    return None if row is None else row.value


def set_meta(session: Session, name: str, value: str) -> None:
    row = session.get(ReportMeta, name) or ReportMeta(name=name)
    row.value = value
    session.add(row)


def ensure_calendar(db: Database, calendar: ConferenceCalendar) -> bool:
    """Re-count when the conference dates differ from those the counts were made with;
    True when it did."""
    with db.session() as session:
        if get_meta(session, CALENDAR_META) == calendar.fingerprint():
            return False
    with db.write_session() as session:
        serialize_writers(session)
        if get_meta(session, CALENDAR_META) == calendar.fingerprint():
            return False
        rows = recount(session, calendar)
        session.commit()
    log.info("re-counted %d records for conferences %s", rows, calendar.fingerprint())
    return True


def processed_ids(session: Session, ids: Iterable[str]) -> set[str]:
    wanted = list(ids)
    if not wanted:
        return set()
    return set(
        session.exec(
            select(ProcessedEvent.event_id).where(col(ProcessedEvent.event_id).in_(wanted))
        )
    )
