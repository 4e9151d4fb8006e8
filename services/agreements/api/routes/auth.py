"""Sign-in for the development directory (OAuth2 password flow) and who-am-I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from common.deps import TokensDep
from common.directory import authenticate
from services.agreements.api.deps import CurrentPrincipal, SettingsDep
from services.agreements.errors import Forbidden, Unauthorized

router = APIRouter(prefix="/v1/auth", tags=["auth"])


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    role: str
    org: str


class Me(BaseModel):
    subject: str
    role: str
    org: str
    name: str


@router.post("/token", response_model=TokenResponse)
def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    settings: SettingsDep,
    tokens: TokensDep,
) -> TokenResponse:
    """Development logins (`officer@ha-noi` / `dev`, ...); off when ENV=production, where
    tokens come from the configured issuer."""
    if not settings.is_development:
        raise Forbidden("login_disabled")
    principal = authenticate(form.username, form.password, settings.dev_password)
    if principal is None:
        raise Unauthorized("bad_credentials")
    return TokenResponse(
        access_token=tokens.issue(principal),
        expires_in=settings.jwt_ttl_seconds,
        role=principal.role.value,
        org=principal.org,
    )


@router.get("/me", response_model=Me)
def me(principal: CurrentPrincipal) -> Me:
    return Me(
        subject=principal.subject, role=principal.role.value, org=principal.org, name=principal.name
    )
