"""The service's own records: the outbox and its relay's state, activity results,
idempotency keys, preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field as SQLField

from common.db import TableModel, UTCDateTime, utcnow
from services.agreements.models.base import new_id

# --- Outbox and idempotency ----------------------------------------------------------------


class OutboxEvent(TableModel, table=True):
    """An event written in the same transaction as the change it announces; the relay
    publishes it and only then sets `published_at`. Rows are kept: they are the event log."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_unpublished", "published_at", "id"),)

    id: int | None = SQLField(default=None, primary_key=True)
    event_id: str = SQLField(default_factory=new_id, max_length=36, unique=True)
    event_type: str = SQLField(max_length=80)
    event_version: int = 1
    agreement_id: str = SQLField(max_length=36, index=True)
    data: dict[str, Any] = SQLField(sa_column=Column(JSON, nullable=False))
    correlation_id: str | None = SQLField(default=None, max_length=128)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    published_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)


class ActivityOp(TableModel, table=True):
    """An activity's effect, recorded with it: a retried activity whose commit landed (but
    whose acknowledgement to Temporal was lost) finds its op id here and answers the same."""

    __tablename__ = "activity_ops"

    op_id: str = SQLField(primary_key=True, max_length=36)
    name: str = SQLField(max_length=60)
    result: dict[str, Any] = SQLField(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)


class IdempotencyRecord(TableModel, table=True):
    """The response a write gave, kept per caller and Idempotency-Key, committed with the write."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("principal", "key", name="uq_idempotency_principal_key"),)

    id: int | None = SQLField(default=None, primary_key=True)
    principal: str = SQLField(max_length=200)
    key: str = SQLField(max_length=200)
    fingerprint: str = SQLField(max_length=64)
    status_code: int
    body: str = SQLField(sa_column=Column(Text, nullable=False))
    headers: dict[str, str] = SQLField(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)


# --- People's preferences (web pages) -------------------------------------------------------


class UserPreference(TableModel, table=True):
    """What a person chose on the web pages, kept by token subject so it follows them from
    browser to browser: for now the language (Vietnamese unless they switched)."""

    __tablename__ = "user_preferences"

    subject: str = SQLField(primary_key=True, max_length=200)
    language: str = SQLField(default="vi", max_length=8)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)


class RelayState(TableModel, table=True):
    """What the relay knows it put on a topic, to tell when the broker lost it: the topic's id
    (a topic made again gets a new one) and, per partition, the least end offset the log can
    have after what the broker acknowledged (a log that now ends below it lost records).
    Kept with the outbox, so a restarted relay still knows."""

    __tablename__ = "relay_state"

    topic: str = SQLField(primary_key=True, max_length=249)
    topic_id: str | None = SQLField(default=None, max_length=36)
    # {"<partition>": one past the first offset of the relay's latest batch there}: not the
    # last offset, because Tansu reports a partition's end as one past its last batch's
    # *first* record. JSON object keys are strings.
    min_ends: dict[str, int] = SQLField(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    republications: int = 0
    last_republished_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    # While the outbox is published again: its rows up to this id are the history being
    # restored (counted apart from first publications, their delay not observed).
    replay_through_id: int | None = None
