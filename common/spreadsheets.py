"""Cells of every CSV or XLSX export, safe to open in a spreadsheet program.

Free text (an agreement's occasion, a partner's name, a title) starting with `=`, `+`, `-` or
`@` (or a tab or carriage return) is read by Excel and LibreOffice as a formula, which can run
commands or send data away. Following OWASP's guidance on CSV injection, such text is written
with a leading single quote, so it is shown as the text it is; numbers stay numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

# What makes a spreadsheet program read a cell as a formula (OWASP: CSV Injection).
FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
# Text that is a plain number ("-5", "+1.5", "-2,5", "-1e3", "-12%"): nothing to neutralise.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*|[.,]\d+)(?:[eE][+-]?\d+)?%?")


def safe_cell(value: Any) -> Any:
    """`value` as a cell: text that would start a formula gets a leading `'`; numbers, dates,
    None and other text pass unchanged."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_TRIGGERS)
        and not _NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row of cells, each made safe."""
    return [safe_cell(v) for v in values]
