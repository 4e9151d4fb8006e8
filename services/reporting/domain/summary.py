"""The summary of one conference cycle, assembled from counts: every figure with the previous
cycle's value and the change, every breakdown labelled in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from common.bodies import BODIES, CENTRAL
from common.fields import Field
from common.law.cycles import Cycle
from common.provinces import CURRENT_UNITS, OLD_UNITS
from services.reporting.domain import aggregation as agg
from services.reporting.domain import labels as L
from services.reporting.domain.regions import region_of

Number = int | float | None


@dataclass(frozen=True)
class DatedFigures:
    """Figures that depend on today's date, counted over a cycle's signed agreements."""

    in_force: int = 0
    expiring_within_180_days: int = 0
    expired: int = 0
    copies_not_yet_due: int = 0
    # duty -> not delivered, due day not passed (the duties due in the cycle)
    duties_not_yet_due: Mapping[str, int] = field(default_factory=dict)
    # consulted body -> consultations requested in the cycle, past their deadline, unanswered
    consultations_overdue: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CycleCounts:
    """Everything measured for one cycle under the report's filters."""

    counts: agg.Counts
    dated: DatedFigures


def figure(value: Number, previous: Number, *, share: bool = False) -> dict[str, Number]:
    """A value with the previous cycle's value and the change (None where not comparable)."""
    if share:
        value = None if value is None else round(float(value), 4)
        previous = None if previous is None else round(float(previous), 4)
    change: Number = None
    if value is not None and previous is not None:
        change = round(value - previous, 4) if share else value - previous
    return {"value": value, "previous": previous, "change": change}


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _by_dim(counts: agg.Counts | None, dim: str) -> dict[str, int]:
    if counts is None:
        return {}
    return {key: n for (d, key), n in counts.items() if d == dim and n}


