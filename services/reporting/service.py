"""Use cases of the reports: the counts of a cycle (stored, or summed from the read model under
filters), the figures that depend on today's date, the summary, the trend across cycles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from common.db import utcnow
from common.law.cycles import ConferenceCalendar, Cycle
from services.reporting.domain import aggregation as agg
from services.reporting.domain.summary import CycleCounts, DatedFigures, build_summary
from services.reporting.models import CycleCount, ReadAgreement, ReadConsultation, ReadDuty

# Signed and not ended: in force once started and until the expiry date has passed.
ACTIVE_STATUSES = ("SIGNED", "IN_FORCE")
EXPIRY_WARNING_DAYS = 180


@dataclass(frozen=True)
class ReportFilter:
    """Filters of a report; `province` is also how a province's own view is enforced."""

    province: str | None = None
    field: str | None = None
    country: str | None = None

    @property
    def scope(self) -> str | None:
        """The scope of the stored counts that answers these filters; None for a field and a
        country together, which are summed from the read model instead."""
        if self.field and self.country:
            return None
        if self.field:
            return agg.field_scope(self.field)
        if self.country:
            return agg.country_scope(self.country)
        return agg.ALL

    @property
    def uses_stored_counts(self) -> bool:
        return self.scope is not None

    def as_dict(self) -> dict[str, str | None]:
        return {"province": self.province, "field": self.field, "country": self.country}


def _agreement_filters(f: ReportFilter) -> list[ColumnElement[bool]]:
    return _filters(f, conclusions=True)


def _filters(f: ReportFilter, *, conclusions: bool) -> list[ColumnElement[bool]]:
    """The report's filters as conditions; `conclusions=False` where the signing cycle
    already implies a conclusion (so the condition stays inside the indexes)."""
    out: list[ColumnElement[bool]] = []
    if conclusions:
        out.append(col(ReadAgreement.case_kind) == "CONCLUSION")
    if f.province:
        out.append(col(ReadAgreement.province) == f.province)
    if f.country:
        out.append(col(ReadAgreement.partner_country) == f.country)
    if f.field:
        out.append(col(ReadAgreement.fields_index).contains(f"|{f.field}|"))
    return out


CountsByCycle = dict[int, dict[tuple[str, str], int]]


def cycle_counts(session: Session, cycles: Sequence[int], f: ReportFilter) -> CountsByCycle:
    """(dimension, key) -> number, per cycle, under the filters."""
    out: CountsByCycle = {c: {} for c in cycles}
    if f.uses_stored_counts:
        stmt = select(
            col(CycleCount.cycle),
            col(CycleCount.dimension),
            col(CycleCount.key),
            func.sum(col(CycleCount.n)),
        ).where(col(CycleCount.cycle).in_(list(cycles)), col(CycleCount.scope) == f.scope)
        if f.province:
            stmt = stmt.where(col(CycleCount.province) == f.province)
        stmt = stmt.group_by(col(CycleCount.cycle), col(CycleCount.dimension), col(CycleCount.key))
        for cycle, dimension, key, n in session.execute(stmt):
            if n:
                out[cycle][(dimension, key)] = int(n)
        return out
    return _summed_counts(session, cycles, f)


_FACT_COLUMNS = (
    col(ReadAgreement.case_kind),
    col(ReadAgreement.status),
    col(ReadAgreement.province),
    col(ReadAgreement.historical_unit),
    col(ReadAgreement.partner_country),
    col(ReadAgreement.partner_type),
    col(ReadAgreement.form),
    col(ReadAgreement.signatory_level),
    col(ReadAgreement.fields),
    col(ReadAgreement.occasion),
    col(ReadAgreement.signed_cycle),
    col(ReadAgreement.pipeline_cycle),
    col(ReadAgreement.copy_due_on),
    col(ReadAgreement.copy_delivered_at),
    col(ReadAgreement.copy_on_time),
)


