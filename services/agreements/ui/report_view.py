"""What the report pages show of the reporting service's answers: numbers written as people
there write them (1.000 and 87,5% in Vietnamese; 1,000 and 87.5% in English), the sections of
a cycle's report in the page's order, and the filters read from the address. Pure: it shapes
what the service returned and adds no figure of its own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

from babel.numbers import format_decimal, format_percent

from common.fields import Field
from common.law.cycles import cycle_heading
from common.provinces import CURRENT_UNITS
from services.agreements.reports.client import ReportFilters
from services.agreements.ui import i18n

DASH: Final = "—"
FILTERS: Final = ("province", "field", "country")
_LIMITS: Final = {"province": 64, "field": 64, "country": 100}

# (summary key, table id, heading key): the breakdowns, label | this cycle | previous | change.
BREAKDOWNS: Final = (
    ("by_province", "by-province", "reports.by_province"),
    ("by_historical_unit", "by-former", "reports.by_former"),
    ("by_country", "by-country", "reports.by_country"),
    ("by_region", "by-region", "reports.by_region"),
    ("by_partner_type", "by-partner-type", "reports.by_partner_type"),
    ("by_field", "by-field", "reports.by_field"),
    ("by_occasion", "by-occasion", "reports.by_occasion"),
)
# Headline figures other than the count itself, in the summary's order.
OTHER_HEADLINES: Final = (
    "in_force",
    "expiring_within_180_days",
    "expired",
    "terminated",
    "suspended",
    "withdrawn",
    "partner_countries",
    "new_partner_countries",
)


def number(value: Any, lang: str) -> str:
    if value is None:
        return DASH
    return str(format_decimal(value, locale=lang))


def share(value: Any, lang: str) -> str:
    if value is None:
        return DASH
    return str(format_percent(value, "#,##0.0%", locale=lang))


def change(value: Any, lang: str) -> str:
    """+12, −3 or 0 (a dash where the previous cycle is unknown)."""
    if value is None:
        return DASH
    text = number(abs(value), lang)
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else text


def filters_of(query: Mapping[str, str]) -> ReportFilters:
    """The filters in the page's address; blank ones left out. The reporting service checks
    what they name and answers 422 when a filter names nothing."""
    values = {name: (query.get(name) or "").strip()[: _LIMITS[name]] for name in FILTERS}
    return ReportFilters(**{name: value or None for name, value in values.items()})


def query_of(filters: ReportFilters) -> str:
    """The filters again as an address's query (for the charts, downloads and other cycles)."""
    params = filters.params()
    return "?" + urlencode(params) if params else ""


@dataclass(frozen=True)
class CycleLine:
    number: int
    heading: str
    period: str
    is_open: bool
    signed: int


def cycle_lines(found: Mapping[str, Any], lang: str) -> list[CycleLine]:
    """GET /v1/cycles' answer as the list page's rows, the newest cycle first."""
    lines = []
    for c in found.get("data") or []:
        lines.append(
            CycleLine(
                number=int(c["number"]),
                heading=cycle_heading(int(c["number"]), lang),
                period=period(c, lang),
                is_open=bool(c["open"]),
                signed=int(c["agreements_signed"]),
            )
        )
    return sorted(lines, key=lambda line: -line.number)


def period(cycle: Mapping[str, Any], lang: str) -> str:
    return i18n.text(
        "reports.period_value",
        lang,
        start=i18n.local(cycle["start_after"], lang),
        end=i18n.local(cycle["end"], lang),
    )


def province_choices(lang: str) -> list[tuple[str, str]]:
    return [(code, i18n.province_name(code, lang)) for code in CURRENT_UNITS]


def field_choices(lang: str) -> list[tuple[str, str]]:
    return [(f.value, i18n.field_label(f.value, lang)) for f in Field]


def filters_text(summary: Mapping[str, Any], scoped: bool, lang: str) -> str:
    """The filters the figures were counted with, by name ("" when none); a person limited
    to their province is told so separately."""
    applied = summary.get("filters") or {}
    parts = []
    if applied.get("province") and not scoped:
        parts.append(i18n.province_name(applied["province"], lang))
    if applied.get("field"):
        parts.append(i18n.field_label(applied["field"], lang))
    if applied.get("country"):
        parts.append(i18n.country(applied["country"], lang))
    return "; ".join(parts)
