"""From events to notifications: who is told (domain/audience.py), in which language and on
which channels, and which webhook subscribers receive the event, all queued in the caller's
transaction with the event's processed id. The consumer calls `notify_all`; the caller commits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import bindparam, insert, or_, tuple_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from common.db import utcnow
from common.events.envelope import Event, parse_payload
from services.notifications.domain.access import may_receive
from services.notifications.domain.audience import Audience, audiences, is_reminder
from services.notifications.domain.enums import Channel, DeliveryStatus, Language, ReminderMode
from services.notifications.domain.parties import OfAgreement
from services.notifications.models import (
    Delivery,
    Notification,
    ProcessedEvent,
    Recipient,
    Subscription,
    new_id,
)
from services.notifications.rendering import Message, Renderer


@dataclass(frozen=True)
class Lease:
    """A claim on deliveries from the moment they are created: the process that created them
    sends them without claiming them from the table; if it dies first, they become due again
    when `until` passes, as any claimed delivery does."""

    token: str
    until: datetime


@dataclass(frozen=True)
class Leased:
    """A delivery created under a lease: its row as inserted, and its subscription's secret
    (webhooks)."""

    row: dict[str, Any]
    secret: str | None = None


@dataclass
class Created:
    """What one event produced, for the metrics and the dispatcher."""

    duplicate: bool = False
    inbox: int = 0
    email: int = 0
    webhook: int = 0
    notification_ids: list[str] = field(default_factory=list)
    # Deliveries created under the caller's lease, to send at once (`notify_all`'s `lease`).
    leased: list[Leased] = field(default_factory=list)


@dataclass(frozen=True)
class Person:
    """What telling someone needs from the recipients table (read without ORM objects: this
    runs for every event)."""

    subject: str
    language: str
    channels: tuple[str, ...]
    email: str | None
    reminder_mode: str


class _People:
    """People grouped by (role, org), from one query for a whole batch of events."""

    def __init__(self, rows: Sequence[tuple[str, str, Person]]) -> None:
        self.by_role_org: dict[tuple[str, str], list[Person]] = {}
        self.by_role: dict[str, list[Person]] = {}
        for role, org, person in rows:
            self.by_role_org.setdefault((role, org), []).append(person)
            self.by_role.setdefault(role, []).append(person)

    def get_all(self, wanted: Sequence[Audience]) -> list[Person]:
        """Active people holding one of the audiences' roles in its organisation, each once."""
        found: dict[str, Person] = {}
        for a in wanted:
            group = (
                self.by_role.get(a.role.value, [])
                if a.org is None
                else self.by_role_org.get((a.role.value, a.org), [])
            )
            for person in group:
                found.setdefault(person.subject, person)
        return [found[s] for s in sorted(found)]


# Built once: the statements of every batch (building them again cost more than running them).
_PEOPLE = sa_select(
    col(Recipient.role),
    col(Recipient.org),
    col(Recipient.subject),
    col(Recipient.language),
    col(Recipient.channels),
    col(Recipient.email),
    col(Recipient.reminder_mode),
).where(
    col(Recipient.active).is_(True),
    or_(
        col(Recipient.role).in_(bindparam("anywhere", expanding=True)),
        tuple_(col(Recipient.role), col(Recipient.org)).in_(bindparam("within", expanding=True)),
    ),
)
_SUBSCRIBERS = sa_select(
    col(Subscription.id),
    col(Subscription.url),
    col(Subscription.event_types),
    col(Subscription.owner_role),
    col(Subscription.owner_org),
    col(Subscription.secret),
).where(col(Subscription.active).is_(True), col(Subscription.deleted_at).is_(None))
_PROCESSED = sa_select(col(ProcessedEvent.event_id)).where(
    col(ProcessedEvent.event_id).in_(bindparam("ids", expanding=True))
)
_INSERTS = tuple(insert(model) for model in (Notification, Delivery, ProcessedEvent))


