"""What one agreement or one consultation counts towards, as pure functions.

Every figure of a cycle summary that does not depend on today's date is a sum of these
contributions: the consumer adds and subtracts them as events change a record (the stored
per-cycle counts), and a filtered report sums them over the matching records. One definition
serves both, so the two cannot drift apart.

A contribution is (cycle, province, dimension, key): one unit towards `key` of `dimension` in
that cycle, for that current province. The stored counts keep each contribution once for every
scope the record falls in (all records; its fields; its partner country), so a report filtered
by one field or one country is read from the stored counts too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, TypeVar

from common.law.vocabulary import CaseKind, PartnerType
from common.provinces import CURRENT_UNITS, OLD_UNITS, successor

# Dimensions of the stored counts.
SIGNED: Final = "signed"  # key "": agreements signed in the cycle
CURRENT_UNIT: Final = "province"  # key: current unit code (34)
HISTORICAL_UNIT: Final = "historical_unit"  # key: former unit code (63), "" when not attributable
COUNTRY: Final = "country"  # key: ISO alpha-2, or INTERNATIONAL_GROUP
PARTNER_TYPE: Final = "partner_type"
FIELD: Final = "field"
FORM: Final = "form"
OCCASION: Final = "occasion"
SIGNATORY_LEVEL: Final = "signatory_level"
STATUS_NOW: Final = "status_now"  # current status of the agreements signed in the cycle
PIPELINE: Final = "pipeline"  # status of the cases opened in the cycle (any stage)
COPY: Final = "copy"  # keys "due", "on_time", "late": the 15-day copy duty of signed agreements
SLA_REQUESTED: Final = "sla_requested"  # key: consulted body
SLA_ANSWERED: Final = "sla_answered"
SLA_ON_TIME: Final = "sla_on_time"
SLA_DAYS: Final = "sla_days"  # key: "<body>|<working days taken>", a histogram for the median
# key: "<duty>|due", "<duty>|on_time", "<duty>|late", in the cycle of the duty's due date
DUTY: Final = "duty"

UNATTRIBUTED: Final = ""
# Agreements with an international organisation, which belongs to no country: one group of
# their own beside the countries (and beside the world regions).
INTERNATIONAL_GROUP: Final = PartnerType.INTERNATIONAL_ORGANISATION.value

Contribution = tuple[int, str, str, str]
# (cycle, scope, province, dimension, key): a contribution as stored.
Stored = tuple[int, str, str, str, str]

ALL: Final = ""  # the scope of every record


def field_scope(field: str) -> str:
    return f"field:{field}"


def country_scope(country: str) -> str:
    return f"country:{country}"


def scopes(fields: Iterable[str] | None, country: str | None) -> list[str]:
    """The scopes an agreement's contributions are stored under."""
    out = [ALL, *(field_scope(f) for f in dict.fromkeys(fields or ()))]
    if country:
        out.append(country_scope(country))
    return out


def scoped(contributions: Iterable[Contribution], scope_list: Iterable[str]) -> list[Stored]:
    listed = list(contributions)
    return [(c, s, p, d, k) for s in scope_list for (c, p, d, k) in listed]


@dataclass(frozen=True)
class AgreementFacts:
    """What the counts need to know about one agreement of the read model."""

    case_kind: str
    status: str
    province: str  # current unit code
    historical_unit: str | None
    partner_country: str
    partner_type: str
    form: str
    signatory_level: str
    fields: tuple[str, ...]
    occasion: str | None
    signed_cycle: int | None  # cycle of the signing date; None while unsigned
    pipeline_cycle: int | None  # cycle of submission (or signing, or creation)
    copy_due: bool  # a signed copy is owed (the workflow set a due date)
    copy_on_time: bool | None  # None while not delivered


@dataclass(frozen=True)
class DutyFacts:
    """What the counts need to know about one duty of the read model."""

    cycle: int | None  # cycle of the due date
    province: str
    duty: str
    delivered: bool
    on_time: bool | None


@dataclass(frozen=True)
class ConsultationFacts:
    cycle: int | None  # cycle of the request date
    province: str
    body: str
    answered: bool
    on_time: bool | None
    working_days_taken: int | None


def _single_predecessors() -> dict[str, str]:
    """Current units that took over exactly one former unit -> that unit's code."""
    predecessors: dict[str, list[str]] = {}
    for old in OLD_UNITS.values():
        unit = successor(old.code)
        assert unit is not None
        predecessors.setdefault(unit.code, []).append(old.code)
    return {new: olds[0] for new, olds in predecessors.items() if len(olds) == 1}


