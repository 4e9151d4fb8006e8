"""The province's actions once an agreement is approved: recording its signing, and sending
the signed copy (or the notice of an ending) to its recipient. Checked here against the
dossier and the dates; the workflow then takes them as updates. The API and the pages both
act through `record_signing` and `deliver_copy`."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Any

from anyio import to_thread
from dateutil.relativedelta import relativedelta
from sqlmodel import Session, col, select

from common.auth import Principal
from common.db import Database, utcnow
from common.law.calendar import local_date
from common.law.drafting import Violation
from common.law.signing import (
    Comparison,
    TextMatch,
    TextVersion,
    check_signing_date,
    compare_signed_texts,
    text_changed,
)
from common.law.vocabulary import (
    PRIMARY_DUTIES,
    AgreementStatus,
    CaseKind,
    DocumentKind,
    Outcome,
    TaskKind,
    TaskStatus,
    duty_of,
)
from services.agreements.domain import access
from services.agreements.drafting import service, uploads
from services.agreements.errors import Conflict, Forbidden, RulesBroken, SignedTextDiffers
from services.agreements.inbox import tasks
from services.agreements.models import (
    Agreement,
    AgreementPublic,
    CopyDeliveredPublic,
    CopyDeliveryCreate,
    Document,
    SigningCreate,
    Task,
)
from services.agreements.procedure import texts
from services.agreements.procedure.engine import Engine, actor
from services.agreements.storage import DocumentStore
from services.agreements.unit_of_work import read
from workflows.lifecycle import contracts as c


def _own(session: Session, principal: Principal, agreement_id: str) -> Agreement:
    a = service.get_agreement(session, principal=principal, agreement_id=agreement_id)
    if not access.can_draft(principal, a.province):
        raise Forbidden("not_drafter")
    return a


def _latest_by_language(
    session: Session,
    agreement_id: str,
    kinds: tuple[DocumentKind, ...],
    among: set[str] | None = None,
) -> dict[str, Document]:
    """The latest document of these kinds in each language (among the given hashes, if any)."""
    docs = session.exec(
        select(Document)
        .where(Document.agreement_id == agreement_id, col(Document.kind).in_(kinds))
        .order_by(col(Document.uploaded_at), col(Document.id))
    ).all()
    return {d.language: d for d in docs if among is None or d.sha256 in among}


def compare_texts(
    session: Session, store: DocumentStore, a: Agreement
) -> tuple[list[Comparison], dict[str, Document]]:
    """Each language version of the approved draft text against its signed counterpart:
    by hash first, by the words read from both files when the hashes differ."""
    # The approved version of a language: its draft text, or a signed text that was sent back
    # to consultation and approved in turn.
    approved = _latest_by_language(
        session,
        a.id,
        (DocumentKind.DRAFT_TEXT, DocumentKind.SIGNED_TEXT),
        set(a.approved_text_sha256),
    )
    signed = _latest_by_language(session, a.id, (DocumentKind.SIGNED_TEXT,))

    def version(d: Document, read: bool) -> TextVersion:
        text = texts.read_text(store.path_of(d.sha256), d.media_type) if read else None
        return TextVersion(d.sha256, text)

    approved_versions, signed_versions = {}, {}
    for language, doc in approved.items():
        counterpart = signed.get(language)
        read = counterpart is not None and counterpart.sha256 != doc.sha256
        approved_versions[language] = version(doc, read)
        if counterpart is not None:
            signed_versions[language] = version(counterpart, read)
    return compare_signed_texts(approved_versions, signed_versions), signed


def differences(comparisons: list[Comparison]) -> list[dict[str, Any]]:
    """For each language whose signed words differ from the approved ones, the two texts
    side by side, row by row, for a person to see what changed."""
    out = []
    for cmp in comparisons:
        if cmp.match is TextMatch.DIFFERENT and cmp.approved and cmp.signed:
            rows = texts.side_by_side(cmp.approved.text or "", cmp.signed.text or "")
            out.append({"language": cmp.language, "rows": rows})
    return out


def _decision_days(session: Session, a: Agreement) -> tuple[date, date | None]:
    """The day of the approving decision and of the Prime Minister's consent, if given."""
    assert a.decided_at is not None
    consent = session.exec(
        select(Task.answered_at)
        .where(
            Task.agreement_id == a.id,
            Task.kind == TaskKind.PM_OPINION,
            Task.outcome == Outcome.CONSENT.value,
        )
        .order_by(col(Task.answered_at).desc())
    ).first()
    return local_date(a.decided_at), local_date(consent) if consent else None


