"""Use cases of drafting and submission: one keyword-only function each. Each runs inside the
caller's transaction and queues its event in the outbox; the caller commits once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from common.auth import Principal
from common.db import utcnow
from common.events.payloads import (
    AgreementDeletedV1,
    AgreementDraftedV1,
    AgreementSubmittedV1,
    AgreementUpdatedV1,
)
from common.law.drafting import (
    DocumentFacts,
    DraftFacts,
    Violation,
    check_dossier,
    check_draft,
    check_submitter,
)
from common.law.routing import consultation_route
from common.law.vocabulary import (
    EDITABLE_STATUSES,
    SUBMITTABLE_STATUSES,
    AgreementStatus,
)
from common.provinces import current_unit
from common.text import fold
from services.agreements import events
from services.agreements.domain import access
from services.agreements.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    RulesBroken,
)
from services.agreements.models import (
    Agreement,
    AgreementCreate,
    AgreementPublic,
    AgreementUpdate,
    Document,
    ForeignParty,
    RoutedBodyPublic,
    Task,
)
from services.agreements.outbox import add_event

# --- projections ---------------------------------------------------------------------------


def to_public(a: Agreement) -> AgreementPublic:
    return AgreementPublic(
        id=a.id,
        version=a.version,
        status=a.status,
        title=a.title,
        foreign_title=a.foreign_title,
        form=a.form,
        form_name=a.form_name,
        category=a.category,
        signatory_level=a.signatory_level,
        signatory_unit=a.signatory_unit,
        province=a.province,
        foreign_party=ForeignParty(
            name=a.partner_name, country=a.partner_country or None, type=a.partner_type
        ),
        fields=list(a.fields),
        summary=a.summary,
        languages=list(a.languages),
        procedure=a.procedure,
        reduced_ground=a.reduced_ground,
        reduced_reason=a.reduced_reason,
        touches=list(a.touches),
        consultation_route=route_of(a),
        related_bodies=list(a.related_bodies),
        occasion=a.occasion,
        term_months=a.term_months,
        created_by=a.created_by,
        created_at=a.created_at,
        updated_at=a.updated_at,
        submitted_by=a.submitted_by,
        submitted_at=a.submitted_at,
        **{name: getattr(a, name) for name in _LIFECYCLE_FIELDS},
    )


def route_of(a: Agreement) -> list[RoutedBodyPublic]:
    """The bodies the law consults on this agreement and why: what the workflow will ask
    once it is submitted (the same function), shown on the draft before that."""
    try:
        route = consultation_route(
            signatory_level=a.signatory_level,
            province=a.province,
            touches=a.touches,
            fields=a.fields,
            related_bodies=a.related_bodies,
        )
    except ValueError:  # a related body no longer in the catalogue: the draft says so
        return []
    return [RoutedBodyPublic(body=b.code, reasons=list(b.reasons)) for b in route]


# Columns shown as they are stored, beyond the draft's own content.
_LIFECYCLE_FIELDS = (
    "round",
    "case_kind",
    "parent_id",
    "effective_on",
    "mandatory",
    "reference",
    "imported",
    "historical_unit",
    "approved_text_sha256",
    "decided_by",
    "decided_at",
    "signed_on",
    "signing_place",
    "signatories",
    "signed_text_sha256",
    "effective_from",
    "expires_on",
    "copy_due_on",
    "copy_delivered_at",
    "copy_delivered_on",
    "copy_received_at",
)


def draft_facts(a: Agreement) -> DraftFacts:
    return DraftFacts(
        title=a.title,
        foreign_title=a.foreign_title,
        form=a.form,
        form_name=a.form_name,
        category=a.category,
        signatory_level=a.signatory_level,
        province=a.province,
        partner_country=a.partner_country,
        partner_type=a.partner_type,
        languages=list(a.languages),
        procedure=a.procedure,
        reduced_reason=a.reduced_reason,
        related_bodies=list(a.related_bodies),
        case_kind=a.case_kind,
        reduced_ground=a.reduced_ground,
    )


def _columns(data: AgreementCreate) -> dict[str, Any]:
    """The stored columns a draft's content sets."""
    fields = [f.value for f in data.fields]
    return {
        "title": data.title,
        "foreign_title": data.foreign_title or None,
        "form": data.form,
        "form_name": data.form_name,
        "category": data.category,
        "signatory_level": data.signatory_level,
        "signatory_unit": data.signatory_unit,
        "province": data.province,
        "partner_name": data.foreign_party.name,
        # An international organisation belongs to no country: stored as "" (events too).
        "partner_country": data.foreign_party.country or "",
        "partner_type": data.foreign_party.type,
        "fields": fields,
        "fields_index": "|" + "|".join(fields) + "|",
        "summary": data.summary,
        "languages": list(data.languages),
        "procedure": data.procedure,
        "reduced_ground": data.reduced_ground,
        "reduced_reason": data.reduced_reason,
        "touches": [t.value for t in data.touches],
        "related_bodies": list(data.related_bodies),
        "occasion": data.occasion,
        "term_months": data.term_months,
        "search_text": fold(f"{data.title} {data.summary} {data.foreign_party.name}"),
    }


