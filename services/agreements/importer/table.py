"""A register as people keep it, read into a header and rows of text cells: a CSV (UTF-8, with
or without BOM, comma or semicolon separated) or an Excel workbook's first sheet, with the
columns named by our codes or by the Vietnamese or English headings registers use."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from common.problems import FieldError
from common.text import fold
from services.agreements.importer.messages import MESSAGES

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
MAX_ROWS: Final = 50_000

# Headings registers use for each column, matched without case or diacritics.
_HEADINGS: Final[dict[str, tuple[str, ...]]] = {
    "reference": ("số hiệu", "số", "số ký hiệu", "ref", "reference number"),
    "title": ("tên thỏa thuận", "tên", "tên văn bản", "tiêu đề", "name"),
    "form": ("hình thức", "loại văn bản", "loại"),
    "signatory_level": ("cấp ký", "cơ quan ký", "level", "signatory"),
    "province": ("tỉnh", "tỉnh/thành phố", "tỉnh, thành phố", "địa phương", "locality"),
    "foreign_party_name": ("bên nước ngoài", "đối tác", "tên đối tác", "partner", "partner name"),
    "country": ("quốc gia", "nước", "quốc gia/vùng lãnh thổ", "partner country"),
    "partner_type": ("loại đối tác", "loại bên nước ngoài"),
    "fields": ("lĩnh vực", "lĩnh vực hợp tác", "field"),
    "signed_on": ("ngày ký", "signed", "signing date", "date signed"),
    "effective_from": ("ngày có hiệu lực", "hiệu lực từ", "effective"),
    "expires_on": ("ngày hết hiệu lực", "hết hiệu lực", "expires", "expiry date"),
    "status": ("tình trạng", "trạng thái", "tình trạng hiệu lực"),
    "occasion": ("dịp ký", "sự kiện", "dịp", "event"),
}
_HEADING_INDEX: Final = {
    fold(name): column
    for column, names in _HEADINGS.items()
    for name in (column, column.replace("_", " "), *names)
}


@dataclass(frozen=True)
class RowError:
    """One broken rule (or, as a warning, one thing done with a row): the file's row number
    (the header is row 1), the column, the rule and what the message needs."""

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


class FileUnreadable(Exception):
    def __init__(self, *errors: RowError) -> None:
        super().__init__(errors[0].rule if errors else "file")
        self.errors = list(errors)


@dataclass
class Table:
    header: list[str]  # our column codes, in the file's order ("" for an ignored column)
    rows: Iterator[tuple[int, list[str]]]  # (row number in the file, cells)
    warnings: list[RowError]  # columns left out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileUnreadable(RowError(1, "file", "encoding")) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise FileUnreadable(RowError(1, "file", "bad_workbook")) from exc
    sheet = book.worksheets[0]
    return ([_cell(v) for v in row] for row in sheet.iter_rows(values_only=True))


def _header(cells: list[str]) -> tuple[list[str], list[RowError]]:
    header: list[str] = []
    errors: list[RowError] = []
    ignored: list[RowError] = []
    for cell in cells:
        name = cell.strip()
        column = _HEADING_INDEX.get(fold(name.replace("_", " "))) if name else ""
        if column is None:
            # A register's own columns (row number, notes) are left out, and the preview says so.
            params = {"value": name[:60], "allowed": ", ".join(COLUMNS)}
            ignored.append(RowError(1, name[:60], "ignored_column", params))
            column = ""
        elif column and column in header:
            errors.append(RowError(1, name, "repeated_column", {"value": name}))
        header.append(column)
    for column in COLUMNS:
        if column not in header and column not in OPTIONAL:
            errors.append(RowError(1, column, "missing_column", {"value": column}))
    if errors:
        raise FileUnreadable(*errors, *ignored)
    return header, ignored


def read_table(content: bytes) -> Table:
    """The header and the non-blank rows of a CSV or XLSX register; FileUnreadable when the
    file cannot be a register (encoding, header, no rows)."""
    source = iter(_xlsx_rows(content) if content[:4] == b"PK\x03\x04" else _csv_rows(content))
    number = 0
    try:
        first = next(source, None)
        number += 1
        while first is not None and not any(c.strip() for c in first):
            first = next(source, None)  # blank lines above the header
            number += 1
    except csv.Error as exc:
        raise FileUnreadable(RowError(1, "file", "malformed_row", {"value": str(exc)})) from exc
    if first is None:
        raise FileUnreadable(RowError(1, "file", "empty_file"))
    header, ignored = _header(first)

    def rows() -> Iterator[tuple[int, list[str]]]:
        count = 0
        at = number
        while True:
            try:
                cells = next(source, None)
            except csv.Error as exc:
                error = RowError(at + 1, "file", "malformed_row", {"value": str(exc)})
                raise FileUnreadable(error) from exc
            if cells is None:
                return
            at += 1
            if not any(c.strip() for c in cells):
                continue  # blank lines are not records
            count += 1
            if count > MAX_ROWS:
                raise FileUnreadable(RowError(1, "file", "too_many_rows", {"max": MAX_ROWS}))
            yield at, cells

    return Table(header, rows(), ignored)
