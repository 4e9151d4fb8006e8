"""The province's actions once an agreement is approved: recording its signing, and sending
the signed copy (or the notice of an ending) to its recipient. Checked here against the
dossier and the dates; the workflow then takes them as updates. The API and the pages both
act through `record_signing` and `deliver_copy`."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from anyio import to_thread
from dateutil.relativedelta import relativedelta
from sqlmodel import Session, col, select

from common.auth import Principal
from common.db import Database, utcnow
from common.law.calendar import local_date
from common.law.drafting import Violation
from common.law.vocabulary import AgreementStatus, CaseKind, DocumentKind, TaskKind, TaskStatus
from services.agreements.domain import access
from services.agreements.drafting import service, uploads
from services.agreements.errors import Conflict, Forbidden, RulesBroken
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
from services.agreements.procedure.engine import Engine, actor
from services.agreements.unit_of_work import read, write
from workflows.lifecycle import contracts as c


def _own(session: Session, principal: Principal, agreement_id: str) -> Agreement:
    a = service.get_agreement(session, principal=principal, agreement_id=agreement_id)
    if not access.can_draft(principal, a.province):
        raise Forbidden("not_drafter")
    return a


def _signed_text(session: Session, agreement_id: str) -> Document | None:
    return session.exec(
        select(Document)
        .where(Document.agreement_id == agreement_id, Document.kind == DocumentKind.SIGNED_TEXT)
        .order_by(col(Document.uploaded_at).desc())
    ).first()


def term_end(effective_from: date, months: int) -> date:
    """The last day of a term of whole months: 36 months from 1 July 2027 ends 30 June 2030."""
    return effective_from + relativedelta(months=months) - timedelta(days=1)


def prepare_signing(
    session: Session, *, principal: Principal, agreement_id: str, body: SigningCreate, today: date
) -> c.Sign:
    a = _own(session, principal, agreement_id)
    if a.status is not AgreementStatus.APPROVED:
        raise Conflict("not_approved", status=a.status.value)
    signed = _signed_text(session, a.id)
    effective_from = body.effective_from or body.signed_on
    violations: list[Violation] = []
    if signed is None:
        violations.append(Violation("documents", "signed_text_required"))
    if body.signed_on > today:
        violations.append(Violation("signed_on", "date_in_future", {"value": body.signed_on}))
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
    assert signed is not None
    changed = signed.sha256 not in a.approved_text_sha256
    if changed and not body.acknowledge_text_changed:
        raise Conflict(
            "signed_text_differs",
            signed=signed.sha256[:12],
            approved=", ".join(h[:12] for h in a.approved_text_sha256) or "-",
        )
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
        signed_text_sha256=signed.sha256,
        text_changed=changed,
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
        select(Task.id).where(
            Task.agreement_id == a.id,
            Task.kind == TaskKind.COPY_DELIVERY,
            Task.status == TaskStatus.OPEN,
        )
    ).first()
    if owed is None:
        raise Conflict("no_copy_due")
    delivered_on = body.delivered_on or today
    if delivered_on > today:
        raise RulesBroken([Violation("delivered_on", "date_in_future", {"value": delivered_on})])
    return c.DeliverCopy(actor=actor(principal), delivered_on=delivered_on, note=body.note)


# --- the whole action: checked, sent to the workflow, read back ------------------------------


def attach_signed_text(
    db: Database, *, principal: Principal, agreement_id: str, upload: uploads.Upload
) -> Document:
    """The signed text, filed under the agreement's Vietnamese version when it has one."""
    a = read(db, service.get_agreement, principal=principal, agreement_id=agreement_id)
    language = "vi" if "vi" in a.languages else a.languages[0]
    received = uploads.receive(upload)
    return write(
        db,
        uploads.attach,
        principal=principal,
        agreement_id=agreement_id,
        kind=DocumentKind.SIGNED_TEXT,
        language=language,
        received=received,
    )


def _signing(
    db: Database,
    principal: Principal,
    agreement_id: str,
    body: SigningCreate,
    signed_text: uploads.Upload | None,
    today: date,
) -> c.Sign:
    if signed_text is not None:
        attach_signed_text(db, principal=principal, agreement_id=agreement_id, upload=signed_text)
    return read(
        db, prepare_signing, principal=principal, agreement_id=agreement_id, body=body, today=today
    )


async def record_signing(
    *,
    db: Database,
    engine: Engine,
    principal: Principal,
    agreement_id: str,
    body: SigningCreate,
    update_id: str,
    signed_text: uploads.Upload | None = None,
    today: date | None = None,
) -> AgreementPublic:
    """Record the signing of an approved agreement, attaching its signed text first when one
    is sent with it. A text that differs from the approved one is refused unless
    `acknowledge_text_changed`, which sends it back to consultation."""
    sign = await to_thread.run_sync(
        partial(
            _signing, db, principal, agreement_id, body, signed_text, today or local_date(utcnow())
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