def _apply(a: Agreement, data: AgreementCreate) -> None:
    for name, value in _columns(data).items():
        setattr(a, name, value)


def as_create(a: Agreement) -> dict[str, Any]:
    public = to_public(a).model_dump(mode="json")
    keep = AgreementCreate.model_fields.keys()
    return {k: v for k, v in public.items() if k in keep}


# --- lookups -------------------------------------------------------------------------------


# Built once: building a statement costs more than running it (SQLAlchemy caches the compiled
# form, not the construction), and nearly every request loads its agreement.
_BY_ID = select(Agreement).where(Agreement.id == bindparam("agreement_id"))
_BY_ID_FOR_UPDATE = _BY_ID.with_for_update()


def _load(session: Session, agreement_id: str, *, for_update: bool = False) -> Agreement | None:
    lock = for_update and session.get_bind().dialect.name == "postgresql"
    stmt = _BY_ID_FOR_UPDATE if lock else _BY_ID
    return session.exec(stmt, params={"agreement_id": agreement_id}).first()


@dataclass(frozen=True)
class AgreementRef:
    """What the access rules ask of an agreement, for a use case that changes other rows."""

    id: str
    province: str
    status: AgreementStatus


# A statement run on the session's connection: the ORM's machinery (entity, identity map,
# 54 attributes) costs several times the query, for three values.
_REF_BY_ID = select(col(Agreement.id), col(Agreement.province), col(Agreement.status)).where(
    col(Agreement.id) == bindparam("agreement_id")
)


def tasks_of(scope: access.TaskScope) -> Any:
    """Ids of the agreements on which `scope` has (or had) a task."""
    return select(Task.agreement_id).where(
        Task.assignee_org == scope.org, Task.assignee_role == scope.role.value
    )


def can_read(session: Session, principal: Principal, a: Agreement | AgreementRef) -> bool:
    if access.can_read(principal, a.province):
        return True
    scope = access.task_scope(principal)
    if scope is None or not access.reads_through_tasks(principal):
        return False
    return (
        session.exec(tasks_of(scope).where(Task.agreement_id == a.id).limit(1)).first() is not None
    )


def get_agreement(session: Session, *, principal: Principal, agreement_id: str) -> Agreement:
    """Another province's agreement, or one no task of the caller's body touches, answers
    exactly like a missing one: no existence leak."""
    a = _load(session, agreement_id)
    if a is None or not can_read(session, principal, a):
        raise NotFound("agreement_not_found", id=agreement_id)
    return a


def get_ref(session: Session, *, principal: Principal, agreement_id: str) -> AgreementRef:
    """As `get_agreement` (the same refusals), without loading the agreement itself."""
    row = session.connection().execute(_REF_BY_ID, {"agreement_id": agreement_id}).first()
    a = AgreementRef(*row) if row is not None else None
    if a is None or not can_read(session, principal, a):
        raise NotFound("agreement_not_found", id=agreement_id)
    return a


def get_for_drafting(
    session: Session, *, principal: Principal, agreement_id: str, expected_version: int | None
) -> Agreement:
    a = _load(session, agreement_id, for_update=True)
    if a is None or not access.can_read(principal, a.province):
        raise NotFound("agreement_not_found", id=agreement_id)
    if not access.can_draft(principal, a.province):
        raise Forbidden("not_drafter")
    if expected_version is not None and expected_version != a.version:
        raise PreconditionFailed("stale_version", given=expected_version, current=a.version)
    return a


@dataclass(frozen=True)
class AgreementFilter:
    status: Sequence[AgreementStatus] = ()
    province: str | None = None
    country: str | None = None
    field: str | None = None
    q: str | None = None


