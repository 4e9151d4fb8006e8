"""Drafts and submission: /v1/agreements."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlmodel import Session

from common.deps import DatabaseDep, problem_responses
from common.fields import Field as CooperationField
from common.law.drafting import Violation
from common.law.vocabulary import AgreementStatus
from common.provinces import current_unit
from services.agreements.api.deps import (
    LIST_PROBLEMS,
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    CurrentPrincipal,
    IdempotencyDep,
    IfMatchHeader,
    etag,
    parse_if_match,
)
from services.agreements.drafting import service
from services.agreements.errors import RulesBroken
from services.agreements.idempotency import execute_write, fingerprint
from services.agreements.models import (
    AgreementCreate,
    AgreementPublic,
    AgreementsPublic,
    AgreementUpdate,
)

router = APIRouter(prefix="/v1/agreements", tags=["agreements"])


def _agreement_response(
    status_code: int, a: Any, extra: dict[str, str] | None = None
) -> tuple[int, str, dict[str, str]]:
    body = service.to_public(a).model_dump_json()
    return status_code, body, {"ETag": etag(a.version)} | (extra or {})


@router.post("", status_code=201, response_model=AgreementPublic, responses=WRITE_PROBLEMS)
def create_agreement(
    body: AgreementCreate, principal: CurrentPrincipal, db: DatabaseDep, idem: IdempotencyDep
) -> Response:
    """Start a draft for the caller's own province."""

    def action(session: Session) -> tuple[int, str, dict[str, str]]:
        a = service.create_agreement(session, principal=principal, data=body)
        return _agreement_response(201, a, {"Location": f"/v1/agreements/{a.id}"})

    def fp() -> str:
        return fingerprint("POST", "/v1/agreements", body.model_dump(mode="json"))

    return execute_write(db, idem, fp, action)


@router.get("", response_model=AgreementsPublic, responses=LIST_PROBLEMS)
def list_agreements(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    status: Annotated[list[AgreementStatus] | None, Query(description="repeatable")] = None,
    province: Annotated[str | None, Query(max_length=64)] = None,
    country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    field: Annotated[CooperationField | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200, description="words in title or summary")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AgreementsPublic:
    """The caller's visible agreements, newest change first."""
    if province is not None and current_unit(province) is None:
        raise RulesBroken([Violation("province", "unknown_province", {"value": province})])
    filters = service.AgreementFilter(
        status=tuple(status or ()),
        province=province,
        country=country,
        field=field.value if field else None,
        q=q,
    )
    with db.session() as session:
        rows, total = service.list_agreements(
            session, principal=principal, filters=filters, limit=limit, offset=offset
        )
        return AgreementsPublic(
            data=[service.to_public(a) for a in rows], count=total, limit=limit, offset=offset
        )


@router.get("/{agreement_id}", response_model=AgreementPublic, responses=READ_PROBLEMS)
def get_agreement(
    agreement_id: str, principal: CurrentPrincipal, db: DatabaseDep, response: Response
) -> AgreementPublic:
    with db.session() as session:
        a = service.get_agreement(session, principal=principal, agreement_id=agreement_id)
        response.headers["ETag"] = etag(a.version)
        return service.to_public(a)


@router.patch(
    "/{agreement_id}",
    response_model=AgreementPublic,
    responses=WRITE_PROBLEMS | problem_responses({428: "If-Match is required"}),
)
def update_agreement(
    agreement_id: str,
    body: AgreementUpdate,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    idem: IdempotencyDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """Change a draft; send If-Match with the ETag you read (a stale one gets 412)."""
    expected = parse_if_match(if_match, required=True)

    def action(session: Session) -> tuple[int, str, dict[str, str]]:
        a = service.update_agreement(
            session,
            principal=principal,
            agreement_id=agreement_id,
            expected_version=expected,
            changes=body,
        )
        return _agreement_response(200, a)

    def fp() -> str:
        return fingerprint(
            "PATCH",
            f"/v1/agreements/{agreement_id}",
            {"if_match": if_match, "body": body.model_dump(mode="json", exclude_unset=True)},
        )

    return execute_write(db, idem, fp, action)


@router.delete("/{agreement_id}", status_code=204, responses=WRITE_PROBLEMS)
def delete_agreement(
    agreement_id: str,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    idem: IdempotencyDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """Delete a draft (only drafts; If-Match optional)."""
    expected = parse_if_match(if_match, required=False)

    def action(session: Session) -> tuple[int, str, dict[str, str]]:
        service.delete_agreement(
            session, principal=principal, agreement_id=agreement_id, expected_version=expected
        )
        return 204, "", {}

    def fp() -> str:
        return fingerprint("DELETE", f"/v1/agreements/{agreement_id}", {"if_match": if_match})

    return execute_write(db, idem, fp, action)


@router.post("/{agreement_id}/submit", response_model=AgreementPublic, responses=WRITE_PROBLEMS)
def submit_agreement(
    agreement_id: str,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    idem: IdempotencyDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """Check the dossier against every rule of the law and submit it; a failure lists every
    broken rule (422) in the language of Accept-Language."""
    expected = parse_if_match(if_match, required=False)

    def action(session: Session) -> tuple[int, str, dict[str, str]]:
        a = service.submit_agreement(
            session, principal=principal, agreement_id=agreement_id, expected_version=expected
        )
        return _agreement_response(200, a)

    def fp() -> str:
        return fingerprint("POST", f"/v1/agreements/{agreement_id}/submit", {"if_match": if_match})

    return execute_write(db, idem, fp, action)
