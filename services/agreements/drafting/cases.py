"""Changes to a signed agreement (Art. 33, 34): amendment, supplement, extension,
termination, withdrawal, suspension. Each opens a linked case: an agreement of its own kind,
drafted, documented and submitted like one, decided by the same leader."""

from __future__ import annotations

from typing import Final

from sqlmodel import Session, col, select

from common.auth import Principal
from common.law.deadlines import Timing
from common.law.drafting import Violation
from common.law.routing import change_case_touches, may_open_mandatory_termination
from common.law.vocabulary import CHANGE_KINDS, AgreementStatus, CaseKind
from services.agreements.domain import access
from services.agreements.drafting import service
from services.agreements.errors import Conflict, Forbidden, NotFound, RulesBroken
from services.agreements.models import (
    Agreement,
    AgreementCreate,
    AmendmentCreate,
    TerminationCreate,
)

# How a case's default title starts, in the words of the law.
TITLE_PREFIX: Final = {
    CaseKind.AMENDMENT: "Sửa đổi",
    CaseKind.SUPPLEMENT: "Bổ sung",
    CaseKind.EXTENSION: "Gia hạn",
    CaseKind.TERMINATION: "Chấm dứt hiệu lực",
    CaseKind.WITHDRAWAL: "Rút khỏi",
    CaseKind.SUSPENSION: "Tạm đình chỉ thực hiện",
    CaseKind.RESUMPTION: "Tiếp tục thực hiện",
}

# A case is in progress until it is rejected, signed (changes) or has taken effect (endings).
OPEN_CASE: Final = (
    AgreementStatus.DRAFT,
    AgreementStatus.SUBMITTED,
    AgreementStatus.RETURNED,
    AgreementStatus.IN_CONSULTATION,
    AgreementStatus.AWAITING_PM_OPINION,
    AgreementStatus.AWAITING_DECISION,
    AgreementStatus.APPROVED,
)
CHANGEABLE: Final = {
    CaseKind.AMENDMENT: (AgreementStatus.SIGNED, AgreementStatus.IN_FORCE),
    CaseKind.SUPPLEMENT: (AgreementStatus.SIGNED, AgreementStatus.IN_FORCE),
    CaseKind.EXTENSION: (AgreementStatus.SIGNED, AgreementStatus.IN_FORCE),
    CaseKind.TERMINATION: (
        AgreementStatus.SIGNED,
        AgreementStatus.IN_FORCE,
        AgreementStatus.SUSPENDED,
    ),
    CaseKind.WITHDRAWAL: (
        AgreementStatus.SIGNED,
        AgreementStatus.IN_FORCE,
        AgreementStatus.SUSPENDED,
    ),
    CaseKind.SUSPENSION: (AgreementStatus.SIGNED, AgreementStatus.IN_FORCE),
    # A suspension ends by a decision of the same decider: the agreement is in force again.
    CaseKind.RESUMPTION: (AgreementStatus.SUSPENDED,),
}


def default_title(parent: Agreement, kind: CaseKind) -> str:
    """ "Sửa đổi <the agreement's title>": a case's title unless the province gives one."""
    return f"{TITLE_PREFIX[kind]} {parent.title}"[:500]


def open_kinds(principal: Principal, agreement: Agreement) -> list[CaseKind]:
    """The cases the caller may open on the agreement now (none on a case itself)."""
    if not access.can_draft(principal, agreement.province):
        return []
    if agreement.case_kind is not CaseKind.CONCLUSION:
        return []
    return [kind for kind, allowed in CHANGEABLE.items() if agreement.status in allowed]


def cases_of(session: Session, *, principal: Principal, agreement: Agreement) -> list[Agreement]:
    """The cases opened on an agreement the caller reads, oldest first: those they may read."""
    rows = session.exec(
        select(Agreement)
        .where(Agreement.parent_id == agreement.id)
        .order_by(col(Agreement.created_at))
    )
    return [a for a in rows if service.can_read(session, principal, a)]


def list_cases(session: Session, *, principal: Principal, agreement_id: str) -> list[Agreement]:
    agreement = service.get_agreement(session, principal=principal, agreement_id=agreement_id)
    return cases_of(session, principal=principal, agreement=agreement)


