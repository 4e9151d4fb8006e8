"""What an import would do, or did, as the API, the command line and the import page show it:
counts per conference cycle and per unit, each value as the importer understood it, and the
errors and warnings by row, in the reader's language."""

from __future__ import annotations

from collections import Counter
from typing import Final

from pydantic import BaseModel

from common.countries import country_name
from common.fields import FIELD_LABELS, Field
from common.law import labels
from common.law.cycles import cycle_heading
from common.provinces import CURRENT_UNITS, OLD_UNITS
from services.agreements.importer.register import MAX_ERRORS_SHOWN, Plan
from services.agreements.importer.rows import Reading
from services.agreements.importer.table import RowError

_VOCABULARY: Final = {
    "form": "form",
    "signatory_level": "level",
    "partner_type": "partner",
    "status": "status",
}


class RowNote(BaseModel):
    row: int
    column: str
    rule: str
    message: str


class Count(BaseModel):
    key: str | None  # cycle number as text, unit code; None for "no cycle"
    label: str
    rows: int


class ReadingOut(BaseModel):
    column: str
    text: str  # as written in the file
    code: str  # as stored
    meaning: str  # in words, e.g. "Huế (hue)" or "KR — Hàn Quốc"
    rows: int

    @property
    def differs(self) -> bool:
        """Written otherwise than stored: the readings worth a look."""
        return self.text != self.code


class ImportSummary(BaseModel):
    committed: bool
    total_rows: int
    to_import: int
    imported: int
    already_imported: int
    repeated_rows: int
    rejected: int
    by_cycle: list[Count]
    by_province: list[Count]
    by_former_unit: list[Count]
    readings: list[ReadingOut]
    errors: list[RowNote]
    errors_total: int
    warnings: list[RowNote]
    warnings_total: int
    imported_ids: list[str] = []
    # Earlier names of these figures, kept for callers of the first version of the API.
    skipped_existing: int = 0
    skipped_existing_references: list[str] = []
    errors_shown: int = 0


def _unit_name(code: str) -> str:
    unit = CURRENT_UNITS.get(code) or OLD_UNITS.get(code)
    return unit.name if unit else code


def meaning(reading: Reading, lang: str) -> str:
    if reading.column == "province":
        former, _, current = reading.code.partition(">")
        now = f"{_unit_name(current)} ({current})"
        return f"{_unit_name(former)} → {now}" if former and former != current else now
    if reading.column == "country":
        return f"{reading.code} — {country_name(reading.code, lang)}"
    if reading.column == "fields":
        pair = FIELD_LABELS.get(Field(reading.code))
        return labels.pick(pair, lang) if pair else reading.code
    return labels.label(_VOCABULARY[reading.column], reading.code, lang)


def _notes(items: list[RowError], lang: str) -> list[RowNote]:
    return [RowNote(**e.as_dict(lang)) for e in items[:MAX_ERRORS_SHOWN]]


def _counts(counter: Counter[str], lang: str) -> list[Count]:
    del lang  # unit names are Vietnamese proper names in both languages
    return [Count(key=k, label=_unit_name(k), rows=n) for k, n in sorted(counter.items())]


def summarise(plan: Plan, lang: str, imported_ids: list[str] | None = None) -> ImportSummary:
    cycles = sorted(plan.by_cycle.items(), key=lambda kv: (kv[0] is not None, kv[0] or 0))
    readings = sorted(
        plan.readings.items(), key=lambda kv: (kv[0].column, -kv[1], kv[0].text.casefold())
    )
    already = [w.params["value"] for w in plan.warnings if w.rule == "already_imported"]
    errors = _notes(plan.errors, lang)
    return ImportSummary(
        committed=imported_ids is not None,
        total_rows=plan.total_rows,
        to_import=len(plan.rows),
        imported=len(imported_ids or []),
        already_imported=plan.already_imported,
        repeated_rows=plan.repeated_rows,
        rejected=plan.rejected_rows,
        by_cycle=[
            Count(key=None if c is None else str(c), label=cycle_heading(c, lang), rows=n)
            for c, n in cycles
        ],
        by_province=_counts(plan.by_province, lang),
        by_former_unit=_counts(plan.by_former_unit, lang),
        readings=[
            ReadingOut(column=r.column, text=r.text, code=r.code, meaning=meaning(r, lang), rows=n)
            for r, n in readings
        ],
        errors=errors,
        errors_total=len(plan.errors),
        warnings=_notes(plan.warnings, lang),
        warnings_total=len(plan.warnings),
        imported_ids=imported_ids or [],
        skipped_existing=len(already),
        skipped_existing_references=already[:MAX_ERRORS_SHOWN],
        errors_shown=len(errors),
    )
