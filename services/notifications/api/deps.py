"""Typed dependencies of the routes: settings, database, caller, language.

They are `async def` on purpose: none does I/O, and FastAPI runs a plain `def` dependency in
the thread pool, a round trip that costs more than the rest of a small request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from common.auth import Principal, TokenService
from common.deps import get_tokens, problem_responses, verify_bearer
from services.notifications.delivery.targets import Resolver
from services.notifications.settings import NotificationsSettings

# Tokens are issued elsewhere (the agreements service's /v1/auth/token in development, the
# configured issuer in production): Swagger asks for the token itself, not for a password.
bearer_scheme = HTTPBearer(auto_error=False, description="a token of the agreements service")


async def get_settings(request: Request) -> NotificationsSettings:
    settings: NotificationsSettings = request.app.state.settings
    return settings


async def get_principal(
    tokens: Annotated[TokenService, Depends(get_tokens)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    return await verify_bearer(tokens, credentials.credentials if credentials else None)


async def get_resolver(request: Request) -> Resolver:
    """How webhook hosts are resolved (the system's resolver; tests give their own)."""
    resolve: Resolver = request.app.state.resolve
    return resolve


SettingsDep = Annotated[NotificationsSettings, Depends(get_settings)]
ResolverDep = Annotated[Resolver, Depends(get_resolver)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
IdempotencyKeyHeader = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="same key, same result"),
]

PROBLEM_RESPONSES = problem_responses(
    {
        401: "not authenticated",
        403: "not allowed",
        404: "not found, or not yours",
        422: "invalid input, every broken rule listed",
    }
)
