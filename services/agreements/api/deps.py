"""Typed dependencies of the routes: settings, database, caller, language, keys, versions.

They are `async def` on purpose: none does I/O, and FastAPI runs a plain `def` dependency in
the thread pool, a round trip that cost more than everything else a request does.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Request

from common.auth import Principal, TokenService
from common.deps import BearerToken, get_tokens, problem_responses, verify_bearer
from services.agreements.errors import PreconditionRequired, Unprocessable
from services.agreements.idempotency import IdempotencyKey
from services.agreements.procedure.engine import Engine
from services.agreements.settings import AgreementsSettings
from services.agreements.storage import DocumentStore


async def get_settings(request: Request) -> AgreementsSettings:
    settings: AgreementsSettings = request.app.state.settings
    return settings


async def get_store(request: Request) -> DocumentStore:
    store: DocumentStore = request.app.state.store
    return store


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def get_principal(
    tokens: Annotated[TokenService, Depends(get_tokens)],
    token: BearerToken,
) -> Principal:
    return await verify_bearer(tokens, token)


# The Idempotency-Key header of every retry-safe write.
IdempotencyHeader = Annotated[
    str | None, Header(max_length=200, description="retry-safe writes: same key, same result")
]


async def get_idempotency_key(
    principal: Annotated[Principal, Depends(get_principal)],
    idempotency_key: IdempotencyHeader = None,
) -> IdempotencyKey:
    return IdempotencyKey(key=(idempotency_key or "").strip() or None, principal=principal.subject)


_ETAG = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(value: str | None, *, required: bool) -> int | None:
    """`"3"`, `W/"3"` or `3` -> 3; `*` or absent -> None (absent refused when required)."""
    if value is None or not value.strip():
        if required:
            raise PreconditionRequired("if_match_required")
        return None
    value = value.strip()
    if value == "*":
        return None
    match = _ETAG.match(value)
    if not match:
        raise Unprocessable("if_match_invalid", value=value[:40])
    return int(match.group(1))


SettingsDep = Annotated[AgreementsSettings, Depends(get_settings)]
StoreDep = Annotated[DocumentStore, Depends(get_store)]
EngineDep = Annotated[Engine, Depends(get_engine)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
IdempotencyDep = Annotated[IdempotencyKey, Depends(get_idempotency_key)]
IfMatchHeader = Annotated[
    str | None, Header(alias="If-Match", description='the ETag you read, e.g. "3"')
]

# The refusals of the use cases, by kind of route (401, 412, 413, 422 of validation, 500 and
# 503 are added to each operation by what it is: common.openapi.derived_codes).
_NOT_YOURS = {403: "not allowed", 404: "not found, or not yours"}
LIST_PROBLEMS = problem_responses({403: "not allowed", 422: "a filter names nothing known"})
READ_PROBLEMS = problem_responses(_NOT_YOURS)
WRITE_PROBLEMS = problem_responses(
    _NOT_YOURS
    | {
        409: "not possible in the current state",
        422: "invalid input or a broken rule of the law, every one listed",
        503: "the procedure engine or the sign-in checks are not answering; retry",
    }
)
PROBLEM_RESPONSES = WRITE_PROBLEMS
