"""What follows approval, on /v1/agreements/{id}: signing, the copy, changes, the timeline."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from sqlmodel import Session

from common.deps import DatabaseDep, LanguageDep
from services.agreements.api.deps import (
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    CurrentPrincipal,
    EngineDep,
    IdempotencyDep,
    IdempotencyHeader,
    SettingsDep,
    StoreDep,
    etag,
)
from services.agreements.drafting import cases, service
from services.agreements.idempotency import execute_write, fingerprint
from services.agreements.models import (
    AgreementPublic,
    AmendmentCreate,
    CopyDeliveredPublic,
    CopyDeliveryCreate,
    SigningCreate,
    TerminationCreate,
    TimelinePublic,
)
from services.agreements.procedure import signing, timeline
from services.agreements.settings import AgreementsSettings
from services.agreements.unit_of_work import read

router = APIRouter(prefix="/v1/agreements/{agreement_id}", tags=["procedure"])


def _update_id(action: str, agreement_id: str, key: str | None, subject: str) -> str:
    return f"{action}:{agreement_id}:{subject}:{key}" if key else f"{action}:{uuid.uuid4()}"


@router.post("/signing", response_model=AgreementPublic, responses=WRITE_PROBLEMS)
async def record_signing(
    agreement_id: str,
    body: SigningCreate,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    engine: EngineDep,
    store: StoreDep,
    idempotency_key: IdempotencyHeader = None,
) -> AgreementPublic:
    """Record the signing of an approved agreement; attach a SIGNED_TEXT for each language
    of the approved text first. `signed_on` must fall on or after the decision (and the Prime
    Minister's consent) and not in the future. A signed version that is not the approved
    file byte for byte is compared by its words (PDF, DOCX): the same words pass; different
    ones are refused (409, each language named) unless `acknowledge_text_changed` is true,
    which sends it back to consultation."""
    return await signing.record_signing(
        db=db,
        engine=engine,
        store=store,
        principal=principal,
        agreement_id=agreement_id,
        body=body,
        update_id=_update_id("sign", agreement_id, idempotency_key, principal.subject),
    )


@router.post("/copy-delivered", response_model=CopyDeliveredPublic, responses=WRITE_PROBLEMS)
async def copy_delivered(
    agreement_id: str,
    body: CopyDeliveryCreate,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    engine: EngineDep,
    idempotency_key: IdempotencyHeader = None,
) -> CopyDeliveredPublic:
    """The signed copy and the report (or the notice of an ending) were sent: the recipient
    gets a COPY_RECEIPT task to acknowledge it."""
    return await signing.deliver_copy(
        db=db,
        engine=engine,
        principal=principal,
        agreement_id=agreement_id,
        body=body,
        update_id=_update_id("copy", agreement_id, idempotency_key, principal.subject),
    )


def _open_case(
    agreement_id: str,
    body: AmendmentCreate | TerminationCreate,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    idem: IdempotencyDep,
    path: str,
    settings: AgreementsSettings,
) -> Response:
    def action(session: Session) -> tuple[int, str, dict[str, str]]:
        case = cases.open_case(
            session,
            principal=principal,
            parent_id=agreement_id,
            body=body,
            timing=settings.timing(),
        )
        return (
            201,
            service.to_public(case).model_dump_json(),
            {"Location": f"/v1/agreements/{case.id}", "ETag": etag(case.version)},
        )

    def fp() -> str:
        return fingerprint("POST", path, body.model_dump(mode="json"))

    return execute_write(db, idem, fp, action)


@router.post(
    "/amendments", status_code=201, response_model=AgreementPublic, responses=WRITE_PROBLEMS
)
def open_amendment(
    agreement_id: str,
    body: AmendmentCreate,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    idem: IdempotencyDep,
    settings: SettingsDep,
) -> Response:
    """Open an amendment, supplement or extension: a linked draft to document and submit
    like an agreement; it runs the same procedure with the same decider."""
    path = f"/v1/agreements/{agreement_id}/amendments"
    return _open_case(agreement_id, body, principal, db, idem, path, settings)


@router.post(
    "/terminations", status_code=201, response_model=AgreementPublic, responses=WRITE_PROBLEMS
)
def open_termination(
    agreement_id: str,
    body: TerminationCreate,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    idem: IdempotencyDep,
    settings: SettingsDep,
) -> Response:
    """Open a termination, withdrawal, suspension or resumption (the end of a suspension)
    from `effective_on`: a linked draft (its dossier needs the proposal) decided like the
    agreement; the Ministry of Foreign Affairs is owed a notice within 15 days of the
    effective date. With `mandatory` (Art. 34), the Ministry of Foreign Affairs or the decider
    opens a termination with its reason, submitted at once."""
    path = f"/v1/agreements/{agreement_id}/terminations"
    return _open_case(agreement_id, body, principal, db, idem, path, settings)


@router.get("/cases", response_model=list[AgreementPublic], responses=READ_PROBLEMS)
def list_cases(
    agreement_id: str, principal: CurrentPrincipal, db: DatabaseDep
) -> list[AgreementPublic]:
    """The amendments, terminations... opened on this agreement, oldest first."""
    rows = read(db, cases.list_cases, principal=principal, agreement_id=agreement_id)
    return [service.to_public(a) for a in rows]


@router.get("/timeline", response_model=TimelinePublic, responses=READ_PROBLEMS)
def get_timeline(
    agreement_id: str, principal: CurrentPrincipal, db: DatabaseDep, lang: LanguageDep
) -> TimelinePublic:
    """Every step: who, when, the deadline and whether it was met (labels follow
    Accept-Language)."""
    with db.session() as session:
        service.get_agreement(session, principal=principal, agreement_id=agreement_id)
        return timeline.timeline(session, agreement_id=agreement_id, lang=lang)