def _summed_counts(session: Session, cycles: Sequence[int], f: ReportFilter) -> CountsByCycle:
    """The same counts as the stored ones, summed from the matching records with the same
    contribution rules (domain/aggregation.py)."""
    wanted = set(cycles)
    out: CountsByCycle = {c: {} for c in cycles}

    def add(contributions: list[agg.Contribution]) -> None:
        for cycle, _province, dimension, key in contributions:
            if cycle in wanted:
                bucket = out[cycle]
                bucket[(dimension, key)] = bucket.get((dimension, key), 0) + 1

    in_cycles = or_(
        col(ReadAgreement.signed_cycle).in_(list(cycles)),
        col(ReadAgreement.pipeline_cycle).in_(list(cycles)),
    )
    stmt = select(*_FACT_COLUMNS).where(in_cycles, *_agreement_filters(f))
    for row in session.execute(stmt):
        (kind, status, province, hist, country, ptype, form, level, fields, occasion) = row[:10]
        signed_cycle, pipeline_cycle, copy_due_on, delivered_at, on_time = row[10:]
        facts = agg.AgreementFacts(
            case_kind=kind,
            status=status,
            province=province,
            historical_unit=hist,
            partner_country=country,
            partner_type=ptype,
            form=form,
            signatory_level=level,
            fields=tuple(fields or ()),
            occasion=occasion,
            signed_cycle=signed_cycle,
            pipeline_cycle=pipeline_cycle,
            copy_due=copy_due_on is not None,
            copy_on_time=on_time if delivered_at is not None else None,
        )
        add(agg.agreement_contributions(facts))

    consultations = (
        select(
            col(ReadConsultation.cycle),
            col(ReadConsultation.province),
            col(ReadConsultation.body),
            col(ReadConsultation.answered_at),
            col(ReadConsultation.on_time),
            col(ReadConsultation.working_days_taken),
        )
        .join(ReadAgreement, col(ReadAgreement.id) == col(ReadConsultation.agreement_id))
        .where(col(ReadConsultation.cycle).in_(list(cycles)), *_agreement_filters(f))
    )
    for cycle, province, body, answered_at, on_time, days in session.execute(consultations):
        add(
            agg.consultation_contributions(
                agg.ConsultationFacts(cycle, province, body, answered_at is not None, on_time, days)
            )
        )
    duties = _duty_query(
        f,
        col(ReadDuty.cycle),
        col(ReadDuty.province),
        col(ReadDuty.duty),
        col(ReadDuty.delivered_at),
        col(ReadDuty.on_time),
    ).where(col(ReadDuty.cycle).in_(list(cycles)))
    for cycle, province, duty, delivered_at, on_time in session.execute(duties):
        add(
            agg.duty_contributions(
                agg.DutyFacts(cycle, province, duty, delivered_at is not None, on_time)
            )
        )
    return out


def _duty_query(f: ReportFilter, *columns: Any) -> Any:
    """Duties under the report's filters: the province that owes them, the field and partner
    of the agreement (or case) that owes them, as their stored counts are scoped."""
    stmt = select(*columns)
    if f.province:
        stmt = stmt.where(col(ReadDuty.province) == f.province)
    if f.field or f.country:
        stmt = stmt.join(ReadAgreement, col(ReadAgreement.id) == col(ReadDuty.agreement_id))
        if f.country:
            stmt = stmt.where(col(ReadAgreement.partner_country) == f.country)
        if f.field:
            stmt = stmt.where(col(ReadAgreement.fields_index).contains(f"|{f.field}|"))
    return stmt


def duties_not_yet_due(
    session: Session, cycles: Sequence[int], f: ReportFilter, today: date
) -> dict[int, dict[str, int]]:
    """Duties not delivered whose due day has not passed, per cycle and duty: those within
    their period, a small range of the pending index whatever the size of the history. The
    field and partner filters are then checked on the few agreements owing them (a join
    lets a planner start from every agreement with that partner instead)."""
    d = ReadDuty
    stmt = select(col(d.agreement_id), col(d.cycle), col(d.duty)).where(
        col(d.due_on) >= today, col(d.delivered_at).is_(None)
    )
    if f.province:
        stmt = stmt.where(col(d.province) == f.province)
    wanted = set(cycles)
    pending = [row for row in session.execute(stmt) if row.cycle in wanted]
    if pending and (f.field or f.country):
        owners = sorted({row.agreement_id for row in pending})
        matching: set[str] = set()
        a = ReadAgreement
        for start in range(0, len(owners), 1000):
            # By primary key only: given the partner too, a planner may read every agreement
            # with that partner instead.
            query = select(col(a.id), col(a.partner_country), col(a.fields_index)).where(
                col(a.id).in_(owners[start : start + 1000])
            )
            matching.update(
                agreement_id
                for agreement_id, country, fields in session.execute(query)
                if (not f.country or country == f.country)
                and (not f.field or f"|{f.field}|" in fields)
            )
        pending = [row for row in pending if row.agreement_id in matching]
    out: dict[int, dict[str, int]] = {c: {} for c in cycles}
    for row in pending:
        out[row.cycle][row.duty] = out[row.cycle].get(row.duty, 0) + 1
    return out


