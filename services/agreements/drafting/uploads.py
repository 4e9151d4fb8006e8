"""Receiving a document a person uploads: its type, size, content and name are checked, the
file is stored under its SHA-256, and it is attached to the agreement (documents.attach_document
decides who may attach what, and when)."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import BinaryIO, Final, Protocol

from sqlmodel import Session

from common.auth import Principal
from common.db import Database
from common.law.drafting import Violation, is_known_language
from common.law.vocabulary import DocumentKind
from services.agreements.drafting import documents
from services.agreements.errors import PayloadTooLarge, RulesBroken, Unprocessable, UnsupportedMedia
from services.agreements.models import Document
from services.agreements.storage import (
    ALLOWED_MEDIA_TYPES,
    DocumentStore,
    StoredBlob,
    TooLarge,
    content_matches,
)
from services.agreements.unit_of_work import write

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
    """A file as a person sent it, with the store that keeps it and the largest size accepted
    (settings.max_document_bytes)."""

    stream: BinaryIO
    filename: str | None
    content_type: str | None
    store: DocumentStore
    max_bytes: int

    @classmethod
    def of(cls, sent: SentFile, *, store: DocumentStore, max_bytes: int) -> Upload:
        return cls(sent.file, sent.filename, sent.content_type, store, max_bytes)


@dataclass(frozen=True)
class Received:
    """An upload that passed the checks and is stored, not yet attached to anything."""

    blob: StoredBlob
    media_type: str
    filename: str


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


def receive(upload: Upload) -> Received:
    """Check the type, store the content (refusing it past the size limit), then check that
    the content is what its type says. Who may attach is checked when it is attached: a
    refused upload leaves its blob unreferenced, and content-addressed files are reachable only
    through a document row."""
    media_type = media_type_of(upload.filename, upload.content_type)
    if media_type not in ALLOWED_MEDIA_TYPES:
        raise UnsupportedMedia("media_type_not_allowed", media_type=media_type)
    try:
        blob = upload.store.put(upload.stream, upload.max_bytes)
    except TooLarge as exc:
        raise PayloadTooLarge("file_too_large", limit_mb=exc.limit // (1024 * 1024)) from exc
    if blob.size == 0:
        raise Unprocessable("empty_file")
    if not content_matches(media_type, blob.head):
        raise UnsupportedMedia("content_mismatch", media_type=media_type)
    # Only the base name, whichever separator the sender's system uses.
    filename = (upload.filename or "document").replace("\\", "/").rsplit("/", 1)[-1][:255]
    return Received(blob, media_type, filename)


def attach(
    session: Session,
    *,
    principal: Principal,
    agreement_id: str,
    kind: DocumentKind,
    language: str,
    received: Received,
) -> Document:
    return documents.attach_document(
        session,
        principal=principal,
        agreement_id=agreement_id,
        kind=kind,
        language=language,
        filename=received.filename,
        media_type=received.media_type,
        blob=received.blob,
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
    """Check, store and attach a document in its own transaction."""
    language = checked_language(language)
    received = receive(upload)
    return write(
        db,
        attach,
        principal=principal,
        agreement_id=agreement_id,
        kind=kind,
        language=language,
        received=received,
    )