def term_end(effective_from: date, months: int) -> date:
    """The last day of a term of whole months: 36 months from 1 July 2027 ends 30 June 2030."""
    return effective_from + relativedelta(months=months) - timedelta(days=1)


def prepare_signing(
    session: Session,
    *,
    principal: Principal,
    agreement_id: str,
    body: SigningCreate,
    today: date,
    store: DocumentStore,
) -> c.Sign:
    a = _own(session, principal, agreement_id)
    if a.status is not AgreementStatus.APPROVED:
        raise Conflict("not_approved", status=a.status.value)
    comparisons, signed_docs = compare_texts(session, store, a)
    effective_from = body.effective_from or body.signed_on
    violations: list[Violation] = []
    if not signed_docs:
        violations.append(Violation("documents", "signed_text_required"))
    else:
        violations += [
            Violation("documents", "signed_text_missing", {"language": cmp.language})
            for cmp in comparisons
            if cmp.match is TextMatch.MISSING
        ]
    decided_on, consent_on = _decision_days(session, a)
    violations += check_signing_date(
        body.signed_on, decided_on=decided_on, pm_consent_on=consent_on, today=today
    )
    if effective_from < body.signed_on:
        violations.append(
            Violation(
                "effective_from",
                "effective_before_signing",
                {"value": effective_from, "signed_on": body.signed_on},
            )
        )
    if body.expires_on and body.term_months:
        violations.append(Violation("expires_on", "expiry_or_term"))
    expires_on = body.expires_on
    if expires_on is None and body.term_months:
        expires_on = term_end(effective_from, body.term_months)
    elif expires_on is None and a.case_kind is CaseKind.CONCLUSION and a.term_months:
        expires_on = term_end(effective_from, a.term_months)
    elif expires_on is None and a.case_kind is not CaseKind.CONCLUSION:
        expires_on = a.expires_on  # the end proposed when the change was opened
    if expires_on is not None and expires_on <= effective_from:
        violations.append(
            Violation(
                "expires_on",
                "expiry_before_effect",
                {"value": expires_on, "effective_from": effective_from},
            )
        )
    if {s.side for s in body.signatories} != {"VIETNAMESE", "FOREIGN"}:
        violations.append(Violation("signatories", "signatories_both_sides"))
    if violations:
        raise RulesBroken(violations)
    changed = text_changed(comparisons)
    if changed and not body.acknowledge_text_changed:
        raise SignedTextDiffers(comparisons)
    # The signed text the record names: the Vietnamese version, or the first language's.
    primary = signed_docs.get("vi") or signed_docs[sorted(signed_docs)[0]]
    return c.Sign(
        actor=actor(principal),
        signed_on=body.signed_on,
        place=body.place,
        signatories=[
            c.SignatoryInput(side=s.side, name=s.name, title=s.title, authorised_by=s.authorised_by)
            for s in body.signatories
        ],
        effective_from=effective_from,
        expires_on=expires_on,
        signed_text_sha256=primary.sha256,
        text_changed=changed,
        text_matches={cmp.language: cmp.match.value for cmp in comparisons},
    )


def prepare_copy_delivery(
    session: Session,
    *,
    principal: Principal,
    agreement_id: str,
    body: CopyDeliveryCreate,
    today: date,
) -> c.DeliverCopy:
    a = _own(session, principal, agreement_id)
    owed = session.exec(
        select(Task).where(
            Task.agreement_id == a.id,
            Task.kind == TaskKind.COPY_DELIVERY,
            Task.status == TaskStatus.OPEN,
        )
    ).all()
    duties = {t.duty or duty_of(a.case_kind) for t in owed}
    if not duties or (body.duty is not None and body.duty not in duties):
        raise Conflict("no_copy_due")
    if body.duty is None and len(duties) > 1:
        choices = ", ".join(sorted(duties))
        raise RulesBroken([Violation("duty", "duty_required", {"allowed": choices})])
    duty = body.duty or next(iter(duties))
    delivered_on = body.delivered_on or today
    if delivered_on > today:
        raise RulesBroken([Violation("delivered_on", "date_in_future", {"value": delivered_on})])
    return c.DeliverCopy(
        actor=actor(principal),
        delivered_on=delivered_on,
        note=body.note,
        duty=None if duty in PRIMARY_DUTIES else duty,
    )