# A consultation whose dossier went back to the province or was withdrawn has its clock
# stopped: not answering it is no missed deadline.
STOPPED_CLOCK_STATUSES = ("RETURNED", "WITHDRAWN")


def consultations_overdue(
    session: Session, cycles: Sequence[int], f: ReportFilter, now: datetime
) -> dict[int, dict[str, int]]:
    """Consultations requested in each cycle, past their deadline and not answered, per
    consulted body: the open ones through the index on (answered_at, due_at), whatever the
    size of the history."""
    c, a = ReadConsultation, ReadAgreement
    stmt = (
        select(col(c.cycle), col(c.body))
        .join(a, col(a.id) == col(c.agreement_id))
        .where(
            col(c.answered_at).is_(None),
            col(c.due_at) < now,
            col(a.status).not_in(STOPPED_CLOCK_STATUSES),
        )
    )
    if f.province:
        stmt = stmt.where(col(c.province) == f.province)
    if f.country:
        stmt = stmt.where(col(a.partner_country) == f.country)
    if f.field:
        stmt = stmt.where(col(a.fields_index).contains(f"|{f.field}|"))
    out: dict[int, dict[str, int]] = {n: {} for n in cycles}
    for cycle, body in session.execute(stmt):
        if cycle in out:
            out[cycle][body] = out[cycle].get(body, 0) + 1
    return out


def dated_figures(
    session: Session, cycles: Sequence[int], f: ReportFilter, today: date, counts: CountsByCycle
) -> dict[int, DatedFigures]:
    """In force, expiring and expired as of `today`, and copies and duties not yet due, per
    cycle.

    An agreement in force is an active one (signed, or in force) that has started and has not
    passed its expiry date. So: the active ones (from the counts), less those past their
    expiry date, less those not yet started; the last two, like those expiring soon, are
    small ranges of the expiry and start indexes, whatever the size of the history.
    """
    a = ReadAgreement
    active = col(a.status).in_(ACTIVE_STATUSES)
    base = [col(a.signed_cycle).in_(list(cycles)), active, *_filters(f, conclusions=False)]
    started = or_(col(a.effective_from).is_(None), col(a.effective_from) <= today)

    def per_cycle(*conditions: Any) -> dict[int, int]:
        stmt = (
            select(col(a.signed_cycle), func.count())
            .where(*base, *conditions)
            .group_by(col(a.signed_cycle))
        )
        return {int(c): int(n) for c, n in session.execute(stmt)}

    past_expiry = per_cycle(col(a.expires_on) < today)
    not_started = per_cycle(
        col(a.effective_from) > today,
        or_(col(a.expires_on).is_(None), col(a.expires_on) >= today),
    )
    expiring = per_cycle(
        col(a.expires_on) >= today,
        col(a.expires_on) <= today + timedelta(days=EXPIRY_WARNING_DAYS),
        started,
    )
    # Copies still within their 15 days: a few rows, found through the due-date index and
    # counted here (a GROUP BY or a condition on the cycle makes SQLite scan a cycle index).
    pending_stmt = select(col(a.signed_cycle)).where(
        col(a.copy_due_on) >= today,
        col(a.copy_delivered_at).is_(None),
        *_filters(f, conclusions=False),
    )
    pending: dict[int, int] = {}
    for (cycle,) in session.execute(pending_stmt):
        if cycle in cycles:
            pending[cycle] = pending.get(cycle, 0) + 1
    duties_pending = duties_not_yet_due(session, cycles, f, today)
    # Past a deadline means past its moment; today's figures are as of now.
    overdue = consultations_overdue(session, cycles, f, utcnow())
    out: dict[int, DatedFigures] = {}
    for cycle in cycles:
        status_now = counts.get(cycle, {})
        n_active = sum(status_now.get((agg.STATUS_NOW, s), 0) for s in ACTIVE_STATUSES)
        expired_by_date = past_expiry.get(cycle, 0)
        out[cycle] = DatedFigures(
            in_force=n_active - expired_by_date - not_started.get(cycle, 0),
            expiring_within_180_days=expiring.get(cycle, 0),
            expired=status_now.get((agg.STATUS_NOW, "EXPIRED"), 0) + expired_by_date,
            copies_not_yet_due=pending.get(cycle, 0),
            duties_not_yet_due=duties_pending[cycle],
            consultations_overdue=overdue[cycle],
        )
    return out


