"""Historical import: agreements signed before the system existed, read from a register (CSV
or XLSX), checked row by row and against what is already recorded, previewed, then stored as
imported records announced by `agreement.imported` — all rows or none, or the valid ones."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any, Final, cast

from sqlalchemy import BindParameter, Table, bindparam, insert
from sqlmodel import Session, col, select

from common.auth import Principal, Role
from common.db import utcnow
from common.events.payloads import AgreementImportedV1
from common.law.vocabulary import Category, Procedure
from common.problems import FieldError
from common.text import fold
from services.agreements import events
from services.agreements.importer.rows import ImportRow, Reading, check_row
from services.agreements.importer.table import (
    COLUMNS,
    FileUnreadable,
    RowError,
    read_table,
)
from services.agreements.models import Agreement, new_id
from services.agreements.outbox import add_events

MAX_ERRORS_SHOWN: Final = 1000
BATCH: Final = 500


@dataclass
class ParsedFile:
    """A register read and checked on its own: the valid rows (each reference once), every
    broken rule, and the warnings of what was left out."""

    rows: list[ImportRow]
    errors: list[RowError]
    total_rows: int
    warnings: list[RowError] = field(default_factory=list)
    readings: Counter[Reading] = field(default_factory=Counter)

    @property
    def file_errors(self) -> list[RowError]:
        """Errors about the file itself (header, encoding): nothing can be imported."""
        return [e for e in self.errors if e.row <= 1]

    @property
    def rejected_rows(self) -> int:
        return len({e.row for e in self.errors if e.row > 1})


def _raw_key(values: dict[str, str]) -> tuple[str, ...]:
    return tuple(fold(values.get(c) or "") for c in COLUMNS)


def parse_file(content: bytes, *, today: date, own_province: str | None) -> ParsedFile:
    """Every row checked against every rule; a row repeating an earlier one is left out with a
    warning, two rows giving one reference different contents are both refused."""
    try:
        table = read_table(content)
        rows: dict[int, ImportRow] = {}
        errors: list[RowError] = []
        warnings = list(table.warnings)
        readings: Counter[Reading] = Counter()
        first: dict[str, tuple[int, object]] = {}  # reference -> (row, content)
        conflicted: set[int] = set()
        total = 0
        for number, cells in table.rows:
            total += 1
            values = {c: cell for c, cell in zip(table.header, cells, strict=False) if c}
            row, row_errors, row_readings = check_row(
                number, values, today=today, own_province=own_province
            )
            reference = (values.get("reference") or "").strip()
            content_key: object = row.digest if row is not None else _raw_key(values)
            if reference and reference in first:
                earlier, earlier_key = first[reference]
                if earlier_key == content_key:
                    warnings.append(
                        RowError(
                            number,
                            "reference",
                            "duplicate_row",
                            {"value": reference, "first": earlier},
                        )
                    )
                    continue
                params = {"value": reference, "other": number}
                if earlier not in conflicted:
                    conflicted.add(earlier)
                    errors.append(RowError(earlier, "reference", "conflicting_reference", params))
                    rows.pop(earlier, None)
                params = {"value": reference, "other": earlier}
                row_errors = [
                    *row_errors,
                    RowError(number, "reference", "conflicting_reference", params),
                ]
                row = None
            elif reference:
                first[reference] = (number, content_key)
            readings.update(row_readings)
            errors += row_errors
            if row is not None:
                rows[number] = row
    except FileUnreadable as exc:
        return ParsedFile([], exc.errors, 0)
    if total == 0:
        errors.append(RowError(1, "file", "empty_file"))
    errors.sort(key=lambda e: e.row)
    return ParsedFile(list(rows.values()), errors, total, warnings, readings)


def parse_csv(content: bytes, *, today: date, own_province: str | None) -> ParsedFile:
    """parse_file under its former name (a CSV is one of the registers it reads)."""
    return parse_file(content, today=today, own_province=own_province)


def own_province_of(principal: Principal) -> str | None:
    """Whose rows a caller may import: any province's (None) for an administrator or the
    Ministry of Foreign Affairs' registry, their own for a province officer."""
    if principal.role in (Role.ADMIN, Role.MOFA_REGISTRY):
        return None
    if principal.role is Role.PROVINCE_OFFICER:
        return principal.org
    raise PermissionError(principal.role.value)


