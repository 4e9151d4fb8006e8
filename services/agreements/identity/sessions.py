"""Sessions: sign-in, refresh, revocation, and the revocation feed every service reads.

A session is a sign-in. Every token issued under it carries its id (`sid`); revoking it
(logout, an administrator, a sign-in showing another role or organisation) writes a
revocation row that every service reads (common/revocation.py), so its tokens stop counting
everywhere within a poll interval, at once in the process that revoked. Page sessions slide:
each refresh of the page's token moves `last_seen_at`, and the session ends after
`idle` without one or `max` after sign-in. API sessions are refreshed with a refresh token,
replaced at each use; presenting a replaced one again ends the session (it was copied).

Each function works inside the caller's session; the caller commits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from common.auth import Principal, Role
from common.revocation import RETENTION_S, RevocationEntry
from services.agreements.models import AuthRevocation, AuthSession

PAGE = "page"
API = "api"


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta  # a session unused this long has ended
    max: timedelta  # and any session this long after sign-in


@dataclass(frozen=True)
class Started:
    session_id: str
    refresh_token: str | None
    expires_at: datetime
    revoked: list[RevocationEntry]  # other sessions this sign-in ended (a changed role)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _alive(row: AuthSession | None, policy: SessionPolicy, now: datetime) -> bool:
    return (
        row is not None
        and row.revoked_at is None
        and now < row.expires_at
        and now - row.last_seen_at <= policy.idle
    )


def principal_of(row: AuthSession) -> Principal:
    return Principal(row.subject, Role(row.role), row.org, row.name)


def entry_of(row: AuthRevocation) -> RevocationEntry:
    kind = row.kind if row.kind in ("session", "token", "subject") else "subject"
    return RevocationEntry(kind=kind, value=row.value, revoked_at=row.revoked_at.timestamp())  # type: ignore[arg-type]


def start_session(
    session: Session,
    *,
    principal: Principal,
    kind: str,
    policy: SessionPolicy,
    now: datetime,
    address: str | None = None,
    not_after: datetime | None = None,
) -> Started:
    """A new session (with a refresh token for the API). A person whose role or organisation
    is not the one their other live sessions were opened with has changed post: those end."""
    revoked: list[RevocationEntry] = []
    for other in session.exec(
        select(AuthSession).where(
            AuthSession.subject == principal.subject, col(AuthSession.revoked_at).is_(None)
        )
    ).all():
        if (other.role, other.org) != (principal.role.value, principal.org):
            revoked.append(_revoke(session, other, reason="role_changed", by=None, now=now))
    sid = uuid.uuid4().hex
    refresh = f"{sid}.{secrets.token_urlsafe(32)}" if kind == API else None
    expires_at = now + policy.max
    if not_after is not None:
        expires_at = min(expires_at, not_after)
    session.add(
        AuthSession(
            id=sid,
            subject=principal.subject,
            role=principal.role.value,
            org=principal.org,
            name=principal.name,
            kind=kind,
            address=(address or None) and address[:64],
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
            refresh_hash=_hash(refresh.split(".", 1)[1]) if refresh else None,
        )
    )
    return Started(sid, refresh, expires_at, revoked)


@dataclass(frozen=True)
class Refreshed:
    """A refreshed API session, or (principal None) a refusal; `revoked` holds the session's
    own revocation when a replaced refresh token was presented again (someone holds a copy)."""

    principal: Principal | None
    session_id: str = ""
    refresh_token: str = ""
    expires_at: datetime | None = None
    revoked: list[RevocationEntry] = field(default_factory=list)


def refresh_api_session(
    session: Session, *, refresh_token: str, policy: SessionPolicy, now: datetime
) -> Refreshed:
    sid, _, secret = refresh_token.partition(".")
    row = session.get(AuthSession, sid) if sid and secret else None
    if row is None or row.kind != API or not _alive(row, policy, now):
        return Refreshed(None)
    if not hmac.compare_digest(row.refresh_hash or "", _hash(secret)):
        return Refreshed(
            None, revoked=[_revoke(session, row, reason="refresh_reused", by=None, now=now)]
        )
    new_secret = secrets.token_urlsafe(32)
    row.refresh_hash = _hash(new_secret)
    row.last_seen_at = now
    session.add(row)
    return Refreshed(principal_of(row), sid, f"{sid}.{new_secret}", row.expires_at)


def extend_page_session(
    session: Session, *, session_id: str, policy: SessionPolicy, now: datetime
) -> Principal | None:
    """The person of a live page session, whose idle clock starts again; None when it ended."""
    row = session.get(AuthSession, session_id)
    if row is None or row.kind != PAGE or not _alive(row, policy, now):
        return None
    row.last_seen_at = now
    session.add(row)
    return principal_of(row)


def _revoke(
    session: Session, row: AuthSession, *, reason: str, by: str | None, now: datetime
) -> RevocationEntry:
    row.revoked_at, row.revoked_reason, row.revoked_by = now, reason, by
    session.add(row)
    revocation = AuthRevocation(
        kind="session", value=row.id, revoked_at=now, reason=reason, revoked_by=by
    )
    session.add(revocation)
    return entry_of(revocation)


def revoke_session(
    session: Session,
    *,
    session_id: str,
    reason: str,
    by: str | None,
    now: datetime,
    owner: str | None = None,
) -> RevocationEntry | None:
    """End a session (only `owner`'s, when given); None when there is no such live one."""
    row = session.get(AuthSession, session_id)
    if row is None or row.revoked_at is not None or (owner is not None and row.subject != owner):
        return None
    return _revoke(session, row, reason=reason, by=by, now=now)


def revoke_token(
    session: Session, *, token_id: str, reason: str, by: str | None, now: datetime
) -> RevocationEntry:
    """One token of another issuer (its `jti`): its holder signed out here."""
    revocation = AuthRevocation(
        kind="token", value=token_id[:200], revoked_at=now, reason=reason, revoked_by=by
    )
    session.add(revocation)
    return entry_of(revocation)


def revoke_subject(
    session: Session, *, subject: str, reason: str, by: str | None, now: datetime
) -> list[RevocationEntry]:
    """Every session of a person, and every token issued to them until now by any issuer
    (an administrator's revocation; after a role change at the issuer)."""
    entries = [
        _revoke(session, row, reason=reason, by=by, now=now)
        for row in session.exec(
            select(AuthSession).where(
                AuthSession.subject == subject, col(AuthSession.revoked_at).is_(None)
            )
        ).all()
    ]
    cutoff = AuthRevocation(
        kind="subject", value=subject[:200], revoked_at=now, reason=reason, revoked_by=by
    )
    session.add(cutoff)
    entries.append(entry_of(cutoff))
    return entries


def live_sessions(
    session: Session, *, subject: str, policy: SessionPolicy, now: datetime
) -> list[AuthSession]:
    rows = session.exec(
        select(AuthSession)
        .where(AuthSession.subject == subject, col(AuthSession.revoked_at).is_(None))
        .order_by(col(AuthSession.created_at).desc())
    ).all()
    return [r for r in rows if _alive(r, policy, now)]


def session_owner(session: Session, *, session_id: str) -> str | None:
    row = session.get(AuthSession, session_id)
    return row.subject if row is not None else None


def revocations_since(session: Session, *, since: float, now: datetime) -> list[RevocationEntry]:
    """What every service must refuse: revocations made since `since` (epoch seconds), at
    most a retention period back."""
    floor = max(since, now.timestamp() - RETENTION_S)
    start = datetime.fromtimestamp(floor, tz=now.tzinfo)
    rows = session.exec(
        select(AuthRevocation)
        .where(col(AuthRevocation.revoked_at) >= start)
        .order_by(col(AuthRevocation.revoked_at), col(AuthRevocation.id))
    ).all()
    return [entry_of(r) for r in rows]
