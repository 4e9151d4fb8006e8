"""A file name as sent is kept, shown and offered for download without what could spoof or
break it: paths, NUL and control characters, bidirectional controls, dot names."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from common.filenames import ascii_filename, content_disposition, safe_filename


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("hợp-đồng\u202efdp.exe", "hợp-đồngfdp.exe"),  # right-to-left override
        ("a\u2066b\u2069c\u200f.pdf", "abc.pdf"),  # isolates and marks
        ("\ufeff\u200bhidden.pdf", "hidden.pdf"),  # byte-order mark, zero-width space
        ("bad\x00name\x1b[31m.pdf", "badname[31m.pdf"),
        ("line\nbreak\r.txt", "linebreak.txt"),
        ("..", "document"),
        (".", "document"),
        ("", "document"),
        (None, "document"),
        ("\u202e", "document"),
        (".pdf", "document.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Hồ sơ\\đề xuất.pdf", "đề xuất.pdf"),
        ("Hoa\u0300.pdf", "Hoà.pdf"),  # NFC: one code point for the accented letter
        ("  spaced   out  .pdf. ", "spaced out .pdf"),
        ('a"b<c>|d?*:e.pdf', "a_b_c__d___e.pdf"),
    ],
)
def test_a_name_is_made_safe_to_keep_and_show(sent: str | None, kept: str) -> None:
    assert safe_filename(sent) == kept
    assert safe_filename(kept) == kept  # safe names stay as they are


def test_a_long_name_keeps_its_extension_within_255_characters() -> None:
    kept = safe_filename("á" * 400 + ".docx")
    assert len(kept) == 255 and kept.endswith(".docx")


def test_a_download_offers_an_ascii_fallback_and_the_exact_name_in_rfc_5987_form() -> None:
    header = content_disposition("Thư góp ý\u202e.pdf")
    fallback, exact = header.split("; filename*=UTF-8''")
    assert fallback == 'attachment; filename="Thu gop y.pdf"'
    assert unquote(exact) == "Thư góp ý.pdf"
    assert all(c.isalnum() or c in "%-._~" for c in exact)
    assert content_disposition("plan.pdf") == 'attachment; filename="plan.pdf"'
    assert (
        content_disposition('x"; filename=evil.exe')
        == 'attachment; filename="x_; filename=evil.exe"'
    )
    assert ascii_filename("Đà Nẵng–北京.pdf") == "Da Nang___.pdf"