def countries_of(session: Session, cycle: int, f: ReportFilter) -> set[str]:
    """The keys an agreement signed in `cycle` counts under by country (the partners'
    countries, and the group of international organisations if any)."""
    if f.uses_stored_counts:
        stmt = select(col(CycleCount.key)).where(
            col(CycleCount.cycle) == cycle,
            col(CycleCount.scope) == f.scope,
            col(CycleCount.dimension) == agg.COUNTRY,
            col(CycleCount.n) > 0,
        )
        if f.province:
            stmt = stmt.where(col(CycleCount.province) == f.province)
        return set(session.scalars(stmt.distinct()))
    stmt2 = select(col(ReadAgreement.partner_country), col(ReadAgreement.partner_type)).where(
        col(ReadAgreement.signed_cycle) == cycle, *_agreement_filters(f)
    )
    return {agg.partner_group(c, t) for c, t in session.execute(stmt2.distinct())}


def cycle_summary(
    session: Session,
    *,
    calendar: ConferenceCalendar,
    number: int,
    filters: ReportFilter,
    today: date,
    lang: str,
) -> dict[str, Any] | None:
    """The summary of cycle `number`; None when there is no such cycle."""
    cycle = calendar.cycle(number, today)
    if cycle is None:
        return None
    previous = calendar.cycle(number - 1, today)
    wanted = [number] + ([number - 1] if previous else [])
    counts = cycle_counts(session, wanted, filters)
    dated = dated_figures(session, wanted, filters, today, counts)
    before_previous: set[str] | None = None
    if previous is not None and calendar.cycle(number - 2, today) is not None:
        before_previous = countries_of(session, number - 2, filters)
    return build_summary(
        cycle=cycle,
        previous_cycle=previous,
        current=CycleCounts(counts[number], dated[number]),
        previous=CycleCounts(counts[number - 1], dated[number - 1]) if previous else None,
        countries_before_previous=before_previous,
        filters=filters.as_dict(),
        as_of=today,
        lang=lang,
    )


def signed_per_cycle(
    session: Session, *, calendar: ConferenceCalendar, filters: ReportFilter, today: date
) -> list[tuple[Cycle, int]]:
    """Agreements signed in every cycle, oldest first (the trend)."""
    cycles = calendar.cycles(today)
    numbers = [c.number for c in cycles]
    stmt: Any
    if filters.uses_stored_counts:
        stmt = (
            select(col(CycleCount.cycle), func.sum(col(CycleCount.n)))
            .where(col(CycleCount.scope) == filters.scope, col(CycleCount.dimension) == agg.SIGNED)
            .group_by(col(CycleCount.cycle))
        )
        if filters.province:
            stmt = stmt.where(col(CycleCount.province) == filters.province)
    else:
        stmt = (
            select(col(ReadAgreement.signed_cycle), func.count())
            .where(col(ReadAgreement.signed_cycle).in_(numbers), *_agreement_filters(filters))
            .group_by(col(ReadAgreement.signed_cycle))
        )
    found = {int(c): int(n or 0) for c, n in session.execute(stmt) if c is not None}
    return [(c, found.get(c.number, 0)) for c in cycles]