_SINGLE_PREDECESSOR: Final = _single_predecessors()


def reporting_unit(historical_unit: str | None, province: str) -> str:
    """The former unit (of the 63) an agreement is reported under.

    The unit named at signing when the record has it (imports, former names); otherwise the
    current unit's only predecessor when it took over exactly one; otherwise it cannot be
    told which of the merged units signed, and it is reported as not attributable.
    """
    if historical_unit and historical_unit in OLD_UNITS:
        return historical_unit
    return _SINGLE_PREDECESSOR.get(province, UNATTRIBUTED)


def partner_group(country: str, partner_type: str) -> str:
    """The key an agreement counts under by partner country: the country, or the group of
    international organisations for one of them (even where a register named a country) and
    for a partner without a country."""
    if partner_type == INTERNATIONAL_GROUP or not country:
        return INTERNATIONAL_GROUP
    return country


def agreement_contributions(a: AgreementFacts) -> list[Contribution]:
    """Only conclusions count: a change case (amendment ... suspension) is not a new
    agreement, and its effect shows on the agreement it changes."""
    if a.case_kind != CaseKind.CONCLUSION.value:
        return []
    out: list[Contribution] = []
    if a.pipeline_cycle is not None:
        out.append((a.pipeline_cycle, a.province, PIPELINE, a.status))
    c = a.signed_cycle
    if c is None:
        return out
    p = a.province
    out += [
        (c, p, SIGNED, ""),
        (c, p, CURRENT_UNIT, p),
        (c, p, HISTORICAL_UNIT, reporting_unit(a.historical_unit, p)),
        (c, p, COUNTRY, partner_group(a.partner_country, a.partner_type)),
        (c, p, PARTNER_TYPE, a.partner_type),
        (c, p, FORM, a.form),
        (c, p, SIGNATORY_LEVEL, a.signatory_level),
        (c, p, STATUS_NOW, a.status),
    ]
    out += [(c, p, FIELD, f) for f in dict.fromkeys(a.fields)]
    if a.occasion:
        out.append((c, p, OCCASION, a.occasion))
    if a.copy_due:
        out.append((c, p, COPY, "due"))
        if a.copy_on_time is not None:
            out.append((c, p, COPY, "on_time" if a.copy_on_time else "late"))
    return out


def consultation_contributions(c: ConsultationFacts) -> list[Contribution]:
    if c.cycle is None:
        return []
    n, p, body = c.cycle, c.province, c.body
    out = [(n, p, SLA_REQUESTED, body)]
    if c.answered:
        out.append((n, p, SLA_ANSWERED, body))
        if c.on_time:
            out.append((n, p, SLA_ON_TIME, body))
        if c.working_days_taken is not None:
            out.append((n, p, SLA_DAYS, f"{body}|{c.working_days_taken}"))
    return out


def duty_key(duty: str, part: str) -> str:
    """ "COPY|due": the key of a duty's count (part is "due", "on_time" or "late")."""
    return f"{duty}|{part}"


def duty_contributions(d: DutyFacts) -> list[Contribution]:
    """A duty counts in the cycle its due date falls in, whatever the case that owes it (a
    notice is owed by a termination case, a copy by an amendment too)."""
    if d.cycle is None:
        return []
    out = [(d.cycle, d.province, DUTY, duty_key(d.duty, "due"))]
    if d.delivered:
        out.append(
            (d.cycle, d.province, DUTY, duty_key(d.duty, "on_time" if d.on_time else "late"))
        )
    return out


K = TypeVar("K")


def delta(before: Iterable[K], after: Iterable[K]) -> dict[K, int]:
    """What to add to the stored counts when a record changes from `before` to `after`."""
    change: Counter[K] = Counter(after)
    change.subtract(Counter(before))
    return {k: v for k, v in change.items() if v}


# Counts of one cycle, summed over the provinces asked for: (dimension, key) -> number.
Counts = Mapping[tuple[str, str], int]


def median_from_histogram(histogram: Mapping[int, int]) -> float | None:
    """Median of values given as value -> how many times it occurs; None when empty."""
    total = sum(n for n in histogram.values() if n > 0)
    if total == 0:
        return None
    ordered = sorted((v, n) for v, n in histogram.items() if n > 0)

    def nth(index: int) -> int:  # 0-based
        seen = 0
        for value, n in ordered:
            seen += n
            if index < seen:
                return value
        raise IndexError(index)

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def known_units() -> tuple[list[str], list[str]]:
    """Codes of the 34 current and the 63 former units, in the reference data's order."""
    return list(CURRENT_UNITS), list(OLD_UNITS)