# --- the whole action: checked, sent to the workflow, read back ------------------------------


def attach_signed_text(
    db: Database,
    *,
    principal: Principal,
    agreement_id: str,
    upload: uploads.Upload,
    language: str | None = None,
) -> Document:
    """A signed language version; without a language, the agreement's Vietnamese version
    (or its first language)."""
    if language is None:
        a = read(db, service.get_agreement, principal=principal, agreement_id=agreement_id)
        language = "vi" if "vi" in a.languages else a.languages[0]
    return uploads.upload_document(
        db,
        principal=principal,
        agreement_id=agreement_id,
        kind=DocumentKind.SIGNED_TEXT,
        language=language,
        upload=upload,
    )


def _signing(
    db: Database,
    store: DocumentStore,
    principal: Principal,
    agreement_id: str,
    body: SigningCreate,
    signed_texts: dict[str, uploads.Upload],
    today: date,
) -> c.Sign:
    for language, upload in signed_texts.items():
        attach_signed_text(
            db, principal=principal, agreement_id=agreement_id, upload=upload, language=language
        )
    return read(
        db,
        prepare_signing,
        principal=principal,
        agreement_id=agreement_id,
        body=body,
        today=today,
        store=store,
    )


async def record_signing(
    *,
    db: Database,
    engine: Engine,
    store: DocumentStore,
    principal: Principal,
    agreement_id: str,
    body: SigningCreate,
    update_id: str,
    signed_texts: dict[str, uploads.Upload] | None = None,
    today: date | None = None,
) -> AgreementPublic:
    """Record the signing of an approved agreement, attaching the signed language versions
    first when they are sent with it. Each language of the approved text needs its signed
    version; one that is not the approved file byte for byte is compared by its words, and a
    different text is refused unless `acknowledge_text_changed`, which sends it back to
    consultation. The date must follow the decision (and the Prime Minister's consent)."""
    sign = await to_thread.run_sync(
        partial(
            _signing,
            db,
            store,
            principal,
            agreement_id,
            body,
            signed_texts or {},
            today or local_date(utcnow()),
        )
    )
    await engine.update(agreement_id, c.UPDATE_SIGN, sign, update_id=update_id)

    def read_back() -> AgreementPublic:
        a = read(db, service.get_agreement, principal=principal, agreement_id=agreement_id)
        return service.to_public(a)

    return await to_thread.run_sync(read_back)


def _receipt(
    session: Session, *, principal: Principal, agreement_id: str, receipt_id: str
) -> CopyDeliveredPublic:
    a = service.get_agreement(session, principal=principal, agreement_id=agreement_id)
    # The recipient's task, not the caller's: they may see it because they just caused it.
    receipt = session.get(Task, receipt_id)
    assert receipt is not None
    return CopyDeliveredPublic(agreement_status=a.status, receipt=tasks.to_public(receipt, a))


async def deliver_copy(
    *,
    db: Database,
    engine: Engine,
    principal: Principal,
    agreement_id: str,
    body: CopyDeliveryCreate,
    update_id: str,
    today: date | None = None,
) -> CopyDeliveredPublic:
    """The signed copy and the report (or the notice of an ending) were sent: the recipient
    gets a COPY_RECEIPT task to acknowledge it."""
    delivery = await to_thread.run_sync(
        partial(
            read,
            db,
            prepare_copy_delivery,
            principal=principal,
            agreement_id=agreement_id,
            body=body,
            today=today or local_date(utcnow()),
        )
    )
    result = await engine.update(agreement_id, c.UPDATE_DELIVER_COPY, delivery, update_id=update_id)
    assert result.task is not None  # the workflow always opens the receipt
    return await to_thread.run_sync(
        partial(
            read,
            db,
            _receipt,
            principal=principal,
            agreement_id=agreement_id,
            receipt_id=result.task.task_id,
        )
    )
