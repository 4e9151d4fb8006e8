"""Receiving a document a person uploads: who may attach it is asked first (documents decides
who may attach what, and when); then its type, size, content and name are checked, and only
once it is attached is the file stored under its SHA-256. A refused or failed upload leaves
nothing on disk."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, Final, Protocol

from sqlmodel import Session

from common.auth import Principal
from common.db import Database
from common.filenames import safe_filename
from common.law.drafting import Violation, is_known_language
from common.law.vocabulary import DocumentKind
from services.agreements.drafting import documents
from services.agreements.drafting.service import AgreementRef
from services.agreements.errors import FileRefused, PayloadTooLarge, RulesBroken, UnsupportedMedia
from services.agreements.models import Document
from services.agreements.storage import (
    ALLOWED_MEDIA_TYPES,
    CHUNK,
    DocumentStore,
    Staged,
    StoredBlob,
    TooLarge,
    content_matches,
)
from services.agreements.unit_of_work import read, write

# The proposer's own dossier kinds (the signed text has its own form, opinions their task).
DOSSIER_KINDS: Final = (
    DocumentKind.PROPOSAL,
    DocumentKind.DRAFT_TEXT,
    DocumentKind.TRANSLATION,
    DocumentKind.IMPLEMENTATION_PLAN,
    DocumentKind.IMPACT_ASSESSMENT,
    DocumentKind.OTHER,
)


class SentFile(Protocol):
    """A file part of a request as web frameworks hand it over (FastAPI's and Starlette's
    UploadFile both are one)."""

    @property
    def file(self) -> BinaryIO: ...

    @property
    def filename(self) -> str | None: ...

    @property
    def content_type(self) -> str | None: ...


@dataclass(frozen=True)
class Upload:
    """A file as a person sent it, with the store that keeps it, the largest size accepted
    (settings.max_document_bytes), the form field it came in (named by a refusal) and its size
    when the framework counted it (None: unknown)."""

    stream: BinaryIO
    filename: str | None
    content_type: str | None
    store: DocumentStore
    max_bytes: int
    field: str = "file"
    size: int | None = None

    @classmethod
    def of(
        cls, sent: SentFile, *, store: DocumentStore, max_bytes: int, field: str = "file"
    ) -> Upload:
        size = getattr(sent, "size", None)  # Starlette counts the bytes it received
        return cls(
            sent.file,
            sent.filename,
            sent.content_type,
            store,
            max_bytes,
            field,
            size if isinstance(size, int) else None,
        )

    @property
    def small(self) -> bool:
        """Known to fit in one chunk of the store, which then stages it in memory: checking
        and hashing it inside the write transaction holds no other writer up for long."""
        return self.size is not None and self.size <= CHUNK


@dataclass(frozen=True)
class Received:
    """An upload that passed the checks, staged but not in the store until it is attached."""

    staged: Staged
    media_type: str
    filename: str

    @property
    def blob(self) -> StoredBlob:
        return self.staged.blob


def media_type_of(filename: str | None, declared: str | None) -> str:
    """The declared type; browsers that say nothing useful get the one its name suggests."""
    declared = (declared or "").split(";")[0].strip().lower()
    if declared and declared != "application/octet-stream":
        return declared
    guessed, _ = mimetypes.guess_type(filename or "")
    return guessed or declared or "application/octet-stream"


def checked_language(language: str) -> str:
    """An ISO 639-1 code as the dossier records it; any other text is a broken rule."""
    language = language.strip().lower()
    if not is_known_language(language):
        raise RulesBroken([Violation("language", "unknown_language", {"value": language})])
    return language


@contextmanager
def receive(upload: Upload) -> Iterator[Received]:
    """Check the type, read the content into staging (refusing it past the size limit, or
    empty), then check that the content is what its type says. Nothing reaches the store
    inside the block unless the upload is attached (`attach` keeps it); whatever was staged
    is removed when the block ends, refused or failed."""
    media_type = media_type_of(upload.filename, upload.content_type)
    if media_type not in ALLOWED_MEDIA_TYPES:
        raise UnsupportedMedia("media_type_not_allowed", media_type=media_type)
    try:
        staged = upload.store.stage(upload.stream, upload.max_bytes)
    except TooLarge as exc:
        raise PayloadTooLarge("file_too_large", limit_mb=exc.limit // (1024 * 1024)) from exc
    try:
        if staged.blob.size == 0:
            raise FileRefused("empty_file", field=upload.field)
        if not content_matches(media_type, staged.blob.head):
            raise UnsupportedMedia("content_mismatch", media_type=media_type)
        yield Received(staged, media_type, safe_filename(upload.filename))
    finally:
        if not staged.kept:
            staged.discard()


def may_attach(
    session: Session, *, principal: Principal, agreement_id: str, kind: DocumentKind
) -> AgreementRef:
    """Refuses (404, 403, 409, 422) unless the caller may attach a document of `kind` now:
    asked before a byte of the file is staged, and again when it is attached in another
    transaction. Returns the agreement it would be attached to."""
    return documents.attach_target(session, principal, agreement_id, kind)


def attach(
    session: Session,
    *,
    principal: Principal,
    agreement_id: str,
    kind: DocumentKind,
    language: str,
    received: Received,
    target: AgreementRef | None = None,
) -> Document:
    """The document row, then its file into the store: a refused attachment keeps nothing.
    (Should the commit still fail, the kept file is unreferenced, hence unreachable, and the
    same content uploaded again reuses it.) `target`: what `may_attach` answered in this
    transaction, so it is not asked twice."""
    doc = documents.attach_document(
        session,
        principal=principal,
        agreement_id=agreement_id,
        kind=kind,
        language=language,
        filename=received.filename,
        media_type=received.media_type,
        blob=received.blob,
        target=target,
    )
    session.flush()
    received.staged.keep()
    return doc


def _check_and_attach(
    session: Session,
    *,
    principal: Principal,
    agreement_id: str,
    kind: DocumentKind,
    language: str,
    upload: Upload,
) -> Document:
    """Who may attach, then the file's checks, then the row, in the caller's transaction: for
    a small upload, which is staged in memory (the refusals come in the same order as by
    `may_attach` first)."""
    target = may_attach(session, principal=principal, agreement_id=agreement_id, kind=kind)
    with receive(upload) as received:
        return attach(
            session,
            principal=principal,
            agreement_id=agreement_id,
            kind=kind,
            language=language,
            received=received,
            target=target,
        )


def upload_document(
    db: Database,
    *,
    principal: Principal,
    agreement_id: str,
    kind: DocumentKind,
    language: str,
    upload: Upload,
) -> Document:
    """Check who may attach, then check, stage and attach the file: a small file in one
    transaction, a larger one only after a transaction of its own has said who may attach."""
    language = checked_language(language)
    if upload.small:
        return write(
            db,
            _check_and_attach,
            principal=principal,
            agreement_id=agreement_id,
            kind=kind,
            language=language,
            upload=upload,
        )
    read(db, may_attach, principal=principal, agreement_id=agreement_id, kind=kind)
    with receive(upload) as received:
        return write(
            db,
            attach,
            principal=principal,
            agreement_id=agreement_id,
            kind=kind,
            language=language,
            received=received,
        )
