"""Storage tables and API shapes of the notifications service (SQLModel families per entity).

The tables live in their own metadata: this service owns its database, and other services'
models (in the same process, e.g. the test session) must not appear in its migrations.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, Column, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field as SQLField

from common.db import TableModel, UTCDateTime, utcnow
from common.events.types import EventType
from services.notifications.domain.enums import (
    Channel,
    DeliveryStatus,
    Language,
    ReminderMode,
)

_random = random.Random()  # seeded from os.urandom once


def new_id() -> str:
    """A random (version 4) UUID from an in-process generator: uuid4() reads os.urandom on
    every call, a system call that showed in the consumer's profile. Ids are not secrets:
    access to every object is checked."""
    return str(uuid.UUID(int=_random.getrandbits(128), version=4))


def default_channels() -> list[str]:
    return [Channel.INBOX.value, Channel.EMAIL.value]


class NotificationsTable(TableModel, registry=registry()):
    """Base of this service's tables: its own registry, hence its own metadata."""


# --- Recipients and their preferences ------------------------------------------------------


class Recipient(NotificationsTable, table=True):
    """A person who can be told: who they are (as their token says) and how they want it."""

    __tablename__ = "recipients"
    __table_args__ = (Index("ix_recipients_role_org", "role", "org"),)

    subject: str = SQLField(primary_key=True, max_length=200)
    role: str = SQLField(max_length=40)
    org: str = SQLField(max_length=100)
    name: str = SQLField(default="", max_length=300)
    email: str | None = SQLField(default=None, max_length=320)
    language: str = SQLField(default=Language.VI.value, max_length=5)
    channels: list[str] = SQLField(
        default_factory=default_channels, sa_column=Column(JSON, nullable=False)
    )
    reminder_mode: str = SQLField(default=ReminderMode.IMMEDIATE.value, max_length=20)
    active: bool = True
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)


class PreferencesPublic(BaseModel):
    language: Language
    channels: list[Channel]
    reminder_mode: ReminderMode
    email: str | None = Field(description="where e-mail goes; set by an administrator")


class PreferencesUpdate(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    language: Language | None = None
    channels: list[Channel] | None = Field(
        default=None, min_length=1, max_length=2, description="inbox and/or email"
    )
    reminder_mode: ReminderMode | None = None


class RecipientPut(BaseModel):
    """An administrator registers or updates a person (production directory)."""

    model_config = ConfigDict(extra="forbid")

    role: str = Field(min_length=1, max_length=40)
    org: str = Field(min_length=1, max_length=100)
    name: str = Field(default="", max_length=300)
    email: str | None = Field(default=None, max_length=320)
    active: bool = True


class RecipientPublic(BaseModel):
    subject: str
    role: str
    org: str
    name: str
    email: str | None
    language: str
    channels: list[str]
    reminder_mode: str
    active: bool


class RecipientsPublic(BaseModel):
    data: list[RecipientPublic]
    count: int
    limit: int
    offset: int


# --- Processed events (idempotence) --------------------------------------------------------


class ProcessedEvent(NotificationsTable, table=True):
    """An event whose notifications were created, in the same transaction as they were."""

    __tablename__ = "processed_events"

    event_id: str = SQLField(primary_key=True, max_length=200)
    event_type: str = SQLField(max_length=80)
    processed_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    notifications: int = 0


# --- In-app inbox --------------------------------------------------------------------------


class Notification(NotificationsTable, table=True):
    """One message in one person's inbox."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("event_id", "recipient", name="uq_notifications_event_recipient"),
        # The inbox query: one person's rows, unread first, newest first.
        Index("ix_notifications_inbox", "recipient", "read_at", "created_at"),
    )

    id: str = SQLField(default_factory=new_id, primary_key=True, max_length=36)
    recipient: str = SQLField(max_length=200)
    event_id: str = SQLField(max_length=200)
    event_type: str = SQLField(max_length=80)
    agreement_id: str | None = SQLField(default=None, max_length=64)
    language: str = SQLField(max_length=5)
    subject: str = SQLField(sa_column=Column(Text, nullable=False))
    body: str = SQLField(sa_column=Column(Text, nullable=False))
    link: str | None = SQLField(default=None, max_length=500)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)


class NotificationPublic(BaseModel):
    id: str
    event_type: str
    agreement_id: str | None
    language: str
    subject: str
    body: str
    link: str | None
    created_at: datetime
    read_at: datetime | None
    unread: bool


class InboxPublic(BaseModel):
    data: list[NotificationPublic]
    count: int = Field(description="notifications matching the filter")
    unread: int = Field(description="unread notifications in the whole inbox")
    limit: int
    offset: int


class ReadAllPublic(BaseModel):
    marked: int
    unread: int


# --- Webhook subscriptions -----------------------------------------------------------------


class Subscription(NotificationsTable, table=True):
    """A webhook: events of the chosen types that its owner may see, POSTed signed to `url`."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("owner", "idempotency_key", name="uq_subscriptions_idempotency"),
        Index("ix_subscriptions_owner", "owner"),
    )

    id: str = SQLField(default_factory=new_id, primary_key=True, max_length=36)
    owner: str = SQLField(max_length=200)
    # The owner's role and organisation when subscribing: what the subscription may receive.
    owner_role: str = SQLField(max_length=40)
    owner_org: str = SQLField(max_length=100)
    url: str = SQLField(max_length=2000)
    event_types: list[str] = SQLField(sa_column=Column(JSON, nullable=False))
    secret: str = SQLField(max_length=200)
    description: str = SQLField(default="", max_length=300)
    active: bool = True
    consecutive_failures: int = 0
    disabled_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    disabled_reason: str | None = SQLField(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    deleted_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    idempotency_key: str | None = SQLField(default=None, max_length=200)
    request_fingerprint: str | None = SQLField(default=None, max_length=64)


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2000, description="http(s) URL receiving POSTs")
    event_types: list[EventType] = Field(min_length=1, max_length=len(EventType))
    secret: str = Field(
        min_length=16, max_length=200, description="HMAC-SHA256 key; never shown again"
    )
    description: str = Field(default="", max_length=300)


