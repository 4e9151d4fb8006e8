"""Dossier documents: /v1/agreements/{id}/documents."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile
from fastapi.responses import FileResponse
from sqlmodel import Session

from common.deps import DatabaseDep
from common.filenames import content_disposition
from common.law.vocabulary import DocumentKind
from services.agreements.api.deps import (
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    CurrentPrincipal,
    IdempotencyDep,
    SettingsDep,
    StoreDep,
)
from services.agreements.drafting import documents, uploads
from services.agreements.idempotency import execute_write, fingerprint
from services.agreements.models import Document, DocumentPublic, DocumentsPublic
from services.agreements.unit_of_work import read

router = APIRouter(prefix="/v1/agreements/{agreement_id}/documents", tags=["documents"])


@router.post(
    "",
    status_code=201,
    response_model=DocumentPublic,
    responses=WRITE_PROBLEMS
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
    """Attach a file to the dossier; it is stored under its SHA-256. Who may attach is asked
    before the file is read into the store, and a refused file leaves nothing behind."""
    upload = uploads.Upload.of(file, store=store, max_bytes=settings.max_document_bytes)
    path = f"/v1/agreements/{agreement_id}/documents"

    def created(doc: Document) -> tuple[int, str, dict[str, str]]:
        body = documents.document_public(doc).model_dump_json()
        return 201, body, {"Location": f"{path}/{doc.id}"}

    if not idem.key:  # no answer to keep for a retry: the use case the pages call
        doc = uploads.upload_document(
            db,
            principal=principal,
            agreement_id=agreement_id,
            kind=kind,
            language=language,
            upload=upload,
        )
        status_code, body, headers = created(doc)
        return Response(body, status_code, headers, media_type="application/json")
    # The use case above checks the language first; this path does it here, as the fingerprint
    # and the attachment both need the checked code.
    language = uploads.checked_language(language)
    if not idem.seen(db):  # a retry of a stored upload gets its answer, whatever happened since
        read(db, uploads.may_attach, principal=principal, agreement_id=agreement_id, kind=kind)
    with uploads.receive(upload) as received:

        def action(session: Session) -> tuple[int, str, dict[str, str]]:
            return created(
                uploads.attach(
                    session,
                    principal=principal,
                    agreement_id=agreement_id,
                    kind=kind,
                    language=language,
                    received=received,
                )
            )

        def fp() -> str:
            return fingerprint(
                "POST",
                path,
                {
                    "kind": kind.value,
                    "language": language,
                    "sha256": received.blob.sha256,
                    "filename": received.filename,
                },
            )

        return execute_write(db, idem, fp, action)


@router.get("", response_model=DocumentsPublic, responses=READ_PROBLEMS)
def list_documents(
    agreement_id: str, principal: CurrentPrincipal, db: DatabaseDep
) -> DocumentsPublic:
    with db.session() as session:
        docs = documents.list_documents(session, principal=principal, agreement_id=agreement_id)
        return DocumentsPublic(data=[documents.document_public(d) for d in docs], count=len(docs))


@router.get("/{document_id}", response_model=DocumentPublic, responses=READ_PROBLEMS)
def get_document(
    agreement_id: str, document_id: str, principal: CurrentPrincipal, db: DatabaseDep
) -> DocumentPublic:
    with db.session() as session:
        doc = documents.get_document(
            session, principal=principal, agreement_id=agreement_id, document_id=document_id
        )
        return documents.document_public(doc)


@router.get("/{document_id}/content", response_class=FileResponse, responses=READ_PROBLEMS)
def download_document(
    agreement_id: str,
    document_id: str,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    store: StoreDep,
) -> FileResponse:
    """The file itself, with its digest so the receiver can verify it."""
    with db.session() as session:
        doc = documents.get_document(
            session, principal=principal, agreement_id=agreement_id, document_id=document_id
        )
    digest = base64.b64encode(bytes.fromhex(doc.sha256)).decode()
    return FileResponse(
        store.path_of(doc.sha256),
        media_type=doc.media_type,
        headers={
            "Content-Disposition": content_disposition(doc.filename),
            "Repr-Digest": f"sha-256=:{digest}:",
            "ETag": f'"{doc.sha256}"',
            # As on the pages: the declared type only, and no copy kept on the way.
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
