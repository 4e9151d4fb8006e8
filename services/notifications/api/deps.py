"""Typed dependencies of the routes: settings, database, caller, language.

They are `async def` on purpose: none does I/O, and FastAPI runs a plain `def` dependency in
the thread pool, a round trip that costs more than the rest of a small request.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from common.auth import InvalidToken, Principal, TokenService
from common.db import Database
from common.http import pick_language
from services.notifications.errors import Unauthorized
from services.notifications.settings import NotificationsSettings

# Tokens are issued elsewhere (the agreements service's /v1/auth/token in development, the
# configured issuer in production): Swagger asks for the token itself, not for a password.
bearer_scheme = HTTPBearer(auto_error=False, description="a token of the agreements service")


async def get_settings(request: Request) -> NotificationsSettings:
    settings: NotificationsSettings = request.app.state.settings
    return settings


async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_tokens(request: Request) -> TokenService:
    tokens: TokenService = request.app.state.tokens
    return tokens


async def get_language(accept_language: Annotated[str | None, Header()] = None) -> str:
    return pick_language(accept_language)


async def get_principal(
    tokens: Annotated[TokenService, Depends(get_tokens)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise Unauthorized("not_authenticated")
    try:
        return tokens.verify(credentials.credentials)
    except InvalidToken as exc:
        raise Unauthorized("invalid_token") from exc


SettingsDep = Annotated[NotificationsSettings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_db)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
LanguageDep = Annotated[str, Depends(get_language)]
IdempotencyKeyHeader = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="same key, same result"),
]

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/problem+json": {}}}
    for code, text in {
        401: "not authenticated",
        403: "not allowed",
        404: "not found, or not yours",
        422: "invalid input, every broken rule listed",
    }.items()
}