def people_by_audience(session: Session, wanted: Iterable[Audience]) -> _People:
    audiences_ = set(wanted)
    if not audiences_:
        return _People([])
    # Two IN lists, whatever the audiences: one statement shape, compiled once (an OR of one
    # condition per audience was a new statement to compile for nearly every batch).
    anywhere = sorted({a.role.value for a in audiences_ if a.org is None})
    within = sorted({(a.role.value, a.org) for a in audiences_ if a.org is not None})
    rows = session.execute(_PEOPLE, {"anywhere": anywhere, "within": within}).all()
    return _People(
        [
            (role, org, Person(subject, lang, tuple(channels or ()), mail, mode))
            for role, org, subject, lang, channels, mail, mode in rows
        ]
    )


def cloudevent_json(event: Event) -> str:
    """The event as a CloudEvents 1.0 structured-mode JSON document: what webhooks receive."""
    document: dict[str, Any] = {
        "specversion": "1.0",
        "id": event.id,
        "type": event.type,
        "source": event.source,
        "datacontenttype": "application/json",
        "data": event.data,
    }
    if event.subject:
        document["subject"] = event.subject
    if event.time:
        document["time"] = event.time.isoformat()
    if event.correlation_id:
        document["correlationid"] = event.correlation_id
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class Subscriber:
    id: str
    url: str
    event_types: frozenset[str]
    owner_role: str
    owner_org: str
    secret: str


def active_subscribers(session: Session) -> list[Subscriber]:
    rows = session.execute(_SUBSCRIBERS).all()
    return [Subscriber(i, u, frozenset(t or ()), r, o, k) for i, u, t, r, o, k in rows]


def message_data(payload: BaseModel) -> dict[str, Any]:
    """What rendering.py fills an event's templates from: the payload as JSON data, with the
    defaults of the optional fields a producer left out."""
    return payload.model_dump(mode="json")


class _Messages:
    """One event's message in each language, rendered once for everyone told in it."""

    def __init__(self, event: Event, payload: BaseModel, renderer: Renderer, at: datetime) -> None:
        self.event = event
        self.payload = payload
        self.renderer = renderer
        self.at = at
        self._data: dict[str, Any] | None = None
        self._by_language: dict[str, Message] = {}

    def get(self, lang: str) -> Message:
        message = self._by_language.get(lang)
        if message is None:
            if self._data is None:
                self._data = message_data(self.payload)
            message = self.renderer.render_event(
                self.event.name, self._data, lang, self.at, self.event.version
            )
            self._by_language[lang] = message
        return message


def notify(
    session: Session, *, event: Event, renderer: Renderer, now: datetime | None = None
) -> Created:
    """`notify_all` for one event."""
    return notify_all(session, events=[event], renderer=renderer, now=now)[0]


