"""One register row checked against every rule and read into the service's vocabulary,
remembering how each cell was understood so a preview can show it."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, Final

from common.countries import resolve_country
from common.law.drafting import forbidden_name_in
from common.law.vocabulary import (
    AgreementForm,
    AgreementStatus,
    PartnerType,
    SignatoryLevel,
)
from common.provinces import CURRENT_UNITS, resolve_unit
from common.text import fold
from services.agreements.importer import vocabulary
from services.agreements.importer.table import OPTIONAL, RowError

# 63 provincial units until 30 June 2025, 34 from 1 July 2025 (domain.md §3).
MERGER_DATE: Final = date(2025, 7, 1)

# Interpreted columns: what a preview lists as "this cell was read as that".
INTERPRETED: Final = ("province", "country", "form", "signatory_level", "partner_type", "status")


@dataclass(frozen=True)
class ImportRow:
    """A row that passed every check, in the agreements service's own vocabulary."""

    row: int
    reference: str
    title: str
    form: AgreementForm
    signatory_level: SignatoryLevel
    province: str  # current unit code
    historical_unit: str | None  # former unit named, for records signed before the merger
    partner_name: str
    partner_country: str  # "" for an international organisation
    partner_type: PartnerType
    fields: tuple[str, ...]
    signed_on: date
    effective_from: date
    expires_on: date | None
    status: AgreementStatus
    occasion: str | None

    @cached_property
    def digest(self) -> str:
        """The row's content, whatever its place in the file: equal digests are the same
        record written twice."""
        content = (
            self.reference,
            self.title,
            self.form.value,
            self.signatory_level.value,
            self.province,
            self.historical_unit or "",
            self.partner_name,
            self.partner_country,
            self.partner_type.value,
            ";".join(self.fields),
            self.signed_on.isoformat(),
            self.effective_from.isoformat(),
            self.expires_on.isoformat() if self.expires_on else "",
            self.status.value,
            self.occasion or "",
        )
        return hashlib.sha256("\x1f".join(content).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Reading:
    """How one cell was understood: `code` in the service's vocabulary (for a province,
    "former>current", the former part empty when the text named a current unit only)."""

    column: str
    text: str
    code: str


_NUMERIC_DATE: Final = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$")


def parse_date(text: str) -> date | None:
    """YYYY-MM-DD (also with / or .), or DD/MM/YYYY (also with - or .), as registers write
    them; a time after the date (an export's "2019-05-12 00:00:00") is ignored."""
    text = text.strip().split(" ")[0].split("T")[0]
    match = _NUMERIC_DATE.match(text)
    if match is None:
        return None
    a, b, c = match.groups()
    try:
        if len(a) == 4:
            return date(int(a), int(b), int(c))
        if len(c) == 4:
            return date(int(c), int(b), int(a))
    except ValueError:
        return None
    return None


class _Row:
    """Checks of one row, collecting every broken rule rather than stopping at the first."""

    def __init__(self, number: int, values: dict[str, str]) -> None:
        self.number = number
        self.values = values
        self.errors: list[RowError] = []
        self.readings: list[Reading] = []

    def fail(self, column: str, rule: str, **params: Any) -> None:
        self.errors.append(RowError(self.number, column, rule, params))

    def read(self, column: str, text: str, code: str) -> None:
        self.readings.append(Reading(column, text, code))

    def text(self, column: str, *, max_len: int, min_len: int = 1) -> str:
        value = (self.values.get(column) or "").strip()
        if not value:
            if column not in OPTIONAL:
                self.fail(column, "required")
            return ""
        if len(value) > max_len:
            self.fail(column, "too_long", max=max_len)
        elif len(value) < min_len:
            self.fail(column, "too_short", min=min_len)
        return value

    def choice(self, column: str, codes: dict[str, str]) -> str | None:
        value = self.text(column, max_len=200)
        if not value:
            return None
        code = codes.get(fold(value.replace("_", " "))) or codes.get(fold(value))
        if code is None:
            self.fail(column, "unknown_value", value=value[:60], allowed=vocabulary.allowed(codes))
        else:
            self.read(column, value, code)
        return code

    def day(self, column: str) -> date | None:
        value = self.text(column, max_len=30)
        if not value:
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.fail(column, "date", value=value[:30])
        return parsed


def _province(r: _Row, signed_on: date | None, own: str | None) -> tuple[str | None, str | None]:
    """(current unit, former unit as named at signing)."""
    text = r.text("province", max_len=100)
    if not text:
        return None, None
    resolved = resolve_unit(text)
    if resolved is None:
        r.fail("province", "unknown_province", value=text[:60])
        return None, None
    old, current = resolved
    if own is not None and current.code != own:
        r.fail("province", "other_province", own=own, value=current.code)
    # The unit as named at signing: one of the 63 before the merger; after it, only a name no
    # current unit carries still says which former unit it was.
    former = None
    if old is not None and (
        (signed_on is not None and signed_on < MERGER_DATE) or old.code not in CURRENT_UNITS
    ):
        former = old.code
    r.read("province", text, f"{former or ''}>{current.code}")
    return current.code, former


def _country(r: _Row, partner_type: str | None) -> str | None:
    # An international organisation belongs to no country: the cell may stay empty.
    stateless = partner_type == PartnerType.INTERNATIONAL_ORGANISATION
    if stateless and not (r.values.get("country") or "").strip():
        return ""
    text = r.text("country", max_len=100)
    if not text:
        return None
    country = resolve_country(text)
    if country is None:
        r.fail("country", "unknown_country", value=text[:60])
    elif country == "VN":
        r.fail("country", "partner_not_foreign")
    else:
        r.read("country", text, country)
    return country


def _fields(r: _Row) -> list[str]:
    fields: list[str] = []
    fields_text = r.text("fields", max_len=600)
    for part in (p.strip() for p in re.split(r"[;\n]", fields_text)):
        if not part:
            continue
        code = vocabulary.FIELDS.get(fold(part.replace("_", " "))) or vocabulary.FIELDS.get(
            fold(part)
        )
        if code is None:
            allowed = vocabulary.allowed(vocabulary.FIELDS)
            r.fail("fields", "unknown_field", value=part[:60], allowed=allowed)
        else:
            r.read("fields", part, code)
            if code not in fields:
                fields.append(code)
    if fields_text and not fields and not r.errors:
        r.fail("fields", "required")
    return fields


def check_row(
    number: int, values: dict[str, str], *, today: date, own_province: str | None
) -> tuple[ImportRow | None, list[RowError], list[Reading]]:
    """The row in the service's vocabulary, or every rule it breaks; and how its cells were
    read. `own_province` limits a province officer to their own rows."""
    r = _Row(number, values)
    reference = r.text("reference", max_len=100)
    title = r.text("title", max_len=500, min_len=3)
    if title and (name := forbidden_name_in(title, as_title=True)) is not None:
        r.fail("title", "forbidden_treaty_name", name=name)
    form_text = (values.get("form") or "").strip()
    form = r.choice("form", vocabulary.FORMS)
    if form is None and form_text:
        treaty = forbidden_name_in(form_text, as_title=False)
        if treaty is not None:  # name the real problem rather than "unknown value"
            r.errors[-1] = RowError(number, "form", "forbidden_treaty_name", {"name": treaty})
    level = r.choice("signatory_level", vocabulary.LEVELS)
    partner_type = r.choice("partner_type", vocabulary.PARTNER_TYPES)
    status = r.choice("status", vocabulary.STATUSES)
    partner_name = r.text("foreign_party_name", max_len=300)
    occasion = r.text("occasion", max_len=300) or None
    signed_on = r.day("signed_on")
    province, former = _province(r, signed_on, own_province)
    country = _country(r, partner_type)
    fields = _fields(r)

    if signed_on is not None and signed_on > today:
        r.fail("signed_on", "signed_in_future", value=signed_on.isoformat())
    effective_from = r.day("effective_from")
    expires_on = r.day("expires_on")
    start = effective_from or signed_on
    if expires_on is not None and start is not None and expires_on <= start:
        r.fail(
            "expires_on",
            "expires_before_start",
            value=expires_on.isoformat(),
            start=start.isoformat(),
        )

    if r.errors:
        return None, r.errors, r.readings
    assert form and level and partner_type and status and province and signed_on
    assert country is not None
    row = ImportRow(
        row=number,
        reference=reference,
        title=title,
        form=AgreementForm(form),
        signatory_level=SignatoryLevel(level),
        province=province,
        historical_unit=former,
        partner_name=partner_name,
        partner_country=country,
        partner_type=PartnerType(partner_type),
        fields=tuple(fields),
        signed_on=signed_on,
        # An agreement takes effect when signed unless the register says otherwise.
        effective_from=effective_from or signed_on,
        expires_on=expires_on,
        status=AgreementStatus(status),
        occasion=occasion,
    )
    return row, [], r.readings