# --- against what is recorded ----------------------------------------------------------------


@dataclass
class Plan:
    """What an import would do: the rows it would store, every error and warning by row, and
    the figures the rows would add to (per conference cycle, current and former unit)."""

    total_rows: int
    rows: list[ImportRow]
    errors: list[RowError]
    warnings: list[RowError]
    readings: Counter[Reading]
    by_cycle: Counter[int | None]
    by_province: Counter[str]
    by_former_unit: Counter[str]

    @property
    def file_errors(self) -> list[RowError]:
        return [e for e in self.errors if e.row <= 1]

    @property
    def rejected_rows(self) -> int:
        return len({e.row for e in self.errors if e.row > 1})

    @property
    def already_imported(self) -> int:
        return sum(1 for w in self.warnings if w.rule == "already_imported")

    @property
    def repeated_rows(self) -> int:
        return sum(1 for w in self.warnings if w.rule == "duplicate_row")

    def may_commit(self, partial: bool) -> bool:
        return not self.file_errors and (partial or not self.errors)


def _stored_digest(a: Agreement) -> str:
    """The digest of a record imported before digests were kept, from what it stores."""
    return ImportRow(
        row=0,
        reference=a.reference or "",
        title=a.title,
        form=a.form,
        signatory_level=a.signatory_level,
        province=a.province,
        historical_unit=a.historical_unit,
        partner_name=a.partner_name,
        partner_country=a.partner_country,
        partner_type=a.partner_type,
        fields=tuple(a.fields),
        signed_on=a.signed_on or date.min,
        effective_from=a.effective_from or a.signed_on or date.min,
        expires_on=a.expires_on,
        status=a.status,
        occasion=a.occasion,
    ).digest


def _recorded(session: Session, references: Sequence[str]) -> dict[str, tuple[str, bool, str]]:
    """reference -> (province, imported, content digest) of the records holding them."""
    found: dict[str, tuple[str, bool, str]] = {}
    for start in range(0, len(references), BATCH):
        chunk = list(references[start : start + BATCH])
        # Rendered as literals (escaped by SQLAlchemy): PostgreSQL plans a list of 500 bound
        # parameters thirty times slower than the same list written out.
        listed: BindParameter[list[str]] = bindparam(
            "references", value=chunk, expanding=True, literal_execute=True
        )
        query = select(
            Agreement.reference, Agreement.province, Agreement.imported, Agreement.import_digest
        ).where(col(Agreement.reference).in_(listed))
        legacy: list[str] = []
        for reference, province, imported, digest in session.exec(query):
            if reference is None:
                continue
            found[reference] = (province, imported, digest or "")
            if imported and not digest:
                legacy.append(reference)
        if legacy:
            for a in session.exec(select(Agreement).where(col(Agreement.reference).in_(legacy))):
                found[a.reference or ""] = (a.province, True, _stored_digest(a))
    return found


