"""A document reaches the store only once its sender may attach it: a refused upload (another
province, a state that takes no documents, too large, empty, the wrong type) leaves no file
behind, by the API and by the pages. The name kept is safe to show and to download, and a
download tells the browser not to guess its type."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from tests.helpers import PDF, dossier_files, draft_body
from tests.integration.agreements.conftest import Stack

pytestmark = pytest.mark.integration

OFFICER = "officer@ha-noi"


def files_in(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def unique_pdf() -> bytes:
    """Content no other test stored: a file that stays would show."""
    return PDF + uuid.uuid4().hex.encode()


def draft(stack: Stack) -> str:
    r = stack.client.post("/v1/agreements", json=draft_body(), headers=stack.login(OFFICER))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def upload(
    stack: Stack,
    agreement_id: str,
    file: tuple[str, bytes, str],
    user: str = OFFICER,
    kind: str = "PROPOSAL",
    language: str = "vi",
) -> Any:
    return stack.client.post(
        f"/v1/agreements/{agreement_id}/documents",
        data={"kind": kind, "language": language},
        files={"file": file},
        headers=stack.login(user),
    )


def submitted(stack: Stack) -> str:
    agreement_id = draft(stack)
    for kind, language, name, content in dossier_files():
        r = upload(
            stack, agreement_id, (name, content, "application/pdf"), kind=kind, language=language
        )
        assert r.status_code == 201, r.text
    r = stack.client.post(f"/v1/agreements/{agreement_id}/submit", headers=stack.login(OFFICER))
    assert r.status_code == 200, r.text
    return agreement_id


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("other province", 404),
        ("unknown agreement", 404),
        ("submitted", 409),
        ("too large", 413),
        ("empty", 422),
        ("not a document type", 415),
        ("content not of its type", 415),
    ],
)
def test_a_refused_upload_leaves_no_file_behind(stack: Stack, case: str, status: int) -> None:
    agreement_id = submitted(stack) if case == "submitted" else draft(stack)
    user = "officer@da-nang" if case == "other province" else OFFICER
    if case == "unknown agreement":
        agreement_id = str(uuid.uuid4())
    file = {
        "too large": (
            "big.pdf",
            unique_pdf() + b"0" * stack.settings.max_document_bytes,
            "application/pdf",
        ),
        "empty": ("empty.pdf", b"", "application/pdf"),
        "not a document type": (
            "setup.exe",
            b"MZ" + uuid.uuid4().bytes,
            "application/x-msdownload",
        ),
        "content not of its type": ("fake.pdf", b"<html>" + uuid.uuid4().bytes, "application/pdf"),
    }.get(case, ("de-xuat.pdf", unique_pdf(), "application/pdf"))
    before = files_in(stack.settings.documents_path)
    r = upload(stack, agreement_id, file, user=user)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert files_in(stack.settings.documents_path) == before
    if case == "empty":
        assert [(e["field"], e["rule"]) for e in r.json()["errors"]] == [("file", "empty_file")]


@pytest.mark.parametrize("size", ["small", "over a chunk"])
@pytest.mark.parametrize("key", [False, True], ids=["no key", "idempotency key"])
@pytest.mark.parametrize(
    ("case", "status"),
    [("other province", 404), ("submitted", 409), ("an opinion by the province", 422)],
)
def test_who_may_attach_is_asked_before_anything_about_the_file(
    stack: Stack, case: str, status: int, key: bool, size: str
) -> None:
    """A small file is checked and attached in one transaction, a larger one after a read of
    its own: either way a caller who may not attach hears that, not what is wrong with the
    file, and nothing stays."""
    agreement_id = submitted(stack) if case == "submitted" else draft(stack)
    user = "officer@da-nang" if case == "other province" else OFFICER
    kind = "OPINION" if case == "an opinion by the province" else "PROPOSAL"
    padding = b"0" * (2 * 1024 * 1024 if size == "over a chunk" else 0)
    before = files_in(stack.settings.documents_path)
    for content, media_type in [
        (b"MZ" + uuid.uuid4().bytes + padding, "application/x-msdownload"),
        (b"<html>" + uuid.uuid4().bytes + padding, "application/pdf"),
        (b"", "application/pdf"),
        (unique_pdf() + padding, "application/pdf"),
    ]:
        headers = stack.login(user) | ({"Idempotency-Key": uuid.uuid4().hex} if key else {})
        r = stack.client.post(
            f"/v1/agreements/{agreement_id}/documents",
            data={"kind": kind, "language": "vi"},
            files={"file": ("f.pdf", content, media_type)},
            headers=headers,
        )
        assert r.status_code == status, (media_type, r.text)
    assert files_in(stack.settings.documents_path) == before


def test_an_accepted_upload_is_stored_under_its_digest_and_nothing_else_stays(
    stack: Stack,
) -> None:
    agreement_id = draft(stack)
    content = unique_pdf()
    before = files_in(stack.settings.documents_path)
    r = upload(stack, agreement_id, ("de-xuat.pdf", content, "application/pdf"))
    assert r.status_code == 201, r.text
    stored = stack.settings.documents_path / "sha256"
    digest = hashlib.sha256(content).hexdigest()
    assert files_in(stack.settings.documents_path) - before == {
        stored / digest[:2] / digest[2:4] / digest
    }


def test_a_retried_upload_gets_its_first_answer_even_after_the_state_changed(
    stack: Stack,
) -> None:
    agreement_id = draft(stack)
    headers = stack.login(OFFICER) | {"Idempotency-Key": uuid.uuid4().hex}
    sent = {"data": {"kind": "OTHER", "language": "vi"}}
    file = ("phu-luc.pdf", unique_pdf(), "application/pdf")
    url = f"/v1/agreements/{agreement_id}/documents"
    first = stack.client.post(url, files={"file": file}, headers=headers, **sent)
    assert first.status_code == 201, first.text
    for kind, language, name, content in dossier_files():
        part = (name, content, "application/pdf")
        assert upload(stack, agreement_id, part, kind=kind, language=language).status_code == 201
    r = stack.client.post(f"/v1/agreements/{agreement_id}/submit", headers=stack.login(OFFICER))
    assert r.status_code == 200, r.text
    again = stack.client.post(url, files={"file": file}, headers=headers, **sent)
    assert (again.status_code, again.json()["id"]) == (201, first.json()["id"])


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("hợp-đồng\u202efdp.pdf", "hợp-đồngfdp.pdf"),
        ("..", "document"),
        ("C:\\Users\\x\\Tờ trình\x00\x07.pdf", "Tờ trình.pdf"),
        ("Ho\u0300a \u200bđơn.pdf", "Hòa đơn.pdf"),
    ],
)
def test_a_name_is_kept_and_offered_safely_by_the_api_and_the_pages(
    stack: Stack, sent: str, kept: str
) -> None:
    agreement_id = draft(stack)
    # Written by hand: an HTTP client would escape the control characters itself.
    boundary = uuid.uuid4().hex
    body = b"".join(
        [
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nOTHER\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="language"\r\n\r\nvi\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'.encode(),
            sent.encode(),
            b'"\r\nContent-Type: application/pdf\r\n\r\n',
            unique_pdf(),
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    r = stack.client.post(
        f"/v1/agreements/{agreement_id}/documents",
        content=body,
        headers=stack.login(OFFICER)
        | {"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == kept
    document = f"{agreement_id}/documents/{r.json()['id']}"
    listed = stack.client.get(
        f"/v1/agreements/{agreement_id}/documents", headers=stack.login(OFFICER)
    ).json()["data"]
    assert [d["filename"] for d in listed] == [kept]
    for url in (f"/v1/agreements/{document}/content", f"/ui/agreements/{document}"):
        got = stack.client.get(url, headers=stack.login(OFFICER))
        assert got.status_code == 200, (url, got.text[:200])
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["cache-control"] == "private, no-store"
        disposition = got.headers["content-disposition"]
        assert disposition.isascii()
        if kept.isascii():
            assert disposition == f'attachment; filename="{kept}"'
        else:
            fallback, exact = disposition.split("; filename*=UTF-8''")
            assert unquote(exact) == kept
            assert fallback.startswith('attachment; filename="') and fallback.isascii()


def test_the_pages_keep_no_file_of_a_refused_upload(stack: Stack) -> None:
    """The document form of the pages, signed in by header (as behind a gateway): an empty
    file and another province's agreement are refused, and nothing stays on disk."""
    agreement_id = draft(stack)
    before = files_in(stack.settings.documents_path)
    for user, target, content, status in (
        (OFFICER, agreement_id, b"", 422),
        ("officer@da-nang", agreement_id, unique_pdf(), 404),
    ):
        r = stack.client.post(
            f"/ui/agreements/{target}/documents",
            data={"kind": "PROPOSAL", "language": "vi"},
            files={"file": ("de-xuat.pdf", content, "application/pdf")},
            headers=stack.login(user, "vi"),
        )
        assert r.status_code == status, r.text[:300]
        if status == 422:
            assert "Tệp rỗng." in r.text
    assert files_in(stack.settings.documents_path) == before