def _items(
    dim: str,
    current: dict[str, int],
    previous: dict[str, int] | None,
    lang: str,
    keys: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """One row per key: the fixed vocabulary in its own order when given, otherwise every key
    seen in either cycle, most agreements first."""
    prev = previous or {}
    if keys is None:
        seen = set(current) | set(prev)
        ordered = sorted(seen, key=lambda k: (-current.get(k, 0), -prev.get(k, 0), k))
    else:
        ordered = list(keys)
        ordered += sorted(k for k in set(current) | set(prev) if k not in set(ordered))
    return [
        {
            "key": k,
            "label": L.label(dim, k, lang),
            **figure(current.get(k, 0), None if previous is None else prev.get(k, 0)),
        }
        for k in ordered
    ]


def _regions(countries: dict[str, int], level: str) -> dict[str, int]:
    """Countries summed by world region; international organisations stay a group of their
    own, in no region."""
    out: dict[str, int] = {}
    for code, n in countries.items():
        if code == agg.INTERNATIONAL_GROUP:
            key = code
        else:
            region = region_of(code)
            key = region.region if level == "region" else region.sub_region
        out[key] = out.get(key, 0) + n
    return out


def _countries_only(keys: Iterable[str]) -> set[str]:
    """Partner countries, without the group of international organisations."""
    return {k for k in keys if k != agg.INTERNATIONAL_GROUP}


def _sla(current: CycleCounts, previous: CycleCounts | None, lang: str) -> list[dict[str, Any]]:
    """Per consulted body: the on-time share counts every consultation that fell due (answered
    on time ÷ answered or past its deadline), so one never answered counts as missed; the
    median counts the answered ones; the overdue open ones are shown as a count."""

    def per_body(c: CycleCounts | None) -> dict[str, dict[str, Any]]:
        bodies: dict[str, dict[str, Any]] = {}
        if c is None:
            return bodies
        for (dim, key), n in c.counts.items():
            if not n:
                continue
            if dim in (agg.SLA_REQUESTED, agg.SLA_ANSWERED, agg.SLA_ON_TIME):
                entry = bodies.setdefault(key, {"days": {}})
                entry[dim] = entry.get(dim, 0) + n
            elif dim == agg.SLA_DAYS:
                body, _, days = key.rpartition("|")
                entry = bodies.setdefault(body, {"days": {}})
                entry["days"][int(days)] = entry["days"].get(int(days), 0) + n
        for body, n in c.dated.consultations_overdue.items():
            bodies.setdefault(body, {"days": {}})["overdue"] = n
        return bodies

    now, before = per_body(current), per_body(previous)
    catalogue = list(BODIES)
    central = [b for b in catalogue if BODIES[b].level == CENTRAL]
    rank = {b: i for i, b in enumerate(central + sorted(set(catalogue) - set(central)))}

    def stats(e: dict[str, Any] | None) -> dict[str, Number]:
        if e is None:
            return dict.fromkeys(L.SLA)
        answered = e.get(agg.SLA_ANSWERED, 0)
        on_time = e.get(agg.SLA_ON_TIME, 0)
        overdue = e.get("overdue", 0)
        return {
            "requested": e.get(agg.SLA_REQUESTED, 0),
            "answered": answered,
            "answered_on_time": on_time,
            "overdue_open": overdue,
            "fell_due": answered + overdue,
            "on_time_share": _ratio(on_time, answered + overdue),
            "median_working_days": agg.median_from_histogram(e["days"]),
        }

    rows = []
    for body in sorted(set(now) | set(before), key=lambda b: (rank.get(b, len(rank)), b)):
        a = stats(now.get(body, {"days": {}}))
        b = stats(before.get(body, {"days": {}}) if previous is not None else None)
        rows.append(
            {
                "key": body,
                "label": L.body_label(body, lang),
                **{name: figure(a[name], b[name], share=name == "on_time_share") for name in L.SLA},
            }
        )
    return rows


def _compliance(current: CycleCounts, previous: CycleCounts | None) -> dict[str, dict[str, Number]]:
    def parts(c: CycleCounts | None) -> dict[str, Number]:
        if c is None:
            return dict.fromkeys(L.COMPLIANCE)
        copies = _by_dim(c.counts, agg.COPY)
        due, on_time, late = copies.get("due", 0), copies.get("on_time", 0), copies.get("late", 0)
        pending = c.dated.copies_not_yet_due
        overdue = max(0, due - on_time - late - pending)
        return {
            "copies_due": due,
            "delivered_on_time": on_time,
            "delivered_late": late,
            "overdue_not_delivered": overdue,
            "not_yet_due": pending,
            "on_time_share": _ratio(on_time, on_time + late + overdue),
        }

    a, b = parts(current), parts(previous)
    return {name: figure(a[name], b[name], share=name == "on_time_share") for name in L.COMPLIANCE}


def _duty_parts(c: CycleCounts | None, duty: str) -> dict[str, Number]:
    """One duty's figures in one cycle: due (by due date in the cycle), delivered on time or
    late, overdue (due day passed, not delivered), not yet due, and the on-time share of
    those whose day has come."""
    if c is None:
        return dict.fromkeys(L.DUTY_FIGURES)
    counts = _by_dim(c.counts, agg.DUTY)
    due = counts.get(agg.duty_key(duty, "due"), 0)
    on_time = counts.get(agg.duty_key(duty, "on_time"), 0)
    late = counts.get(agg.duty_key(duty, "late"), 0)
    pending = c.dated.duties_not_yet_due.get(duty, 0)
    overdue = max(0, due - on_time - late - pending)
    return {
        "due": due,
        "delivered_on_time": on_time,
        "delivered_late": late,
        "overdue_not_delivered": overdue,
        "not_yet_due": pending,
        "on_time_share": _ratio(on_time, on_time + late + overdue),
    }


def _duties(current: CycleCounts, previous: CycleCounts | None, lang: str) -> list[dict[str, Any]]:
    """One row per duty (copy, notice, report, plan), each figure beside the previous
    cycle's."""
    rows = []
    for duty in L.DUTIES:
        now, before = _duty_parts(current, duty), _duty_parts(previous, duty)
        rows.append(
            {
                "key": duty,
                "label": L.label("duty", duty, lang),
                **{
                    name: figure(now[name], before[name], share=name == "on_time_share")
                    for name in L.DUTY_FIGURES
                },
            }
        )
    return rows


def _cycle_info(cycle: Cycle | None) -> dict[str, Any] | None:
    if cycle is None:
        return None
    return {
        "number": cycle.number,
        "start_after": cycle.start_after.isoformat(),
        "end": cycle.end.isoformat(),
        "conference_on": cycle.conference_on.isoformat() if cycle.conference_on else None,
        "open": cycle.is_open,
    }


def build_summary(
    *,
    cycle: Cycle,
    previous_cycle: Cycle | None,
    current: CycleCounts,
    previous: CycleCounts | None,
    countries_before_previous: set[str] | None,
    filters: dict[str, str | None],
    as_of: date,
    lang: str,
) -> dict[str, Any]:
    """The JSON summary of `cycle` (see GET /v1/cycles/{n}/summary)."""
    cur, prev = current.counts, previous.counts if previous else None

    def dim(name: str) -> tuple[dict[str, int], dict[str, int] | None]:
        return _by_dim(cur, name), (None if prev is None else _by_dim(prev, name))

    countries, countries_prev = dim(agg.COUNTRY)
    partners = _countries_only(countries)
    partners_prev = None if countries_prev is None else _countries_only(countries_prev)
    new_now = sorted(partners - (partners_prev or set())) if prev is not None else []
    new_before: list[str] | None = None
    if partners_prev is not None and countries_before_previous is not None:
        new_before = sorted(partners_prev - _countries_only(countries_before_previous))

    statuses_now, statuses_prev = dim(agg.STATUS_NOW)

    def status_now(status: str) -> dict[str, Number]:
        return figure(
            statuses_now.get(status, 0),
            None if statuses_prev is None else statuses_prev.get(status, 0),
        )

    def dated(name: str) -> dict[str, Number]:
        return figure(
            getattr(current.dated, name),
            None if previous is None else getattr(previous.dated, name),
        )

    signed, signed_prev = dim(agg.SIGNED)
    headline = {
        "agreements_signed": figure(
            signed.get("", 0), None if signed_prev is None else signed_prev.get("", 0)
        ),
        "in_force": dated("in_force"),
        "expiring_within_180_days": dated("expiring_within_180_days"),
        "expired": dated("expired"),
        "terminated": status_now("TERMINATED"),
        "suspended": status_now("SUSPENDED"),
        "withdrawn": status_now("WITHDRAWN"),
        "partner_countries": figure(
            len(partners), None if partners_prev is None else len(partners_prev)
        ),
        "new_partner_countries": figure(
            len(new_now) if prev is not None else None,
            len(new_before) if new_before is not None else None,
        ),
    }
    labelled = {
        name: {"label": L.pick(L.HEADLINES[name], lang), **value}
        for name, value in headline.items()
    }
    compliance = {
        name: {**value, "label": L.pick(L.COMPLIANCE[name], lang)}
        for name, value in _compliance(current, previous).items()
    }

    def items(
        name: str, keys: Iterable[str] | None = None, label_dim: str | None = None
    ) -> list[dict[str, Any]]:
        now, before = dim(name)
        return _items(label_dim or name, now, before, lang, keys)

    historical = items(agg.HISTORICAL_UNIT, list(OLD_UNITS))
    return {
        "cycle": _cycle_info(cycle),
        "previous_cycle": _cycle_info(previous_cycle),
        "filters": filters,
        "as_of": as_of.isoformat(),
        "language": lang,
        "headline": labelled,
        "by_province": items(agg.CURRENT_UNIT, list(CURRENT_UNITS)),
        "by_historical_unit": [
            row
            for row in historical
            if row["key"] != agg.UNATTRIBUTED or row["value"] or row["previous"]
        ],
        "by_country": _items("country", countries, countries_prev, lang),
        "by_region": _items(
            "region",
            _regions(countries, "region"),
            None if countries_prev is None else _regions(countries_prev, "region"),
            lang,
        ),
        "by_sub_region": _items(
            "sub_region",
            _regions(countries, "sub_region"),
            None if countries_prev is None else _regions(countries_prev, "sub_region"),
            lang,
        ),
        "by_partner_type": items(agg.PARTNER_TYPE, list(L.PARTNER_TYPES)),
        "by_field": items(agg.FIELD, [f.value for f in Field]),
        "by_form": items(agg.FORM, list(L.FORMS)),
        "by_signatory_level": items(agg.SIGNATORY_LEVEL, list(L.SIGNATORY_LEVELS)),
        "by_occasion": items(agg.OCCASION),
        "new_partner_countries": [
            {"key": c, "label": L.label("country", c, lang), "value": countries[c]} for c in new_now
        ],
        "pipeline_by_status": items(agg.PIPELINE, list(L.STATUSES), label_dim="status"),
        "consultation_sla": _sla(current, previous, lang),
        "post_signing_compliance": compliance,
        "post_signing_duties": _duties(current, previous, lang),
    }


# The breakdowns every export writes, in order: (summary key, label dimension).
BREAKDOWNS: tuple[tuple[str, str], ...] = (
    ("by_province", "province"),
    ("by_historical_unit", "historical_unit"),
    ("by_country", "country"),
    ("by_region", "region"),
    ("by_sub_region", "sub_region"),
    ("by_partner_type", "partner_type"),
    ("by_field", "field"),
    ("by_form", "form"),
    ("by_signatory_level", "signatory_level"),
    ("by_occasion", "occasion"),
    ("pipeline_by_status", "status"),
)