def parent_of(session: Session, *, principal: Principal, agreement: Agreement) -> Agreement | None:
    """The agreement a case changes, when the caller may read it."""
    if not agreement.parent_id:
        return None
    parent = session.get(Agreement, agreement.parent_id)
    if parent is None or not service.can_read(session, principal, parent):
        return None
    return parent


def open_case(
    session: Session,
    *,
    principal: Principal,
    parent_id: str,
    body: AmendmentCreate | TerminationCreate,
    timing: Timing | None = None,
) -> Agreement:
    if isinstance(body, TerminationCreate) and body.mandatory:
        return _open_mandatory_termination(
            session, principal=principal, parent_id=parent_id, body=body, timing=timing or Timing()
        )
    parent = service.get_for_drafting(
        session, principal=principal, agreement_id=parent_id, expected_version=None
    )
    return _open(session, principal.subject, parent, body)


def _open_mandatory_termination(
    session: Session,
    *,
    principal: Principal,
    parent_id: str,
    body: TerminationCreate,
    timing: Timing,
) -> Agreement:
    """A termination the law makes mandatory (Art. 34), opened by the Ministry of Foreign
    Affairs or the agreement's decider with the reason recorded, and submitted at once: the
    procedure (consultation, the decider's decision, the notice) runs as for any termination."""
    if body.kind is not CaseKind.TERMINATION:
        raise RulesBroken([Violation("mandatory", "mandatory_is_termination")])
    parent = session.get(Agreement, parent_id)
    if parent is None or not may_open_mandatory_termination(
        role=principal.role,
        org=principal.org,
        level=parent.signatory_level,
        province=parent.province,
        provincial_org_decider=timing.provincial_org_decider,
    ):
        if parent is not None and service.can_read(session, principal, parent):
            raise Forbidden("not_mandatory_opener")
        # Whoever may not read it learns nothing of the agreement either.
        raise NotFound("agreement_not_found", id=parent_id)
    case = _open(session, principal.subject, parent, body)
    return service.submit_draft(session, case, submitted_by=principal.subject, documents=[])


def _open(
    session: Session, opened_by: str, parent: Agreement, body: AmendmentCreate | TerminationCreate
) -> Agreement:
    kind = CaseKind(body.kind)
    if parent.case_kind is not CaseKind.CONCLUSION or parent.status not in CHANGEABLE[kind]:
        raise Conflict("not_changeable", action=kind.value.lower(), status=parent.status.value)
    in_progress = session.exec(
        select(Agreement.id).where(
            Agreement.parent_id == parent.id, col(Agreement.status).in_(OPEN_CASE)
        )
    ).first()
    if in_progress is not None:
        raise Conflict("case_in_progress", id=in_progress)

    expires_on = parent.expires_on
    effective_on = None
    if isinstance(body, AmendmentCreate):
        if kind is CaseKind.EXTENSION and body.expires_on is None:
            raise RulesBroken([Violation("expires_on", "expires_on_required")])
        if body.expires_on is not None:
            if parent.expires_on is not None and body.expires_on <= parent.expires_on:
                raise RulesBroken(
                    [
                        Violation(
                            "expires_on",
                            "expiry_not_later",
                            {"value": body.expires_on, "current": parent.expires_on},
                        )
                    ]
                )
            expires_on = body.expires_on
    else:
        effective_on = body.effective_on

    content = service.as_create(parent) | {
        "title": body.title or default_title(parent, kind),
        "summary": body.summary,
        "procedure": body.procedure,
        "reduced_ground": body.reduced_ground,
        "reduced_reason": body.reduced_reason,
        # Consulted on at least what the agreement touched, so the same ministries answer.
        "touches": change_case_touches(parent.touches, body.touches),
        "related_bodies": list(body.related_bodies),
        # A change keeps the agreement's own language rule; an ending has no new text.
        "term_months": parent.term_months if kind in CHANGE_KINDS else None,
    }
    return service.new_draft(
        session,
        created_by=opened_by,
        data=AgreementCreate.model_validate(content),
        case={
            "case_kind": kind,
            "parent_id": parent.id,
            "effective_on": effective_on,
            "expires_on": expires_on,
            "mandatory": isinstance(body, TerminationCreate) and body.mandatory,
        },
    )
