"""Historical import: agreements signed before the system existed, read from a CSV register,
checked row by row, stored as imported records and announced by `agreement.imported`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from sqlmodel import Session, col, select

from common.auth import Principal, Role
from common.countries import resolve_country
from common.db import utcnow
from common.events.payloads import AgreementImportedV1
from common.law.drafting import forbidden_name_in
from common.law.vocabulary import (
    AgreementForm,
    AgreementStatus,
    Category,
    PartnerType,
    Procedure,
    SignatoryLevel,
)
from common.problems import FieldError
from common.provinces import CURRENT_UNITS, resolve_unit
from common.text import fold
from services.agreements import events
from services.agreements.importer import vocabulary
from services.agreements.importer.messages import MESSAGES
from services.agreements.models import Agreement
from services.agreements.outbox import add_event

COLUMNS: Final = (
    "reference",
    "title",
    "form",
    "signatory_level",
    "province",
    "foreign_party_name",
    "country",
    "partner_type",
    "fields",
    "signed_on",
    "effective_from",
    "expires_on",
    "status",
    "occasion",
)
OPTIONAL: Final = frozenset({"effective_from", "expires_on", "occasion"})
# 63 provincial units until 30 June 2025, 34 from 1 July 2025 (domain.md §3).
MERGER_DATE: Final = date(2025, 7, 1)
MAX_ROWS: Final = 50_000
MAX_ERRORS_SHOWN: Final = 1000
BATCH: Final = 500


@dataclass(frozen=True)
class RowError:
    """One broken rule: the file's row number (the header is row 1), the column, the rule."""

    row: int
    column: str
    rule: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str) -> str:
        vi, en = MESSAGES[self.rule]
        return (vi if lang == "vi" else en).format(**self.params)

    def as_dict(self, lang: str) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "rule": self.rule,
            "message": self.message(lang),
        }

    def as_field_error(self, lang: str) -> FieldError:
        return FieldError(f"row {self.row}.{self.column}", self.rule, self.message(lang))


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
    partner_country: str
    partner_type: PartnerType
    fields: tuple[str, ...]
    signed_on: date
    effective_from: date
    expires_on: date | None
    status: AgreementStatus
    occasion: str | None


@dataclass
class ParsedFile:
    rows: list[ImportRow]
    errors: list[RowError]
    total_rows: int

    @property
    def file_errors(self) -> list[RowError]:
        """Errors about the file itself (header, encoding): nothing can be imported."""
        return [e for e in self.errors if e.row <= 1]

    @property
    def rejected_rows(self) -> int:
        return len({e.row for e in self.errors if e.row > 1})


def _parse_date(text: str) -> date | None:
    text = text.strip()
    try:
        if "/" in text:
            day, month, year = (int(p) for p in text.split("/"))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        return None


# --- reading and checking ------------------------------------------------------------------


class _Row:
    """Checks of one row, collecting every broken rule rather than stopping at the first."""

    def __init__(self, number: int, values: dict[str, str]) -> None:
        self.number = number
        self.values = values
        self.errors: list[RowError] = []

    def fail(self, column: str, rule: str, **params: Any) -> None:
        self.errors.append(RowError(self.number, column, rule, params))

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
        return code

    def day(self, column: str) -> date | None:
        value = self.text(column, max_len=20)
        if not value:
            return None
        parsed = _parse_date(value)
        if parsed is None:
            self.fail(column, "date", value=value)
        return parsed


def _check_row(
    number: int, values: dict[str, str], *, today: date, own_province: str | None
) -> tuple[ImportRow | None, list[RowError]]:
    r = _Row(number, values)
    reference = r.text("reference", max_len=100)
    title = r.text("title", max_len=500, min_len=3)
    if title and (name := forbidden_name_in(title, as_title=True)) is not None:
        r.fail("title", "forbidden_treaty_name", name=name)
    form_text = values.get("form", "").strip()
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

    province_text = r.text("province", max_len=100)
    province: str | None = None
    former: str | None = None
    signed_on = r.day("signed_on")
    if province_text:
        resolved = resolve_unit(province_text)
        if resolved is None:
            r.fail("province", "unknown_province", value=province_text[:60])
        else:
            old, current = resolved
            province = current.code
            if own_province is not None and province != own_province:
                r.fail("province", "other_province", own=own_province, value=province)
            # The unit as named at signing: one of the 63 before the merger; after it, only
            # a name no current unit carries still says which former unit it was.
            if old is not None and (
                (signed_on is not None and signed_on < MERGER_DATE) or old.code not in CURRENT_UNITS
            ):
                former = old.code

    # An international organisation belongs to no country: the cell may stay empty.
    stateless = partner_type == PartnerType.INTERNATIONAL_ORGANISATION
    country_text = "" if stateless and not values.get("country", "").strip() else None
    if country_text is None:
        country_text = r.text("country", max_len=100)
    country: str | None = "" if stateless else None
    if country_text:
        country = resolve_country(country_text)
        if country is None:
            r.fail("country", "unknown_country", value=country_text[:60])
        elif country == "VN":
            r.fail("country", "partner_not_foreign")

    fields: list[str] = []
    fields_text = r.text("fields", max_len=600)
    for part in (p.strip() for p in fields_text.split(";")):
        if not part:
            continue
        code = vocabulary.FIELDS.get(fold(part.replace("_", " "))) or vocabulary.FIELDS.get(
            fold(part)
        )
        if code is None:
            r.fail(
                "fields",
                "unknown_field",
                value=part[:60],
                allowed=vocabulary.allowed(vocabulary.FIELDS),
            )
        elif code not in fields:
            fields.append(code)
    if fields_text and not fields and not r.errors:
        r.fail("fields", "required")

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
        return None, r.errors
    assert form and level and partner_type and status and province and signed_on
    assert country is not None
    return (
        ImportRow(
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
        ),
        [],
    )


