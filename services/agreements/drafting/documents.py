"""Use cases of a dossier's documents: attaching one (the dossier while drafting, the signed
text once approved, a written opinion by whoever answers a task), listing and reading them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from common.auth import Principal
from common.db import insert_row
from common.events.payloads import DocumentAttachedV1
from common.filenames import safe_filename
from common.law.drafting import Violation
from common.law.vocabulary import EDITABLE_STATUSES, AgreementStatus, DocumentKind, TaskStatus
from services.agreements import events
from services.agreements.domain import access
from services.agreements.drafting import service
from services.agreements.errors import Conflict, Forbidden, NotFound, RulesBroken
from services.agreements.models import Document, DocumentPublic, Task
from services.agreements.outbox import add_event
from services.agreements.storage import StoredBlob


def document_public(d: Document) -> DocumentPublic:
    public = DocumentPublic.model_validate(d, from_attributes=True)
    # Names are made safe when received; one kept before that is made safe when shown.
    public.filename = safe_filename(d.filename)
    return public


def attach_target(
    session: Session, principal: Principal, agreement_id: str, kind: DocumentKind
) -> service.AgreementRef:
    """The province attaches its dossier while it is a draft or returned, and the signed text
    once approved; whoever answers a task attaches their written opinion (OPINION)."""
    a = service.get_ref(session, principal=principal, agreement_id=agreement_id)
    if access.can_draft(principal, a.province):
        if kind is DocumentKind.OPINION:
            raise RulesBroken([Violation("kind", "opinion_by_answering_body")])
        if a.status in EDITABLE_STATUSES:
            return a
        if a.status is AgreementStatus.APPROVED and kind is DocumentKind.SIGNED_TEXT:
            return a
        raise Conflict("not_editable", status=a.status.value)
    scope = access.task_scope(principal)
    if kind is DocumentKind.OPINION and scope is not None:
        open_task = session.exec(
            service.tasks_of(scope).where(Task.agreement_id == a.id, Task.status == TaskStatus.OPEN)
        ).first()
        if open_task is not None:
            return a
    raise Forbidden("not_drafter")


def attach_document(
    session: Session,
    *,
    principal: Principal,
    agreement_id: str,
    kind: DocumentKind,
    language: str,
    filename: str,
    media_type: str,
    blob: StoredBlob,
    target: service.AgreementRef | None = None,
) -> Document:
    """`target`: the agreement `attach_target` answered earlier in this transaction."""
    a = target if target is not None else attach_target(session, principal, agreement_id, kind)
    doc = Document(
        agreement_id=a.id,
        kind=kind,
        language=language,
        filename=filename,
        media_type=media_type,
        size=blob.size,
        sha256=blob.sha256,
        uploaded_by=principal.subject,
    )
    insert_row(session, doc)  # the unit of work's flush of it was a tenth of an upload's CPU
    add_event(
        session,
        DocumentAttachedV1(
            agreement_id=a.id,
            province=a.province,
            document=events.document_ref(doc),
            attached_by=principal.subject,
            attached_at=doc.uploaded_at,
        ),
    )
    return doc


def list_documents(session: Session, *, principal: Principal, agreement_id: str) -> list[Document]:
    service.get_agreement(session, principal=principal, agreement_id=agreement_id)
    return list(
        session.exec(
            select(Document)
            .where(Document.agreement_id == agreement_id)
            .order_by(col(Document.uploaded_at), col(Document.id))
        )
    )


def get_document(
    session: Session, *, principal: Principal, agreement_id: str, document_id: str
) -> Document:
    service.get_agreement(session, principal=principal, agreement_id=agreement_id)
    doc = session.get(Document, document_id)
    if doc is None or doc.agreement_id != agreement_id:
        raise NotFound("document_not_found", id=document_id)
    return doc
