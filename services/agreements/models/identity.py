"""Who is signed in, what was revoked, and the counters of failed sign-ins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field as SQLField

from common.db import TableModel, UTCDateTime, utcnow


class AuthSession(TableModel, table=True):
    """A sign-in: the tokens issued under it carry its id (`sid`) and stop counting the moment
    it is revoked. Page sessions slide (each refresh moves `last_seen_at`) within `expires_at`;
    API sessions are refreshed with a refresh token (kept hashed, replaced at every use)."""

    __tablename__ = "auth_sessions"
    __table_args__ = (Index("ix_auth_sessions_subject", "subject", "revoked_at"),)

    id: str = SQLField(primary_key=True, max_length=32)
    subject: str = SQLField(max_length=200)
    role: str = SQLField(max_length=40)
    org: str = SQLField(max_length=100)
    name: str = SQLField(default="", max_length=300)
    kind: str = SQLField(max_length=10)  # "page" or "api"
    address: str | None = SQLField(default=None, max_length=64)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = SQLField(sa_type=UTCDateTime)
    refresh_hash: str | None = SQLField(default=None, max_length=64)
    revoked_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    revoked_reason: str | None = SQLField(default=None, max_length=40)
    revoked_by: str | None = SQLField(default=None, max_length=200)


class AuthRevocation(TableModel, table=True):
    """One revocation, in the order made (the id is the cursor every service reads from): a
    session (`sid`), a token (`jti`, for tokens of another issuer), or every token of a subject
    issued until `revoked_at`."""

    __tablename__ = "auth_revocations"
    __table_args__ = (Index("ix_auth_revocations_revoked_at", "revoked_at"),)

    id: int | None = SQLField(default=None, primary_key=True)
    kind: str = SQLField(max_length=10)  # "session", "token" or "subject"
    value: str = SQLField(max_length=200)
    revoked_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    reason: str = SQLField(max_length=40)
    revoked_by: str | None = SQLField(default=None, max_length=200)


class LoginCounter(TableModel, table=True):
    """A rate-limit counter of the `limits` library (fixed window), kept in the database so
    every process of the service counts the same failed sign-ins."""

    __tablename__ = "login_counters"
    __table_args__ = (Index("ix_login_counters_expires_at", "expires_at"),)

    key: str = SQLField(primary_key=True, max_length=300)
    count: int = 0
    expires_at: float  # epoch seconds, as `limits` counts