def parse_csv(content: bytes, *, today: date, own_province: str | None) -> ParsedFile:
    """Every row checked against every rule; `own_province` limits a province officer."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ParsedFile([], [RowError(1, "file", "encoding")], 0)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return ParsedFile([], [RowError(1, "file", "empty_file")], 0)
    except csv.Error as exc:
        return ParsedFile([], [RowError(1, "file", "malformed_row", {"value": str(exc)})], 0)
    errors: list[RowError] = []
    for name in COLUMNS:
        if name not in header and name not in OPTIONAL:
            errors.append(RowError(1, name, "missing_column", {"value": name}))
    for name in header:
        if name not in COLUMNS:
            errors.append(
                RowError(
                    1, name or "?", "unknown_column", {"value": name, "allowed": ", ".join(COLUMNS)}
                )
            )
    if errors:
        return ParsedFile([], errors, 0)

    rows: list[ImportRow] = []
    first_seen: dict[str, int] = {}
    total = 0
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue  # blank lines are not records
            total += 1
            if total > MAX_ROWS:
                return ParsedFile(
                    [], [RowError(1, "file", "too_many_rows", {"max": MAX_ROWS})], total
                )
            values = dict(zip(header, cells, strict=False))
            row, row_errors = _check_row(number, values, today=today, own_province=own_province)
            reference = (values.get("reference") or "").strip()
            if reference:
                if reference in first_seen:
                    row_errors.append(
                        RowError(
                            number,
                            "reference",
                            "duplicate_reference",
                            {"value": reference, "first": first_seen[reference]},
                        )
                    )
                    row = None
                else:
                    first_seen[reference] = number
            errors += row_errors
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, "file", "malformed_row", {"value": str(exc)}))
    if total == 0 and not errors:
        errors.append(RowError(1, "file", "empty_file"))
    return ParsedFile(rows, errors, total)


def own_province_of(principal: Principal) -> str | None:
    """Whose rows a caller may import: any province's (None) for an administrator or the
    Ministry of Foreign Affairs' registry, their own for a province officer."""
    if principal.role in (Role.ADMIN, Role.MOFA_REGISTRY):
        return None
    if principal.role is Role.PROVINCE_OFFICER:
        return principal.org
    raise PermissionError(principal.role.value)


# --- storing -------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    imported: list[str] = field(default_factory=list)  # agreement ids
    skipped_existing: list[str] = field(default_factory=list)  # references already present


def existing_references(session: Session, references: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(references), BATCH):
        chunk = list(references[start : start + BATCH])
        found.update(
            r
            for r in session.exec(
                select(Agreement.reference).where(col(Agreement.reference).in_(chunk))
            )
            if r is not None
        )
    return found


def _agreement(row: ImportRow, principal: Principal, now: datetime) -> Agreement:
    return Agreement(
        status=row.status,
        title=row.title,
        form=row.form,
        category=Category.INTERNATIONAL_AGREEMENT,
        signatory_level=row.signatory_level,
        province=row.province,
        partner_name=row.partner_name,
        partner_country=row.partner_country,
        partner_type=row.partner_type,
        fields=list(row.fields),
        fields_index="|" + "|".join(row.fields) + "|",
        summary="",
        languages=[],
        procedure=Procedure.STANDARD,
        touches=[],
        related_bodies=[],
        occasion=row.occasion,
        search_text=fold(f"{row.title} {row.partner_name} {row.reference}"),
        created_by=principal.subject,
        created_at=now,
        updated_at=now,
        reference=row.reference,
        imported=True,
        historical_unit=row.historical_unit,
        signed_on=row.signed_on,
        effective_from=row.effective_from,
        expires_on=row.expires_on,
    )


def store_rows(
    session: Session,
    *,
    principal: Principal,
    rows: Sequence[ImportRow],
    progress: Callable[[int], None] | None = None,
) -> ImportOutcome:
    """Insert the rows whose reference is not yet present, each with its `agreement.imported`
    event in the outbox, in the caller's transaction. A reference already present is skipped,
    so running the same file again imports nothing twice."""
    outcome = ImportOutcome()
    present = existing_references(session, [r.reference for r in rows])
    now = utcnow()
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        for row in batch:
            if row.reference in present:
                outcome.skipped_existing.append(row.reference)
                continue
            a = _agreement(row, principal, now)
            session.add(a)
            add_event(
                session,
                AgreementImportedV1(
                    **events.snapshot_fields(a), imported_by=principal.subject, imported_at=now
                ),
            )
            outcome.imported.append(a.id)
        session.flush()
        if progress is not None:
            progress(len(batch))
    return outcome


def describe_fields(
    errors: Sequence[RowError], lang: str, limit: int = MAX_ERRORS_SHOWN
) -> list[FieldError]:
    return [e.as_field_error(lang) for e in errors[:limit]]


__all__ = [
    "COLUMNS",
    "ImportOutcome",
    "ImportRow",
    "ParsedFile",
    "RowError",
    "own_province_of",
    "parse_csv",
    "store_rows",
]
