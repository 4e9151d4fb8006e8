"""Signing in and out, as the API and the pages do it: the failed-attempt limits, the session,
its tokens, and the revocations that end it everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from common.auth import Principal, TokenService, Verified
from common.db import Database, utcnow
from common.directory import authenticate
from common.problems import register_texts
from common.revocation import Fetch, RevocationEntry, Revocations
from services.agreements.identity import sessions
from services.agreements.identity.sessions import SessionPolicy
from services.agreements.identity.throttle import LoginThrottle
from services.agreements.models import AuthSession
from services.agreements.settings import AgreementsSettings
from services.agreements.unit_of_work import read, write

register_texts(
    {
        "session_ended": (
            "Phiên đăng nhập đã kết thúc hoặc mã làm mới không còn hiệu lực; hãy đăng nhập lại.",
            "The session has ended or the refresh token is no longer valid; sign in again.",
        ),
        "refresh_token_required": (
            "Cần gửi refresh_token khi grant_type=refresh_token.",
            "Send refresh_token with grant_type=refresh_token.",
        ),
    }
)


class BadCredentials(Exception):
    """Unknown login, wrong password, or a token that is not valid."""


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    session_id: str
    access_token: str
    expires_in: int
    refresh_token: str | None
    session_expires_at: datetime


class Identity:
    def __init__(
        self,
        settings: AgreementsSettings,
        db: Database,
        tokens: TokenService,
        revocations: Revocations,
    ) -> None:
        self.settings = settings
        self.db = db
        self.tokens = tokens
        self.revocations = revocations
        self.policy = SessionPolicy(
            idle=timedelta(seconds=settings.session_idle_seconds),
            max=timedelta(seconds=settings.session_max_seconds),
        )
        self.throttle = LoginThrottle(
            db,
            per_account=settings.login_limit_per_account,
            per_address=settings.login_limit_per_address,
        )

    # -- signing in --

    def password_login(
        self, username: str, password: str, *, address: str | None, kind: str
    ) -> SignedIn:
        """The development directory's logins, within the failed-attempt limits
        (TooManyRequests), BadCredentials otherwise."""
        self.throttle.check(username, address)
        principal = authenticate(username, password, self.settings.dev_password)
        if principal is None:
            self.throttle.failed(username, address)
            raise BadCredentials()
        self.throttle.succeeded(username)
        return self._start(principal, kind=kind, address=address)

    def token_login(self, token: str, *, address: str | None) -> SignedIn:
        """A page session from a token of the configured issuer, pasted by the person; it ends
        when that token would have expired, at the latest."""
        self.throttle.check("(token)", address)
        try:
            verified = self.tokens.inspect(token)
        except Exception as exc:  # InvalidToken, an unreachable JWKS, a stale list
            self.throttle.failed("(token)", address)
            raise BadCredentials() from exc
        not_after = datetime.fromtimestamp(verified.expires_at, tz=utcnow().tzinfo)
        return self._start(
            verified.principal, kind=sessions.PAGE, address=address, not_after=not_after
        )

    def _start(
        self,
        principal: Principal,
        *,
        kind: str,
        address: str | None,
        not_after: datetime | None = None,
    ) -> SignedIn:
        started = write(
            self.db,
            sessions.start_session,
            principal=principal,
            kind=kind,
            policy=self.policy,
            now=utcnow(),
            address=address,
            not_after=not_after,
        )
        self.revocations.add(started.revoked)
        return SignedIn(
            principal=principal,
            session_id=started.session_id,
            access_token=self.tokens.issue(principal, session_id=started.session_id),
            expires_in=self.settings.jwt_ttl_seconds,
            refresh_token=started.refresh_token,
            session_expires_at=started.expires_at,
        )

    # -- staying signed in --

    def refresh(self, refresh_token: str) -> SignedIn:
        """A new access token and refresh token for an API session; BadCredentials when the
        session ended or the refresh token was already used (which ends the session)."""
        refreshed = write(
            self.db,
            sessions.refresh_api_session,
            refresh_token=refresh_token,
            policy=self.policy,
            now=utcnow(),
        )
        self.revocations.add(refreshed.revoked)
        if refreshed.principal is None or refreshed.expires_at is None:
            raise BadCredentials()
        return SignedIn(
            principal=refreshed.principal,
            session_id=refreshed.session_id,
            access_token=self.tokens.issue(refreshed.principal, session_id=refreshed.session_id),
            expires_in=self.settings.jwt_ttl_seconds,
            refresh_token=refreshed.refresh_token,
            session_expires_at=refreshed.expires_at,
        )

    def page_token_due(self, token: str) -> Verified | None:
        """A page's own session token that is past half its life (or expired): due for a new
        one if its session lives. None when it is not due, or not a session token."""
        verified = self.tokens.inspect_expired_own(token)
        if verified is None or verified.session_id is None:
            return None
        remaining = verified.expires_at - utcnow().timestamp()
        if remaining > self.settings.jwt_ttl_seconds / 2:
            return None
        return verified

    def refresh_page(self, verified: Verified) -> str | None:
        """A new token for a page session that is still alive (its idle clock restarts)."""
        assert verified.session_id is not None
        principal = write(
            self.db,
            sessions.extend_page_session,
            session_id=verified.session_id,
            policy=self.policy,
            now=utcnow(),
        )
        if principal is None:
            return None
        return self.tokens.issue(principal, session_id=verified.session_id)

    # -- signing out and revoking --

    def logout(self, verified: Verified) -> None:
        """End the session the token belongs to; a token of another issuer is revoked alone
        (or, without a token id, every token of its subject until now)."""
        by = verified.principal.subject
        now = utcnow()
        entries: list[RevocationEntry]
        if verified.session_id is not None:
            entry = write(
                self.db,
                sessions.revoke_session,
                session_id=verified.session_id,
                reason="logout",
                by=by,
                now=now,
            )
            entries = [entry] if entry else []
        elif verified.token_id is not None:
            entries = [
                write(
                    self.db,
                    sessions.revoke_token,
                    token_id=verified.token_id,
                    reason="logout",
                    by=by,
                    now=now,
                )
            ]
        else:
            entries = write(
                self.db, sessions.revoke_subject, subject=by, reason="logout", by=by, now=now
            )
        self.revocations.add(entries)

    def logout_page(self, token: str) -> None:
        """The pages' sign-out: the session of the cookie's token, even an expired one."""
        verified = self.tokens.inspect_expired_own(token)
        if verified is not None:
            self.logout(verified)

    def revoke_session(self, session_id: str, *, by: Principal, owner: str | None) -> bool:
        entry = write(
            self.db,
            sessions.revoke_session,
            session_id=session_id,
            reason="revoked" if owner is None else "logout",
            by=by.subject,
            now=utcnow(),
            owner=owner,
        )
        if entry is None:
            return False
        self.revocations.add([entry])
        return True

    def revoke_subject(self, subject: str, *, by: Principal, reason: str) -> int:
        """Every session and token of a person; returns the sessions ended."""
        entries = write(
            self.db,
            sessions.revoke_subject,
            subject=subject,
            reason=reason,
            by=by.subject,
            now=utcnow(),
        )
        self.revocations.add(entries)
        return sum(1 for e in entries if e.kind == "session")

    # -- reading --

    def sessions_of(self, subject: str) -> list[AuthSession]:
        return read(
            self.db, sessions.live_sessions, subject=subject, policy=self.policy, now=utcnow()
        )

    def owner_of(self, session_id: str) -> str | None:
        return read(self.db, sessions.session_owner, session_id=session_id)

    def revocations_since(self, since: float) -> list[RevocationEntry]:
        return read(self.db, sessions.revocations_since, since=since, now=utcnow())

    def fetch(self) -> Fetch:
        """The revocation feed this service's own list reads, straight from its table."""
        return self.revocations_since
