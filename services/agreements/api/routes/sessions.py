"""Sessions and revocations: one's own sessions, an administrator's revocation of a person,
and the feed of revocations every service reads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from common.auth import InvalidToken, Role, TokenService
from common.deps import get_tokens, problem_responses
from common.problems import Forbidden, NotFound, Unauthorized, register_texts
from services.agreements.api.deps import CurrentPrincipal
from services.agreements.api.routes.auth import IdentityDep

router = APIRouter(prefix="/v1/auth", tags=["auth"])

# The longest a service's question to the revocation feed may be held.
MAX_WAIT_S = 30.0

register_texts(
    {
        "sessions_admin_only": (
            "Chỉ quản trị viên được làm việc này.",
            "Only administrators may do this.",
        ),
        "session_not_found": (
            "Không có phiên đăng nhập {id} đang hoạt động.",
            "There is no live session {id}.",
        ),
        "service_token_required": (
            "Cần mã truy cập của một dịch vụ trong hệ thống.",
            "A token of one of the system's services is required.",
        ),
    }
)


class SessionPublic(BaseModel):
    id: str
    subject: str
    role: str
    org: str
    kind: str
    address: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


class SessionsPublic(BaseModel):
    data: list[SessionPublic]
    count: int


class RevocationCreate(BaseModel):
    subject: str = Field(min_length=1, max_length=200)
    reason: str = Field(default="revoked", min_length=1, max_length=40)


class RevocationResult(BaseModel):
    subject: str
    sessions_ended: int


class RevocationPublic(BaseModel):
    kind: str
    value: str
    revoked_at: float


class RevocationsPublic(BaseModel):
    data: list[RevocationPublic]


@router.get("/sessions", response_model=SessionsPublic)
def list_sessions(
    principal: CurrentPrincipal,
    identity: IdentityDep,
    subject: Annotated[str | None, Query(max_length=200)] = None,
) -> SessionsPublic:
    """Your live sessions (an administrator: anyone's, with `subject`)."""
    if subject is not None and subject != principal.subject and principal.role is not Role.ADMIN:
        raise Forbidden("sessions_admin_only")
    rows = identity.sessions_of(subject or principal.subject)
    data = [SessionPublic.model_validate(r, from_attributes=True) for r in rows]
    return SessionsPublic(data=data, count=len(data))


@router.delete(
    "/sessions/{session_id}",
    status_code=204,
    responses=problem_responses({404: "no such live session of yours"}),
)
def end_session(session_id: str, principal: CurrentPrincipal, identity: IdentityDep) -> Response:
    """Sign out one of your sessions (an administrator: anyone's)."""
    owner = None if principal.role is Role.ADMIN else principal.subject
    if not identity.revoke_session(session_id[:64], by=principal, owner=owner):
        raise NotFound("session_not_found", id=session_id[:64])
    return Response(status_code=204)


@router.post(
    "/revocations",
    status_code=201,
    response_model=RevocationResult,
    responses=problem_responses({403: "administrators only"}),
)
def revoke_person(
    body: RevocationCreate, principal: CurrentPrincipal, identity: IdentityDep
) -> RevocationResult:
    """An administrator ends every session of a person and refuses every token issued to them
    until now, by any issuer: after their role or organisation changed, or they left. They
    can sign in again at once (and get their current role)."""
    if principal.role is not Role.ADMIN:
        raise Forbidden("sessions_admin_only")
    ended = identity.revoke_subject(body.subject, by=principal, reason=body.reason)
    return RevocationResult(subject=body.subject, sessions_ended=ended)


@router.get(
    "/revocations",
    response_model=RevocationsPublic,
    responses=problem_responses({401: "a service token is required"}),
)
async def revocations(
    request: Request,
    identity: IdentityDep,
    tokens: Annotated[TokenService, Depends(get_tokens)],
    since: Annotated[float, Query(ge=0, le=1e11, description="epoch seconds")] = 0,
    newer_than: Annotated[
        float | None,
        Query(
            ge=0,
            le=1e11,
            description="epoch seconds: the newest revocation the caller has (default `since`)",
        ),
    ] = None,
    wait: Annotated[
        float,
        Query(
            ge=0,
            le=MAX_WAIT_S,
            description=(
                "seconds to hold the answer while there is no revocation after `newer_than` "
                "(a long poll; 0 answers at once)"
            ),
        ),
    ] = 0,
) -> RevocationsPublic:
    """Revocations since a moment, for the other services' lists (common/revocation.py).
    Only the system's services may read it (a service token). With `wait`, the answer is held
    until this service learns of a revocation or `wait` seconds pass, so the other services
    hear of one at once without asking every few seconds."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    try:
        if scheme.lower() != "bearer":
            raise InvalidToken("no bearer token")
        tokens.verify_service(token.strip())
    except InvalidToken as exc:
        raise Unauthorized("service_token_required") from exc
    gains = identity.revocations.gains  # before reading: one made meanwhile ends the wait
    entries = await run_in_threadpool(identity.revocations_since, since)
    known = since if newer_than is None else newer_than
    if wait and not any(e.revoked_at > known for e in entries):
        await identity.revocations.gained_entry(wait, after=gains)
        entries = await run_in_threadpool(identity.revocations_since, since)
    return RevocationsPublic(
        data=[
            RevocationPublic(kind=e.kind, value=e.value, revoked_at=e.revoked_at) for e in entries
        ]
    )