def notify_all(
    session: Session,
    *,
    events: Sequence[Event],
    renderer: Renderer,
    now: datetime | None = None,
    lease: Lease | None = None,
) -> list[Created]:
    """Create every inbox row and outgoing delivery the events call for, and record each event
    as processed, in the caller's transaction: all of it commits, or none of it. An event
    already processed (or twice in `events`) creates nothing. With a `lease`, the deliveries
    due now are created claimed under it and listed in `Created.leased`, for the caller to send
    once it has committed."""
    now = now or utcnow()
    ids = [e.id for e in events]
    done = set(session.execute(_PROCESSED, {"ids": ids}).scalars())
    # Each new event's payload model, parsed once: who is told, which subscribers may receive
    # it and what the messages say all read it. Data its model refuses raises here; the
    # consumer retries, then dead-letters the event.
    payloads = {e.id: parse_payload(e) for e in events if e.id not in done}
    wanted_by_event = {e.id: audiences(e.name, payloads[e.id]) for e in events if e.id not in done}
    # One query for the people of the whole batch.
    everyone = people_by_audience(session, (a for w in wanted_by_event.values() for a in w))
    subscribers: list[Subscriber] | None = None
    inbox_rows: list[dict[str, Any]] = []
    delivery_rows: list[dict[str, Any]] = []
    processed_rows: list[dict[str, Any]] = []
    results: list[Created] = []

    for event in events:
        if event.id in done:
            results.append(Created(duplicate=True))
            continue
        done.add(event.id)
        created = Created()
        at = event.time or now
        payload = payloads[event.id]
        agreement_id = payload.agreement_id if isinstance(payload, OfAgreement) else None
        people = everyone.get_all(wanted_by_event[event.id])
        messages = _Messages(event, payload, renderer, at)
        held = is_reminder(event.name)
        for person in people:
            lang = person.language if person.language in ("vi", "en") else Language.VI.value
            message = messages.get(lang)
            if Channel.INBOX in person.channels:
                row_id = new_id()
                inbox_rows.append(
                    {
                        "id": row_id,
                        "recipient": person.subject,
                        "event_id": event.id,
                        "event_type": event.name,
                        "agreement_id": agreement_id,
                        "language": lang,
                        "subject": message.subject,
                        "body": message.body,
                        "link": message.link,
                        "created_at": now,
                        "read_at": None,
                    }
                )
                created.inbox += 1
                created.notification_ids.append(row_id)
            if Channel.EMAIL in person.channels and person.email:
                digest = held and person.reminder_mode == ReminderMode.DIGEST
                row = _delivery_row(
                    dedupe_key=f"{event.id}|email|{person.subject}",
                    channel=Channel.EMAIL,
                    event=event,
                    agreement_id=agreement_id,
                    recipient=person.subject,
                    target=person.email,
                    language=lang,
                    subject=message.subject,
                    body=message.body,
                    status=DeliveryStatus.HELD if digest else DeliveryStatus.PENDING,
                    at=at,
                    now=now,
                    lease=None if digest else lease,
                )
                _queue(delivery_rows, created, row)
                created.email += 1

        if subscribers is None:
            subscribers = active_subscribers(session)
        body: str | None = None
        for sub in subscribers:
            if event.name not in sub.event_types or not may_receive(
                sub.owner_role, sub.owner_org, event.name, payload
            ):
                continue
            # Webhooks receive the event as it was published, not as this version parsed it.
            body = body or cloudevent_json(event)
            row = _delivery_row(
                dedupe_key=f"{event.id}|webhook|{sub.id}",
                channel=Channel.WEBHOOK,
                event=event,
                agreement_id=agreement_id,
                subscription_id=sub.id,
                target=sub.url,
                body=body,
                at=at,
                now=now,
                lease=lease,
            )
            _queue(delivery_rows, created, row, sub.secret)
            created.webhook += 1

        processed_rows.append(
            {
                "event_id": event.id,
                "event_type": event.name,
                "processed_at": now,
                "notifications": created.inbox + created.email + created.webhook,
            }
        )
        results.append(created)

    # Bulk inserts, many rows a statement: the ORM's unit of work per object cost more than
    # everything else an event needs.
    for statement, rows in zip(_INSERTS, (inbox_rows, delivery_rows, processed_rows), strict=True):
        if rows:
            session.execute(statement, rows)
    return results


def _queue(
    rows: list[dict[str, Any]], created: Created, row: dict[str, Any], secret: str | None = None
) -> None:
    """A delivery row to insert; one made under a lease is also the caller's to send."""
    rows.append(row)
    if row["lease_token"] is not None:
        created.leased.append(Leased(row, secret))


def _delivery_row(
    *,
    dedupe_key: str,
    channel: Channel,
    event: Event,
    agreement_id: str | None,
    target: str,
    body: str,
    at: datetime,
    now: datetime,
    recipient: str | None = None,
    subscription_id: str | None = None,
    language: str | None = None,
    subject: str | None = None,
    status: DeliveryStatus = DeliveryStatus.PENDING,
    lease: Lease | None = None,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "dedupe_key": dedupe_key,
        "channel": channel.value,
        "event_id": event.id,
        "event_type": event.name,
        "agreement_id": agreement_id,
        "recipient": recipient,
        "subscription_id": subscription_id,
        "target": target,
        "language": language,
        "subject": subject,
        "body": body,
        "status": status.value,
        "attempts": 0,
        "next_attempt_at": now,
        "lease_until": lease.until if lease else None,
        "lease_token": lease.token if lease else None,
        "event_time": at,
        "created_at": now,
        "delivered_at": None,
        "last_status_code": None,
        "last_error": None,
        "digest_id": None,
    }


def is_processed(session: Session, event_id: str) -> bool:
    return session.get(ProcessedEvent, event_id) is not None
