"""File names people send, made safe to keep, show and offer for download.

A name arrives as the sender's system wrote it, or as an attacker did: with a path, NUL and
other control characters, or bidirectional controls that show `hợp-đồng\u202efdp.exe` as
`hợp-đồngexe.pdf`. What is kept is the base name in NFC without any of those; a download offers
it in a Content-Disposition header with an ASCII fallback and the exact name in RFC 5987 form.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final
from urllib.parse import quote

# Unicode categories a name never needs: controls (NUL, newlines, escapes), format characters
# (the bidirectional controls, zero-width joiners, the byte-order mark), line and paragraph
# separators, surrogates, private-use and unassigned code points.
_DROPPED: Final = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
# Characters Windows refuses in a name; `/` and `\` are gone with the path already.
_RESERVED = re.compile(r'[<>:"|?*]')
MAX_LENGTH: Final = 255
FALLBACK: Final = "document"


def safe_filename(name: str | None, fallback: str = FALLBACK) -> str:
    """The name to keep and show: the base name in NFC, without control, format or bidi
    characters, single spaces, no leading dot, no trailing dot or space, at most 255
    characters (the extension kept); `fallback` when nothing is left ("..", "", "\u202e")."""
    text = unicodedata.normalize("NFC", name or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _DROPPED)
    text = text.replace("\\", "/").rsplit("/", 1)[-1]  # whichever separator the sender used
    text = _RESERVED.sub("_", " ".join(text.split())).rstrip(" .")
    if not text:
        return fallback
    if text.startswith("."):
        text = fallback + text  # ".pdf" -> "document.pdf", never a hidden file
    if len(text) > MAX_LENGTH:
        stem, dot, extension = text.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            text = stem[: MAX_LENGTH - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            text = text[:MAX_LENGTH].rstrip(" .")
    return text


def ascii_filename(name: str) -> str:
    """An ASCII stand-in for clients that ignore `filename*`: Vietnamese letters without
    their marks (đ -> d), any other character outside printable ASCII as `_`."""
    decomposed = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch if " " <= ch <= "~" and ch not in '"\\' else "_" for ch in plain)


def content_disposition(name: str | None, disposition: str = "attachment") -> str:
    """The Content-Disposition of a download named `name` (made safe first)."""
    safe = safe_filename(name)
    fallback = ascii_filename(safe)
    if fallback == safe:
        return f'{disposition}; filename="{safe}"'
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(safe, safe='')}"
