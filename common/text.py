"""Text folding for Vietnamese: matching and search that ignore case and diacritics."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """'Thừa Thiên Huế' -> 'thua thien hue': lower case, no tone or vowel marks, đ -> d,
    single spaces. Users often type Vietnamese without diacritics."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().lower()
