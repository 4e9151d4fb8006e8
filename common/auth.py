"""Bearer-token identity shared by every service: who is asking, as a role and an organisation."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import jwt

from common.law.vocabulary import PROVINCE_ROLES, Role
from common.settings import CommonSettings


@dataclass(frozen=True)
class Principal:
    """The caller: `org` is a current province code for officers and leaders, a consulted body
    code for reviewers, and a fixed organisation for the others."""

    subject: str
    role: Role
    org: str
    name: str = ""

    @property
    def province(self) -> str | None:
        if self.role in PROVINCE_ROLES:
            return self.org
        return None


_VERIFIED_CACHE_SIZE = 10_000


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not ours."""


class TokenService:
    """Verifies tokens the same way in every service; issues them only for the dev directory."""

    def __init__(self, settings: CommonSettings) -> None:
        self.settings = settings
        self._verified: dict[str, tuple[Principal, float]] = {}

    @cached_property
    def _jwks(self) -> jwt.PyJWKClient | None:
        url = self.settings.jwt_jwks_url
        return jwt.PyJWKClient(url, cache_keys=True) if url else None

    def issue(self, principal: Principal, ttl_seconds: int | None = None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.settings.jwt_issuer,
            "aud": self.settings.jwt_audience,
            "sub": principal.subject,
            "role": principal.role.value,
            "org": principal.org,
            "name": principal.name,
            "iat": now,
            "exp": now + (ttl_seconds or self.settings.jwt_ttl_seconds),
        }
        return jwt.encode(claims, self.settings.jwt_secret, algorithm="HS256")

    def verify(self, token: str) -> Principal:
        """The principal a valid token names; InvalidToken otherwise. A token already verified
        is answered from a small cache until it expires: its signature cannot change, and
        checking it is a tenth of a millisecond on every request."""
        cached = self._verified.get(token)
        if cached is not None:
            principal, expires_at = cached
            if time.time() < expires_at:
                return principal
            self._verified.pop(token, None)
        principal, expires_at = self._verify(token)
        if len(self._verified) >= _VERIFIED_CACHE_SIZE:
            self._verified.clear()  # rare; simpler and as safe as evicting one by one
        self._verified[token] = (principal, expires_at)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            key: Any
            if self._jwks is not None:
                key = self._jwks.get_signing_key_from_jwt(token).key
                algorithms = ["RS256", "ES256", "PS256"]
            elif self.settings.jwt_public_key:
                key, algorithms = self.settings.jwt_public_key, ["RS256", "ES256", "PS256"]
            else:
                key, algorithms = self.settings.jwt_secret, ["HS256"]
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
            principal = Principal(
                subject=str(claims["sub"]),
                role=Role(claims["role"]),
                org=str(claims["org"]),
                name=str(claims.get("name", "")),
            )
            return principal, float(claims["exp"])
        except (jwt.PyJWTError, KeyError, ValueError) as exc:
            raise InvalidToken(str(exc)) from exc
