"""What sending one delivery needs: a plain, immutable copy of its row, made without the ORM
(the consumer hands over every delivery it creates; building a model object for each cost more
than writing its e-mail)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.notifications.models import Delivery


@dataclass(frozen=True, slots=True)
class Outgoing:
    id: str
    channel: str
    target: str
    subject: str | None
    body: str
    language: str | None
    event_id: str
    event_type: str
    attempts: int
    lease_token: str | None
    lease_until: datetime | None

    @classmethod
    def of_row(cls, row: dict[str, Any]) -> Outgoing:
        return cls(**{name: row[name] for name in cls.__slots__})

    @classmethod
    def of(cls, delivery: Delivery) -> Outgoing:
        return cls(**{name: getattr(delivery, name) for name in cls.__slots__})
