"""The per-cycle counts kept beside the read model: the cycles a row belongs to, what it counts
towards, adding a change to the stored counts, re-counting everything, and the one-writer lock
the consumer, a rebuild and a re-count share."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Final

from sqlalchemy import bindparam, delete, text, tuple_, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from common.db import Database
from common.law.calendar import TZ
from common.law.cycles import ConferenceCalendar
from services.reporting.domain import aggregation as agg
from services.reporting.models import (
    CycleCount,
    ReadAgreement,
    ReadConsultation,
    ReadDuty,
    ReportMeta,
    table_of,
)

log = logging.getLogger(__name__)

# Any constant shared by the writers of this database: PostgreSQL serialises them on it.
_WRITER_LOCK_KEY: Final = 5_000_001
CALENDAR_META: Final = "conferences"


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


def duty_facts(d: ReadDuty) -> agg.DutyFacts:
    return agg.DutyFacts(
        cycle=d.cycle,
        province=d.province,
        duty=d.duty,
        delivered=d.delivered_at is not None,
        on_time=d.on_time,
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


def derive_duty_cycle(d: ReadDuty, calendar: ConferenceCalendar) -> None:
    """The cycle of the due date: the open cycle takes in duties due after its last day so
    far, as those not yet due."""
    d.cycle = calendar.number_of(d.due_on)


def agreement_stored(a: ReadAgreement) -> list[agg.Stored]:
    return agg.scoped(
        agg.agreement_contributions(agreement_facts(a)), agg.scopes(a.fields, a.partner_country)
    )


def agreement_scopes(a: ReadAgreement | None) -> list[str]:
    """A consultation is counted in its agreement's scopes; [ALL] while that is unknown."""
    return [agg.ALL] if a is None else agg.scopes(a.fields, a.partner_country)


def consultation_stored(c: ReadConsultation, scope_list: list[str]) -> list[agg.Stored]:
    return agg.scoped(agg.consultation_contributions(consultation_facts(c)), scope_list)


def duty_stored(d: ReadDuty, scope_list: list[str]) -> list[agg.Stored]:
    """A duty is counted in the scopes of the agreement (or case) that owes it."""
    return agg.scoped(agg.duty_contributions(duty_facts(d)), scope_list)


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
    count += _recount_duties(session, calendar, totals, batch)
    _bulk_counts(session, totals)
    set_meta(session, CALENDAR_META, calendar.fingerprint())
    return count


def _recount_duties(
    session: Session, calendar: ConferenceCalendar, totals: dict[agg.Stored, int], batch: int
) -> int:
    """recount's part for the duties: their cycles derived again, their contributions added
    to `totals`."""
    a, d = table_of(ReadAgreement), table_of(ReadDuty)
    keys = (d.c.agreement_id, d.c.duty, d.c.due_on)
    count = 0
    last: tuple[str, str, date] | None = None
    while True:
        stmt = (
            sa_select(
                *keys,
                d.c.province,
                d.c.delivered_at,
                d.c.on_time,
                d.c.cycle,
                a.c.id.label("agreement_known"),
                a.c.fields,
                a.c.partner_country,
            )
            .select_from(d.outerjoin(a, a.c.id == d.c.agreement_id))
            .order_by(*keys)
        )
        if last is not None:
            stmt = stmt.where(tuple_(*keys) > tuple_(*last))
        rows = session.execute(stmt.limit(batch)).all()
        if not rows:
            return count
        changed = []
        for r in rows:
            cycle = calendar.number_of(r.due_on)
            if cycle != r.cycle:
                changed.append(
                    {"b_id": r.agreement_id, "b_duty": r.duty, "b_due": r.due_on, "b_cycle": cycle}
                )
            facts = agg.DutyFacts(cycle, r.province, r.duty, r.delivered_at is not None, r.on_time)
            scope_list = agg.scopes(r.fields, r.partner_country) if r.agreement_known else [agg.ALL]
            for c in agg.scoped(agg.duty_contributions(facts), scope_list):
                totals[c] = totals.get(c, 0) + 1
        if changed:
            session.execute(
                update(d)
                .where(
                    d.c.agreement_id == bindparam("b_id"),
                    d.c.duty == bindparam("b_duty"),
                    d.c.due_on == bindparam("b_due"),
                )
                .values(cycle=bindparam("b_cycle")),
                changed,
            )
        count += len(rows)
        last = (rows[-1].agreement_id, rows[-1].duty, rows[-1].due_on)


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
