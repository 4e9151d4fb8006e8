"""FastAPI dependencies every service's routes share: its database, token verifier and the
caller's language, read from the app's state; the bearer token (one security scheme, whose
Authorize signs in at the agreements service); and the documented problem responses.

They are `async def` on purpose: none does I/O, and FastAPI runs a plain `def` dependency in
the thread pool, a round trip that costs more than the rest of a small request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import OAuth2PasswordBearer

from common.auth import InvalidToken, Principal, TokenService
from common.db import Database
from common.http import pick_language
from common.openapi import TOKEN_PATH, problem_response
from common.problems import ServiceUnavailable, Unauthorized, register_texts
from common.revocation import RevocationsUnavailable

register_texts(
    {
        "revocations_unavailable": (
            "Tạm thời không kiểm tra được phiên đăng nhập; vui lòng thử lại sau ít phút.",
            "Sign-ins cannot be checked right now; please try again in a few minutes.",
        ),
    }
)


# Swagger UI's Authorize signs in with the password flow; each document points its token URL
# at the agreements service (common.openapi.install_contract), the only one that issues them.
bearer_token = OAuth2PasswordBearer(
    tokenUrl=TOKEN_PATH,
    auto_error=False,
    description="A token of the agreements service: its sign-in (development: officer@ha-noi "
    "/ dev), or the configured issuer's token sent as Authorization: Bearer.",
)


async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_tokens(request: Request) -> TokenService:
    tokens: TokenService = request.app.state.tokens
    return tokens


async def get_language(accept_language: Annotated[str | None, Header()] = None) -> str:
    return pick_language(accept_language)


async def verify_bearer(tokens: TokenService, token: str | None) -> Principal:
    """The caller a bearer token names; 401 without one or with a bad, expired or revoked
    one; 503 when revocations cannot be checked. An issuer's keys are fetched off the loop."""
    if not token:
        raise Unauthorized("not_authenticated")
    try:
        return await tokens.verify_async(token)
    except InvalidToken as exc:
        raise Unauthorized("invalid_token") from exc
    except RevocationsUnavailable as exc:
        raise ServiceUnavailable("revocations_unavailable") from exc


def problem_responses(descriptions: Mapping[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for refusals, each an application/problem+json body."""
    return {code: problem_response(text) for code, text in descriptions.items()}


DatabaseDep = Annotated[Database, Depends(get_db)]
TokensDep = Annotated[TokenService, Depends(get_tokens)]
LanguageDep = Annotated[str, Depends(get_language)]
BearerToken = Annotated[str | None, Depends(bearer_token)]