def list_agreements(
    session: Session, *, principal: Principal, filters: AgreementFilter, limit: int, offset: int
) -> tuple[list[Agreement], int]:
    stmt = select(Agreement)
    provinces = access.readable_provinces(principal)
    scope = access.task_scope(principal)
    if access.reads_through_tasks(principal) and scope is not None:
        stmt = stmt.where(col(Agreement.id).in_(tasks_of(scope)))
    elif provinces is not None:
        if not provinces:
            return [], 0
        stmt = stmt.where(col(Agreement.province).in_(provinces))
    if filters.status:
        stmt = stmt.where(col(Agreement.status).in_(list(filters.status)))
    if filters.province:
        stmt = stmt.where(Agreement.province == filters.province)
    if filters.country:
        stmt = stmt.where(Agreement.partner_country == filters.country.upper())
    if filters.field:
        stmt = stmt.where(col(Agreement.fields_index).contains(f"|{filters.field}|"))
    if filters.q:
        terms = [t for t in fold(filters.q).split(" ") if t]
        for term in terms:
            escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            stmt = stmt.where(col(Agreement.search_text).like(f"%{escaped}%", escape="\\"))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(
        stmt.order_by(col(Agreement.updated_at).desc(), col(Agreement.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), int(total)


# --- drafting ------------------------------------------------------------------------------


def create_agreement(
    session: Session,
    *,
    principal: Principal,
    data: AgreementCreate,
    case: dict[str, Any] | None = None,
) -> Agreement:
    """A new draft; `case` holds the linkage columns of a change case (cases.py)."""
    if current_unit(data.province) is None:
        raise RulesBroken([Violation("province", "unknown_province", {"value": data.province})])
    if not access.can_draft(principal, data.province):
        raise Forbidden("other_province", own=principal.province or "-")
    return new_draft(session, created_by=principal.subject, data=data, case=case)


def new_draft(
    session: Session, *, created_by: str, data: AgreementCreate, case: dict[str, Any] | None
) -> Agreement:
    """A draft checked against the law, and its event; the caller decided who may open it."""
    a = Agreement(created_by=created_by, **_columns(data), **(case or {}))
    if violations := check_draft(draft_facts(a)):
        raise RulesBroken(violations)
    # Added to the session, not inserted by `insert_row`: a mandatory termination is submitted
    # in the same transaction, through this very object.
    session.add(a)
    add_event(session, AgreementDraftedV1(**events.snapshot_fields(a)))
    return a


def update_agreement(
    session: Session,
    *,
    principal: Principal,
    agreement_id: str,
    expected_version: int | None,
    changes: AgreementUpdate,
) -> Agreement:
    a = get_for_drafting(
        session, principal=principal, agreement_id=agreement_id, expected_version=expected_version
    )
    if a.status not in EDITABLE_STATUSES:
        raise Conflict("not_editable", status=a.status.value)
    sent = changes.model_dump(mode="json", exclude_unset=True)
    merged = as_create(a) | sent
    # Re-validate the whole draft: a PATCH may not leave it in a shape a create would refuse.
    data = AgreementCreate.model_validate(merged)
    if data.province != a.province and not access.can_draft(principal, data.province):
        raise Forbidden("other_province", own=principal.province or "-")
    before = as_create(a)
    _apply(a, data)
    if violations := check_draft(draft_facts(a)):
        raise RulesBroken(violations)
    after = as_create(a)
    changed = sorted(k for k in after if after[k] != before[k])
    if not changed:
        return a  # nothing changed: no new version, no event
    a.version += 1
    a.updated_at = utcnow()
    session.add(a)
    add_event(
        session,
        AgreementUpdatedV1(
            **events.snapshot_fields(a), changed=changed, updated_by=principal.subject
        ),
    )
    return a


def delete_agreement(
    session: Session, *, principal: Principal, agreement_id: str, expected_version: int | None
) -> None:
    a = get_for_drafting(
        session, principal=principal, agreement_id=agreement_id, expected_version=expected_version
    )
    if a.status is not AgreementStatus.DRAFT:
        raise Conflict("not_deletable", status=a.status.value)
    for doc in session.exec(select(Document).where(Document.agreement_id == a.id)).all():
        session.delete(doc)
    # No relationship tells the unit of work that documents go first: without this flush it
    # may delete the agreement before them, and the foreign key refuses (a 500).
    session.flush()
    session.delete(a)
    add_event(
        session,
        AgreementDeletedV1(
            agreement_id=a.id,
            version=a.version,
            province=a.province,
            deleted_by=principal.subject,
            deleted_at=utcnow(),
        ),
    )


def current_documents(docs: Sequence[Document]) -> list[Document]:
    """The latest upload per kind and language is the one the dossier carries."""
    latest: dict[tuple[str, str], Document] = {}
    for d in sorted(docs, key=lambda d: d.uploaded_at):
        latest[(d.kind.value, d.language)] = d
    return list(latest.values())


# --- submission ----------------------------------------------------------------------------


def submit_agreement(
    session: Session, *, principal: Principal, agreement_id: str, expected_version: int | None
) -> Agreement:
    a = get_for_drafting(
        session, principal=principal, agreement_id=agreement_id, expected_version=expected_version
    )
    if a.status not in SUBMITTABLE_STATUSES:
        raise Conflict("not_submittable", status=a.status.value)
    docs = current_documents(
        session.exec(select(Document).where(Document.agreement_id == a.id)).all()
    )
    facts = draft_facts(a)
    violations = (
        check_submitter(facts, principal.province)
        + check_draft(facts)
        + check_dossier(facts, [DocumentFacts(d.kind, d.language) for d in docs])
    )
    if violations:
        raise RulesBroken(violations)
    return submit_draft(session, a, submitted_by=principal.subject, documents=docs)


def submit_draft(
    session: Session, a: Agreement, *, submitted_by: str, documents: Sequence[Document]
) -> Agreement:
    """The draft goes to the procedure, with its event (the bridge starts the workflow);
    the caller checked the submitter and the dossier."""
    now = utcnow()
    a.status = AgreementStatus.SUBMITTED
    a.version += 1
    a.round += 1
    a.updated_at = now
    a.submitted_at = now
    a.submitted_by = submitted_by
    session.add(a)
    add_event(
        session,
        AgreementSubmittedV1(
            **events.snapshot_fields(a),
            submitted_by=submitted_by,
            submitted_at=now,
            documents=[events.document_ref(d) for d in documents],
            round=a.round,
        ),
    )
    return a
