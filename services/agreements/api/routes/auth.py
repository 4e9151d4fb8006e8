"""Sign-in for the development directory (OAuth2 password flow, with refresh tokens),
sign-out, and who-am-I."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from common.auth import InvalidToken, TokenService, Verified
from common.deps import BearerToken, get_tokens, problem_responses
from common.problems import Forbidden, ServiceUnavailable, Unauthorized, Unprocessable
from common.revocation import RevocationsUnavailable
from services.agreements.api.deps import CurrentPrincipal, SettingsDep
from services.agreements.identity.service import BadCredentials, Identity
from services.agreements.identity.sessions import API

router = APIRouter(prefix="/v1/auth", tags=["auth"])


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    refresh_token: str | None = None
    session_id: str
    role: str
    org: str


class Me(BaseModel):
    subject: str
    role: str
    org: str
    name: str


def identity_of(request: Request) -> Identity:
    identity: Identity = request.app.state.identity
    return identity


IdentityDep = Annotated[Identity, Depends(identity_of)]


async def current_token(
    tokens: Annotated[TokenService, Depends(get_tokens)],
    token: BearerToken,
) -> Verified:
    """The caller's verified token itself (its session, its id), not only who they are."""
    if not token:
        raise Unauthorized("not_authenticated")
    try:
        return await tokens.inspect_async(token)
    except InvalidToken as exc:
        raise Unauthorized("invalid_token") from exc
    except RevocationsUnavailable as exc:
        raise ServiceUnavailable("revocations_unavailable") from exc


@router.post(
    "/token",
    response_model=TokenResponse,
    responses=problem_responses(
        {
            401: "unknown login, wrong password, or a refresh token that is no longer valid",
            403: "development logins are off (ENV=production)",
            429: "too many failed sign-ins for this account or address; see Retry-After",
        }
    ),
)
def issue_token(
    request: Request,
    settings: SettingsDep,
    identity: IdentityDep,
    grant_type: Annotated[Literal["password", "refresh_token"] | None, Form()] = None,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    refresh_token: Annotated[str, Form(max_length=200)] = "",
) -> TokenResponse:
    """Development logins (`officer@ha-noi` / `dev`, ...), off when ENV=production, where
    tokens come from the configured issuer. The access token lasts `expires_in` seconds (15
    minutes); `grant_type=refresh_token` with the `refresh_token` gives a new pair while the
    session lives (each refresh token works once). Failed sign-ins are limited per account
    and per address (429 with `Retry-After`)."""
    if not settings.is_development:
        raise Forbidden("login_disabled")
    try:
        if grant_type == "refresh_token":
            if not refresh_token:
                raise Unprocessable("refresh_token_required")
            signed = identity.refresh(refresh_token)
        else:
            address = request.client.host if request.client else None
            signed = identity.password_login(username, password, address=address, kind=API)
    except BadCredentials as exc:
        code = "session_ended" if grant_type == "refresh_token" else "bad_credentials"
        raise Unauthorized(code) from exc
    return TokenResponse(
        access_token=signed.access_token,
        expires_in=signed.expires_in,
        refresh_token=signed.refresh_token,
        session_id=signed.session_id,
        role=signed.principal.role.value,
        org=signed.principal.org,
    )


@router.post("/logout", status_code=204, responses=problem_responses({401: "not signed in"}))
async def logout(
    verified: Annotated[Verified, Depends(current_token)], identity: IdentityDep
) -> Response:
    """End this token's session: its tokens (and its refresh token) stop working on every
    service at once here, within seconds on the others."""
    await run_in_threadpool(identity.logout, verified)
    return Response(status_code=204)


@router.get("/me", response_model=Me)
def me(principal: CurrentPrincipal) -> Me:
    return Me(
        subject=principal.subject, role=principal.role.value, org=principal.org, name=principal.name
    )