def plan_import(
    session: Session, parsed: ParsedFile, *, cycle_of: Callable[[date], int | None]
) -> Plan:
    """The parsed rows checked against the records: a row already imported with the same
    content is left out with a warning; a reference recorded with other content, or held by
    another province's record (whose data is not shown), is an error."""
    errors = list(parsed.errors)
    warnings = list(parsed.warnings)
    rows: list[ImportRow] = []
    recorded = _recorded(session, [r.reference for r in parsed.rows])
    for row in parsed.rows:
        found = recorded.get(row.reference)
        if found is None:
            rows.append(row)
            continue
        province, imported, digest = found
        params = {"value": row.reference}
        if province != row.province or not imported:
            errors.append(RowError(row.row, "reference", "reference_taken", params))
        elif digest == row.digest:
            warnings.append(RowError(row.row, "reference", "already_imported", params))
        else:
            errors.append(RowError(row.row, "reference", "recorded_differently", params))
    errors.sort(key=lambda e: e.row)
    warnings.sort(key=lambda e: e.row)
    return Plan(
        total_rows=parsed.total_rows,
        rows=rows,
        errors=errors,
        warnings=warnings,
        readings=parsed.readings,
        by_cycle=Counter(cycle_of(r.signed_on) for r in rows),
        by_province=Counter(r.province for r in rows),
        by_former_unit=Counter(r.historical_unit for r in rows if r.historical_unit),
    )


# --- storing -------------------------------------------------------------------------------


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


def _row_values(row: ImportRow) -> dict[str, Any]:
    """The columns in which imported records differ from one another."""
    return {
        "id": new_id(),
        "status": row.status,
        "title": row.title,
        "form": row.form,
        "signatory_level": row.signatory_level,
        "province": row.province,
        "partner_name": row.partner_name,
        "partner_country": row.partner_country,
        "partner_type": row.partner_type,
        "fields": list(row.fields),
        "fields_index": "|" + "|".join(row.fields) + "|",
        "occasion": row.occasion,
        "search_text": fold(f"{row.title} {row.partner_name} {row.reference}"),
        "reference": row.reference,
        "import_digest": row.digest,
        "historical_unit": row.historical_unit,
        "signed_on": row.signed_on,
        "effective_from": row.effective_from,
        "expires_on": row.expires_on,
    }


def _agreement(row: ImportRow, principal: Principal, now: datetime) -> Agreement:
    """An imported record as the model builds it: every other column's default."""
    return Agreement(
        **_row_values(row),
        category=Category.INTERNATIONAL_AGREEMENT,
        summary="",
        languages=[],
        procedure=Procedure.STANDARD,
        touches=[],
        related_bodies=[],
        created_by=principal.subject,
        created_at=now,
        updated_at=now,
        imported=True,
    )


def store_rows(
    session: Session,
    *,
    principal: Principal,
    rows: Sequence[ImportRow],
    progress: Callable[[int], None] | None = None,
) -> list[str]:
    """Insert the planned rows, each with its `agreement.imported` event in the outbox, in the
    caller's transaction; the ids of the new records. Two imports racing on one reference:
    the unique reference makes the later transaction fail whole, and a retry plans again.

    The first record is built by the model, which gives every other column its default; the
    rest are that record's columns with their own values, inserted in batches (building 10,000
    model objects one by one took most of an import's time)."""
    if not rows:
        return []
    now = utcnow()
    columns = [c.name for c in _table(Agreement).columns]
    first = _agreement(rows[0], principal, now)
    template = {name: getattr(first, name) for name in columns}
    imported: list[str] = []
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        records: list[dict[str, Any]] = []
        payloads: list[AgreementImportedV1] = []
        for row in batch:
            values = template | _row_values(row)
            records.append(values)
            payloads.append(
                AgreementImportedV1(
                    **events.snapshot_fields(cast(Agreement, SimpleNamespace(**values))),
                    imported_by=principal.subject,
                    imported_at=now,
                )
            )
            imported.append(values["id"])
        # A Core insert: the ORM's bulk insert splits rows by which columns are empty.
        session.execute(insert(_table(Agreement)), records)
        add_events(session, payloads)
        if progress is not None:
            progress(len(batch))
    return imported


def describe_fields(
    errors: Sequence[RowError], lang: str, limit: int = MAX_ERRORS_SHOWN
) -> list[FieldError]:
    return [e.as_field_error(lang) for e in errors[:limit]]


__all__ = [
    "COLUMNS",
    "ImportRow",
    "ParsedFile",
    "Plan",
    "RowError",
    "own_province_of",
    "parse_file",
    "plan_import",
    "store_rows",
]
