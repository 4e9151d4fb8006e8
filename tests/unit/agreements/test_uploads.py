"""What an upload must be before it is stored and attached, the same for the API and the
pages: an accepted type, content that matches it, not empty, under the limit, a plain name;
and nothing stored until it is attached."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from services.agreements.drafting.uploads import (
    Upload,
    checked_language,
    media_type_of,
    receive,
)
from services.agreements.errors import (
    FileRefused,
    PayloadTooLarge,
    RulesBroken,
    Unprocessable,
    UnsupportedMedia,
)
from services.agreements.storage import CHUNK, DocumentStore
from tests.helpers import DOCX, PDF


def upload(
    tmp_path: Path, content: bytes, filename: str | None, declared: str | None, limit: int = 1024
) -> Upload:
    return Upload(io.BytesIO(content), filename, declared, DocumentStore(tmp_path), limit)


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_an_accepted_file_is_kept_under_its_base_name_once_attached(tmp_path: Path) -> None:
    with receive(upload(tmp_path, PDF, "C:\\Hồ sơ\\đề xuất.pdf", "application/pdf")) as received:
        assert received.filename == "đề xuất.pdf"
        assert received.media_type == "application/pdf"
        assert files_under(tmp_path) == []  # checked and hashed, not stored yet
        received.staged.keep()
    assert DocumentStore(tmp_path).path_of(received.blob.sha256).read_bytes() == PDF


@pytest.mark.parametrize("size", [10, 3 * CHUNK])  # held in memory, and staged on disk
def test_an_upload_never_attached_leaves_nothing_behind(tmp_path: Path, size: int) -> None:
    content = b"x" * size
    with (
        pytest.raises(RuntimeError),
        receive(upload(tmp_path, content, "a.txt", "text/plain", limit=4 * CHUNK)),
    ):
        raise RuntimeError("the attachment was refused")
    assert files_under(tmp_path) == []


def test_the_name_kept_is_safe_to_show(tmp_path: Path) -> None:
    with receive(upload(tmp_path, PDF, "hợp-đồng\u202efdp.exe", "application/pdf")) as r:
        assert r.filename == "hợp-đồngfdp.exe"
    with receive(upload(tmp_path, PDF, "..", "application/pdf")) as r:
        assert r.filename == "document"


def test_a_file_without_a_useful_type_gets_the_one_its_name_suggests() -> None:
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert media_type_of("thu.docx", "application/octet-stream") == docx
    assert media_type_of("thu.docx", None) == docx
    assert media_type_of("thu", None) == "application/octet-stream"
    assert media_type_of("x.pdf", "Application/PDF; charset=binary") == "application/pdf"


@pytest.mark.parametrize(
    ("content", "filename", "declared", "refusal", "code"),
    [
        (b"MZ\x90\x00", "setup.exe", "application/x-msdownload", UnsupportedMedia, None),
        (DOCX, "thu.pdf", "application/pdf", UnsupportedMedia, "content_mismatch"),
        (b"", "empty.pdf", "application/pdf", Unprocessable, "empty_file"),
        (PDF + b"0" * 2048, "big.pdf", "application/pdf", PayloadTooLarge, "file_too_large"),
    ],
)
def test_a_refused_upload_says_why(
    tmp_path: Path,
    content: bytes,
    filename: str,
    declared: str,
    refusal: type[Exception],
    code: str | None,
) -> None:
    with pytest.raises(refusal) as caught, receive(upload(tmp_path, content, filename, declared)):
        pass
    assert getattr(caught.value, "code", None) == (code or "media_type_not_allowed")
    assert files_under(tmp_path) == []


def test_an_empty_file_is_refused_naming_its_field(tmp_path: Path) -> None:
    sent = replace(upload(tmp_path, b"", "e.txt", "text/plain"), field="signed_text_vi")
    with pytest.raises(FileRefused) as caught, receive(sent):
        pass
    problem = caught.value.to_problem("en")
    assert (problem.status, [(e.field, e.rule) for e in problem.errors]) == (
        422,
        [("signed_text_vi", "empty_file")],
    )


def test_the_language_of_a_document_is_a_known_code() -> None:
    assert checked_language(" VI ") == "vi"
    with pytest.raises(RulesBroken):
        checked_language("xx-not")
