"""Bearer-token identity shared by every service: who is asking, as a role and an organisation."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal

import anyio
import jwt

from common.jwks import JwksKeys
from common.law.vocabulary import PROVINCE_ROLES, Role
from common.revocation import Revocations
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
_EXTERNAL_ALGORITHMS = ["RS256", "ES256", "PS256"]


class InvalidToken(Exception):
    """The token is missing, malformed, expired, revoked, or not ours."""


@dataclass(frozen=True)
class Verified:
    """What a valid token says: who, until when, and under which session (own tokens)."""

    principal: Principal
    expires_at: float
    issued_at: float
    session_id: str | None
    token_id: str | None
    own: bool


class TokenService:
    """Verifies tokens the same way in every service, revocations included; issues the
    agreements service's own tokens (development logins, page sessions, service calls).

    Two kinds are accepted, told apart by their issuer: our own (`SESSION_ISSUER`, HS256 with
    `JWT_SECRET`, a session id `sid` and a token id `jti`), and an external issuer's
    (`JWT_ISSUER`: keys from `JWT_JWKS_URL` or `JWT_PUBLIC_KEY`, else HS256 with the secret)."""

    def __init__(self, settings: CommonSettings, revocations: Revocations | None = None) -> None:
        self.settings = settings
        self.revocations = revocations
        self._verified: dict[str, Verified] = {}
        self._jwks = (
            JwksKeys(
                settings.jwt_jwks_url,
                cache_s=settings.jwks_cache_seconds,
                min_refresh_s=settings.jwks_min_refresh_seconds,
            )
            if settings.jwt_jwks_url
            else None
        )

    # -- issuing --

    def issue(
        self, principal: Principal, ttl_seconds: int | None = None, *, session_id: str | None = None
    ) -> str:
        now = time.time()
        claims: dict[str, Any] = {
            "iss": self.settings.session_issuer,
            "aud": self.settings.jwt_audience,
            "sub": principal.subject,
            "role": principal.role.value,
            "org": principal.org,
            "name": principal.name,
            "iat": now,
            "exp": int(now) + (ttl_seconds or self.settings.jwt_ttl_seconds),
            "jti": uuid.uuid4().hex,
        }
        if session_id is not None:
            claims["sid"] = session_id
        return jwt.encode(claims, self.settings.jwt_secret, algorithm="HS256")

    def issue_service(self, service: str, ttl_seconds: int = 60) -> str:
        """A token one service shows another (the revocation feed): another audience, so it
        opens no API a person's token opens."""
        now = int(time.time())
        claims = {
            "iss": self.settings.session_issuer,
            "aud": self.service_audience,
            "sub": f"service:{service}",
            "iat": now,
            "exp": now + ttl_seconds,
        }
        return jwt.encode(claims, self.settings.jwt_secret, algorithm="HS256")

    @property
    def service_audience(self) -> str:
        return f"{self.settings.jwt_audience}/services"

    def verify_service(self, token: str) -> str:
        """The calling service's name; InvalidToken otherwise."""
        try:
            claims = jwt.decode(
                token,
                self.settings.jwt_secret,
                algorithms=["HS256"],
                audience=self.service_audience,
                issuer=self.settings.session_issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        subject = str(claims["sub"])
        if not subject.startswith("service:"):
            raise InvalidToken("not a service token")
        return subject.removeprefix("service:")

    # -- verifying --

    def verify(self, token: str) -> Principal:
        """The principal a valid, unrevoked token names; InvalidToken otherwise. May fetch
        an issuer's keys (blocking): from async code use `verify_async`."""
        return self.inspect(token).principal

    async def verify_async(self, token: str) -> Principal:
        return (await self.inspect_async(token)).principal

    def inspect(self, token: str) -> Verified:
        verified = self._verified_cached(token)
        if verified is None:
            self._fetch_keys_if_needed(token)
            verified = self._verify_and_cache(token)
        self._check_revocation(verified)
        return verified

    async def inspect_async(self, token: str) -> Verified:
        """As `inspect`, with an issuer's keys fetched in a worker thread, off the loop."""
        verified = self._verified_cached(token)
        if verified is None:
            kid = self._external_kid(token)
            if kid is not False and self._jwks is not None and self._jwks.needs_fetch(kid):
                await anyio.to_thread.run_sync(self._jwks.fetch, kid)
            verified = self._verify_and_cache(token)
        self._check_revocation(verified)
        return verified

    def inspect_expired_own(self, token: str) -> Verified | None:
        """One of our own session tokens with its signature checked but not its expiry (the
        pages refresh an expired token while its session lives); None when it is not one."""
        try:
            claims = jwt.decode(
                token,
                self.settings.jwt_secret,
                algorithms=["HS256"],
                audience=self.settings.jwt_audience,
                issuer=self.settings.session_issuer,
                options={"require": ["exp", "iss", "aud", "sub", "sid"], "verify_exp": False},
            )
            return self._verified_from(claims, own=True)
        except (jwt.PyJWTError, KeyError, ValueError):
            return None

    def _verified_cached(self, token: str) -> Verified | None:
        """A token already verified is answered from a small cache until it expires: its
        signature cannot change, and checking it is a tenth of a millisecond on every request.
        Revocation is checked on every request all the same."""
        cached = self._verified.get(token)
        if cached is None:
            return None
        if time.time() < cached.expires_at:
            return cached
        self._verified.pop(token, None)
        return None

    def _verify_and_cache(self, token: str) -> Verified:
        verified = self._verify(token)
        if len(self._verified) >= _VERIFIED_CACHE_SIZE:
            self._verified.clear()  # rare; simpler and as safe as evicting one by one
        self._verified[token] = verified
        return verified

    def _check_revocation(self, verified: Verified) -> None:
        if self.revocations is None:
            return
        if self.revocations.is_revoked(
            sid=verified.session_id,
            jti=verified.token_id,
            subject=verified.principal.subject,
            issued_at=verified.issued_at,
        ):
            raise InvalidToken("revoked")

    def _external_kid(self, token: str) -> str | Literal[False] | None:
        """The key id an external token names (None: none named); False for our own tokens
        and for what is not a token at all."""
        try:
            if jwt.decode(token, options={"verify_signature": False}).get("iss") == (
                self.settings.session_issuer
            ):
                return False
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            return False
        return str(kid) if kid is not None else None

    def _fetch_keys_if_needed(self, token: str) -> None:
        kid = self._external_kid(token)
        if kid is not False and self._jwks is not None and self._jwks.needs_fetch(kid):
            self._jwks.fetch(kid)

    def _verify(self, token: str) -> Verified:
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
            own = unverified.get("iss") == self.settings.session_issuer
            key: Any
            if own:
                key, algorithms, issuer = self.settings.jwt_secret, ["HS256"], unverified["iss"]
            elif self._jwks is not None:
                kid = jwt.get_unverified_header(token).get("kid")
                key = self._jwks.key_for(str(kid) if kid is not None else None)
                if key is None:
                    raise InvalidToken("unknown signing key")
                algorithms, issuer = _EXTERNAL_ALGORITHMS, self.settings.jwt_issuer
            elif self.settings.jwt_public_key:
                key, algorithms = self.settings.jwt_public_key, _EXTERNAL_ALGORITHMS
                issuer = self.settings.jwt_issuer
            else:
                key, algorithms = self.settings.jwt_secret, ["HS256"]
                issuer = self.settings.jwt_issuer
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.settings.jwt_audience,
                issuer=issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
            return self._verified_from(claims, own=own)
        except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
            raise InvalidToken(str(exc)) from exc

    @staticmethod
    def _verified_from(claims: dict[str, Any], *, own: bool) -> Verified:
        principal = Principal(
            subject=str(claims["sub"]),
            role=Role(claims["role"]),
            org=str(claims["org"]),
            name=str(claims.get("name", "")),
        )
        sid = claims.get("sid") if own else None
        jti = claims.get("jti")
        return Verified(
            principal=principal,
            expires_at=float(claims["exp"]),
            issued_at=float(claims.get("iat", 0)),
            session_id=str(sid) if sid is not None else None,
            token_id=str(jti) if jti is not None else None,
            own=own,
        )