class SubscriptionPublic(BaseModel):
    id: str
    url: str
    event_types: list[str]
    description: str
    active: bool
    consecutive_failures: int
    disabled_at: datetime | None
    disabled_reason: str | None
    created_at: datetime


class SubscriptionsPublic(BaseModel):
    data: list[SubscriptionPublic]
    count: int


# --- Outgoing deliveries (e-mail, webhooks) ------------------------------------------------


class Delivery(NotificationsTable, table=True):
    """One message to send outside the app, with its retry state."""

    __tablename__ = "deliveries"
    __table_args__ = (
        # One delivery per event, channel and addressee: a redelivered event adds nothing.
        UniqueConstraint("dedupe_key", name="uq_deliveries_dedupe"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
        Index("ix_deliveries_subscription", "subscription_id", "created_at"),
        Index("ix_deliveries_held", "recipient", "status"),
    )

    id: str = SQLField(default_factory=new_id, primary_key=True, max_length=36)
    dedupe_key: str = SQLField(max_length=500)
    channel: str = SQLField(max_length=20)
    event_id: str = SQLField(max_length=200)
    event_type: str = SQLField(max_length=80)
    agreement_id: str | None = SQLField(default=None, max_length=64)
    recipient: str | None = SQLField(default=None, max_length=200)
    subscription_id: str | None = SQLField(
        default=None,
        sa_column=Column(String(36), ForeignKey("subscriptions.id"), nullable=True),
    )
    target: str = SQLField(max_length=2000, description="e-mail address or URL")
    language: str | None = SQLField(default=None, max_length=5)
    subject: str | None = SQLField(default=None, sa_column=Column(Text, nullable=True))
    body: str = SQLField(sa_column=Column(Text, nullable=False))
    status: str = SQLField(default=DeliveryStatus.PENDING.value, max_length=20)
    attempts: int = 0
    next_attempt_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    lease_until: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    lease_token: str | None = SQLField(default=None, max_length=36)
    # When the event happened: delivery latency is measured from here.
    event_time: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    delivered_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = None
    last_error: str | None = SQLField(default=None, sa_column=Column(Text, nullable=True))
    # A reminder held for a digest points at the digest delivery that carried it.
    digest_id: str | None = SQLField(default=None, max_length=36)


class DeliveryAttempt(NotificationsTable, table=True):
    """One try of a delivery: the delivery log a subscriber reads."""

    __tablename__ = "delivery_attempts"

    id: int | None = SQLField(default=None, primary_key=True)
    delivery_id: str = SQLField(
        sa_column=Column(String(36), ForeignKey("deliveries.id"), nullable=False, index=True)
    )
    number: int
    at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    duration_ms: float = 0.0
    ok: bool = False
    status_code: int | None = None
    error: str | None = SQLField(default=None, sa_column=Column(Text, nullable=True))


class AttemptPublic(BaseModel):
    number: int
    at: datetime
    duration_ms: float
    ok: bool
    status_code: int | None
    error: str | None


class DeliveryPublic(BaseModel):
    id: str
    event_id: str
    event_type: str
    agreement_id: str | None
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    attempt_log: list[AttemptPublic]


class DeliveriesPublic(BaseModel):
    data: list[DeliveryPublic]
    count: int
    limit: int
    offset: int


def as_dict(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")
