"""The words of a stored text (PDF, DOCX or plain text), read with the well-kept libraries
(pypdf, python-docx), so a signed copy that is not the approved file byte for byte can still be
compared by what it says. A file whose words cannot be read gives None: the comparison then
treats it as changed, never as equal. The readers are imported when a text is first read: they
weigh about 40 MiB, which an API process that never compares a signed copy need not carry."""

from __future__ import annotations

import difflib
import logging
import re
from pathlib import Path
from typing import Final

from common.law.signing import normalise_text

log = logging.getLogger(__name__)

PDF: Final = "application/pdf"
DOCX: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT: Final = "text/plain"
# A dossier's text runs to tens of pages; a file with more is not read (and counts as unread).
MAX_PAGES: Final = 500


def read_text(path: Path, media_type: str) -> str | None:
    """The text of the file at `path`, or None when its type has no reader or it is broken,
    encrypted or holds no text layer (a scan without OCR)."""
    try:
        if media_type == PDF:
            return _pdf(path)
        if media_type == DOCX:
            return _docx(path)
        if media_type == TEXT:
            return path.read_text(encoding="utf-8")
    except (OSError, ValueError, KeyError) as exc:
        log.info("no text read from %s (%s): %s", path.name, media_type, exc)
    return None


def _pdf(path: Path) -> str | None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted or len(reader.pages) > MAX_PAGES:
            return None
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except PyPdfError as exc:
        log.info("no text read from %s (PDF): %s", path.name, exc)
        return None
    return text if text.strip() else None


def _docx(path: Path) -> str | None:
    import docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    text = "\n".join(parts)
    return text if text.strip() else None


def side_by_side(approved: str, signed: str) -> list[tuple[str, str, bool]]:
    """The two texts in aligned rows (approved, signed, whether the row differs), sentence by
    sentence, for a person to see where a signed text departs from the approved one."""
    left, right = _sentences(approved), _sentences(signed)
    rows: list[tuple[str, str, bool]] = []
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [(line, line, False) for line in left[i1:i2]]
            continue
        a, b = left[i1:i2], right[j1:j2]
        for k in range(max(len(a), len(b))):
            rows.append((a[k] if k < len(a) else "", b[k] if k < len(b) else "", True))
    return rows


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(normalise_text(text)) if s]


_SENTENCE_END: Final = re.compile(r"(?<=[.;:!?])\s+")
