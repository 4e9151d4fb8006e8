"""The vocabulary of notifications: channels, preferences, delivery states."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    INBOX = "inbox"  # hộp thư trong ứng dụng
    EMAIL = "email"
    WEBHOOK = "webhook"


# What a person may choose for themselves; webhooks are subscriptions, not a preference.
PERSONAL_CHANNELS = (Channel.INBOX, Channel.EMAIL)


class Language(StrEnum):
    VI = "vi"
    EN = "en"


class ReminderMode(StrEnum):
    """How reminders reach a person by e-mail: at once, or gathered in one daily digest."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # due at next_attempt_at
    HELD = "held"  # a reminder e-mail waiting for the recipient's daily digest
    DELIVERED = "delivered"
    FAILED = "failed"  # every attempt failed
    CANCELLED = "cancelled"  # its subscription was disabled or deleted first
    DIGESTED = "digested"  # sent as part of a digest (see digest_id)


OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.HELD)
