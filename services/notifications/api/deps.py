"""Typed dependencies of the routes: settings, database, caller, language.

They are `async def` on purpose: none does I/O, and FastAPI runs a plain `def` dependency in
the thread pool, a round trip that costs more than the rest of a small request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from common.auth import Principal, TokenService
from common.deps import BearerToken, get_tokens, problem_responses, verify_bearer
from services.notifications.delivery.targets import Resolver
from services.notifications.settings import NotificationsSettings


async def get_settings(request: Request) -> NotificationsSettings:
    settings: NotificationsSettings = request.app.state.settings
    return settings


async def get_principal(
    tokens: Annotated[TokenService, Depends(get_tokens)],
    token: BearerToken,
) -> Principal:
    return await verify_bearer(tokens, token)


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

# The refusals of the use cases (401, 413, 422 of validation, 500 and 503 are added to each
# operation by what it is: common.openapi.derived_codes).
PROBLEM_RESPONSES = problem_responses(
    {403: "not allowed", 422: "invalid input, every broken rule listed"}
)
# Routes naming one object in their path.
ONE_OBJECT_PROBLEMS = PROBLEM_RESPONSES | problem_responses({404: "not found, or not yours"})
