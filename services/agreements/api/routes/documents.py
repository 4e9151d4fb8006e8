"""Dossier documents: /v1/agreements/{id}/documents."""

from __future__ import annotations

import base64
import mimetypes
from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile
from fastapi.responses import FileResponse
from sqlmodel import Session

from common.deps import DatabaseDep
from common.law.drafting import Violation, is_known_language
from common.law.vocabulary import DocumentKind
from services.agreements.api.deps import PROBLEM_RESPONSES as _PROBLEMS
from services.agreements.api.deps import CurrentPrincipal, IdempotencyDep, SettingsDep, StoreDep
from services.agreements.drafting import service
from services.agreements.errors import (
    PayloadTooLarge,
    RulesBroken,
    Unprocessable,
    UnsupportedMedia,
)
from services.agreements.idempotency import execute_write, fingerprint
from services.agreements.models import DocumentPublic, DocumentsPublic
from services.agreements.storage import ALLOWED_MEDIA_TYPES, TooLarge, content_matches

router = APIRouter(prefix="/v1/agreements/{agreement_id}/documents", tags=["documents"])


def _media_type(upload: UploadFile) -> str:
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if declared and declared != "application/octet-stream":
        return declared
    guessed, _ = mimetypes.guess_type(upload.filename or "")
    return guessed or declared or "application/octet-stream"


@router.post(
    "",
    status_code=201,
    response_model=DocumentPublic,
    responses=_PROBLEMS
    | {
        413: {"description": "file too large"},
        415: {"description": "file type not accepted"},
    },
)
def upload_document(
    agreement_id: str,
    kind: Annotated[DocumentKind, Form()],
    language: Annotated[str, Form(min_length=2, max_length=8, description="ISO 639-1")],
    file: Annotated[UploadFile, File(description="PDF, DOCX, DOC, ODT or UTF-8 text")],
    principal: CurrentPrincipal,
    db: DatabaseDep,
    store: StoreDep,
    settings: SettingsDep,
    idem: IdempotencyDep,
) -> Response:
    """Attach a file to the dossier; it is stored under its SHA-256."""
    language = language.strip().lower()
    if not is_known_language(language):
        raise RulesBroken([Violation("language", "unknown_language", {"value": language})])
    media_type = _media_type(file)
    if media_type not in ALLOWED_MEDIA_TYPES:
        raise UnsupportedMedia("media_type_not_allowed", media_type=media_type)
    # Who may attach is checked in the write transaction below. A refused upload leaves its
    # blob unreferenced: content-addressed files are reachable only through a document row.
    try:
        blob = store.put(file.file, settings.max_document_bytes)
    except TooLarge as exc:
        raise PayloadTooLarge("file_too_large", limit_mb=exc.limit // (1024 * 1024)) from exc
    if blob.size == 0:
        raise Unprocessable("empty_file")
    if not content_matches(media_type, blob.head):
        raise UnsupportedMedia("content_mismatch", media_type=media_type)
    filename = (file.filename or "document").replace("\\", "/").rsplit("/", 1)[-1][:255]

    def action(session: Session) -> tuple[int, str, dict[str, str]]:
        doc = service.attach_document(
            session,
            principal=principal,
            agreement_id=agreement_id,
            kind=kind,
            language=language,
            filename=filename,
            media_type=media_type,
            blob=blob,
        )
        location = f"/v1/agreements/{agreement_id}/documents/{doc.id}"
        return 201, service.document_public(doc).model_dump_json(), {"Location": location}

    fp = fingerprint(
        "POST",
        f"/v1/agreements/{agreement_id}/documents",
        {"kind": kind.value, "language": language, "sha256": blob.sha256, "filename": filename},
    )
    return execute_write(db, idem, fp, action)


@router.get("", response_model=DocumentsPublic, responses=_PROBLEMS)
def list_documents(
    agreement_id: str, principal: CurrentPrincipal, db: DatabaseDep
) -> DocumentsPublic:
    with db.session() as session:
        docs = service.list_documents(session, principal=principal, agreement_id=agreement_id)
        return DocumentsPublic(data=[service.document_public(d) for d in docs], count=len(docs))


@router.get("/{document_id}", response_model=DocumentPublic, responses=_PROBLEMS)
def get_document(
    agreement_id: str, document_id: str, principal: CurrentPrincipal, db: DatabaseDep
) -> DocumentPublic:
    with db.session() as session:
        doc = service.get_document(
            session, principal=principal, agreement_id=agreement_id, document_id=document_id
        )
        return service.document_public(doc)


@router.get("/{document_id}/content", response_class=FileResponse, responses=_PROBLEMS)
def download_document(
    agreement_id: str,
    document_id: str,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    store: StoreDep,
) -> FileResponse:
    """The file itself, with its digest so the receiver can verify it."""
    with db.session() as session:
        doc = service.get_document(
            session, principal=principal, agreement_id=agreement_id, document_id=document_id
        )
    digest = base64.b64encode(bytes.fromhex(doc.sha256)).decode()
    return FileResponse(
        store.path_of(doc.sha256),
        media_type=doc.media_type,
        filename=doc.filename,
        headers={"Repr-Digest": f"sha-256=:{digest}:", "ETag": f'"{doc.sha256}"'},
    )
