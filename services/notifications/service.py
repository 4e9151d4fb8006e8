"""Use cases of the notifications service, one function each, keyword-only.

The consumer calls `notify`; the API calls the inbox, preference, subscription and recipient
functions. Each works inside the caller's session; the caller commits.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, case, func, insert, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from common.auth import Principal, Role
from common.db import utcnow
from common.events.envelope import Event
from services.notifications.domain.access import may_receive
from services.notifications.domain.audience import Audience, audiences, is_reminder
from services.notifications.domain.enums import (
    OPEN_STATUSES,
    Channel,
    DeliveryStatus,
    Language,
    ReminderMode,
)
from services.notifications.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    Unprocessable,
)
from services.notifications.models import (
    Delivery,
    DeliveryAttempt,
    Notification,
    PreferencesUpdate,
    ProcessedEvent,
    Recipient,
    RecipientPut,
    Subscription,
    SubscriptionCreate,
    new_id,
)
from services.notifications.rendering import Message, Renderer

# --- from an event to notifications --------------------------------------------------------


@dataclass
class Created:
    """What one event produced, for the metrics and the dispatcher."""

    duplicate: bool = False
    inbox: int = 0
    email: int = 0
    webhook: int = 0
    notification_ids: list[str] = field(default_factory=list)

    @property
    def outgoing(self) -> int:
        return self.email + self.webhook


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


def people_by_audience(session: Session, wanted: Iterable[Audience]) -> _People:
    audiences_ = set(wanted)
    if not audiences_:
        return _People([])
    conditions = [
        col(Recipient.role) == a.role.value
        if a.org is None
        else and_(col(Recipient.role) == a.role.value, col(Recipient.org) == a.org)
        for a in audiences_
    ]
    rows = session.execute(
        sa_select(
            col(Recipient.role),
            col(Recipient.org),
            col(Recipient.subject),
            col(Recipient.language),
            col(Recipient.channels),
            col(Recipient.email),
            col(Recipient.reminder_mode),
        ).where(col(Recipient.active).is_(True), or_(*conditions))
    ).all()
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


def active_subscribers(session: Session) -> list[Subscriber]:
    rows = session.execute(
        sa_select(
            col(Subscription.id),
            col(Subscription.url),
            col(Subscription.event_types),
            col(Subscription.owner_role),
            col(Subscription.owner_org),
        ).where(col(Subscription.active).is_(True), col(Subscription.deleted_at).is_(None))
    ).all()
    return [Subscriber(i, u, frozenset(t or ()), r, o) for i, u, t, r, o in rows]


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
) -> list[Created]:
    """Create every inbox row and outgoing delivery the events call for, and record each event
    as processed, in the caller's transaction: all of it commits, or none of it. An event
    already processed (or twice in `events`) creates nothing."""
    now = now or utcnow()
    ids = [e.id for e in events]
    done = set(
        session.exec(
            select(ProcessedEvent.event_id).where(col(ProcessedEvent.event_id).in_(ids))
        ).all()
    )
    fresh = [e for e in events if e.id not in done]
    wanted_by_event = {e.id: audiences(e.name, e.data) for e in fresh}
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
        agreement_id = event.data.get("agreement_id")
        people = everyone.get_all(wanted_by_event[event.id])
        messages: dict[str, Message] = {}
        held = is_reminder(event.name)
        for person in people:
            lang = person.language if person.language in ("vi", "en") else Language.VI.value
            message = messages.get(lang)
            if message is None:
                message = renderer.render_event(event.name, event.data, lang, at, event.version)
                messages[lang] = message
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
                delivery_rows.append(
                    _delivery_row(
                        dedupe_key=f"{event.id}|email|{person.subject}",
                        channel=Channel.EMAIL,
                        event=event,
                        recipient=person.subject,
                        target=person.email,
                        language=lang,
                        subject=message.subject,
                        body=message.body,
                        status=DeliveryStatus.HELD if digest else DeliveryStatus.PENDING,
                        at=at,
                        now=now,
                    )
                )
                created.email += 1

        if subscribers is None:
            subscribers = active_subscribers(session)
        body: str | None = None
        for sub in subscribers:
            if event.name not in sub.event_types or not may_receive(
                sub.owner_role, sub.owner_org, event.name, event.data
            ):
                continue
            body = body or cloudevent_json(event)
            delivery_rows.append(
                _delivery_row(
                    dedupe_key=f"{event.id}|webhook|{sub.id}",
                    channel=Channel.WEBHOOK,
                    event=event,
                    subscription_id=sub.id,
                    target=sub.url,
                    body=body,
                    at=at,
                    now=now,
                )
            )
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
    for model, rows in (
        (Notification, inbox_rows),
        (Delivery, delivery_rows),
        (ProcessedEvent, processed_rows),
    ):
        if rows:
            session.execute(insert(model), rows)
    return results


def _delivery_row(
    *,
    dedupe_key: str,
    channel: Channel,
    event: Event,
    target: str,
    body: str,
    at: datetime,
    now: datetime,
    recipient: str | None = None,
    subscription_id: str | None = None,
    language: str | None = None,
    subject: str | None = None,
    status: DeliveryStatus = DeliveryStatus.PENDING,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "dedupe_key": dedupe_key,
        "channel": channel.value,
        "event_id": event.id,
        "event_type": event.name,
        "agreement_id": event.data.get("agreement_id"),
        "recipient": recipient,
        "subscription_id": subscription_id,
        "target": target,
        "language": language,
        "subject": subject,
        "body": body,
        "status": status.value,
        "attempts": 0,
        "next_attempt_at": now,
        "lease_until": None,
        "lease_token": None,
        "event_time": at,
        "created_at": now,
        "delivered_at": None,
        "last_status_code": None,
        "last_error": None,
        "digest_id": None,
    }


def is_processed(session: Session, event_id: str) -> bool:
    return session.get(ProcessedEvent, event_id) is not None


# --- inbox -----------------------------------------------------------------------------------


def list_inbox(
    session: Session, *, principal: Principal, limit: int, offset: int, unread_only: bool
) -> tuple[list[Notification], int, int]:
    """One person's notifications, unread first then newest first; (page, count, unread)."""
    own = Notification.recipient == principal.subject
    unread_filter = col(Notification.read_at).is_(None)
    query = select(Notification).where(own)
    if unread_only:
        query = query.where(unread_filter)
    rows = session.exec(
        query.order_by(
            case((unread_filter, 0), else_=1),
            col(Notification.created_at).desc(),
            col(Notification.id),
        )
        .limit(limit)
        .offset(offset)
    ).all()
    unread = session.exec(select(func.count()).where(own, unread_filter)).one()
    count = unread if unread_only else session.exec(select(func.count()).where(own)).one()
    return list(rows), int(count), int(unread)


def mark_read(
    session: Session, *, principal: Principal, notification_id: str, now: datetime
) -> Notification:
    """Mark one of the caller's notifications read; reading it again keeps the first time.
    Someone else's notification is answered exactly like a missing one."""
    row = session.get(Notification, notification_id)
    if row is None or row.recipient != principal.subject:
        raise NotFound("notification_not_found", id=notification_id)
    if row.read_at is None:
        row.read_at = now
        session.add(row)
    return row


def mark_all_read(session: Session, *, principal: Principal, now: datetime) -> int:
    result = session.exec(
        update(Notification)
        .where(
            col(Notification.recipient) == principal.subject,
            col(Notification.read_at).is_(None),
        )
        .values(read_at=now)
    )
    return int(result.rowcount or 0)


def add_notice(
    session: Session,
    *,
    recipient: str,
    notice_id: str,
    kind: str,
    message: Message,
    language: str,
    now: datetime,
) -> Notification:
    """An inbox message from the service itself (e.g. a webhook was disabled)."""
    row = Notification(
        recipient=recipient,
        event_id=notice_id,
        event_type=kind,
        language=language,
        subject=message.subject,
        body=message.body,
        link=message.link,
        created_at=now,
    )
    session.add(row)
    return row


# --- people and preferences ------------------------------------------------------------------


def recipient_language(session: Session, subject: str) -> str:
    person = session.get(Recipient, subject)
    return person.language if person is not None else Language.VI.value


def get_preferences(session: Session, *, principal: Principal) -> Recipient:
    """The caller's row, or the defaults they would get (not stored until they change it)."""
    person = session.get(Recipient, principal.subject)
    if person is None:
        person = Recipient(subject=principal.subject, role=principal.role.value, org=principal.org)
    return person


def update_preferences(
    session: Session, *, principal: Principal, changes: PreferencesUpdate, now: datetime
) -> Recipient:
    """Change the caller's language, channels or reminder mode. Someone unknown to the
    directory (a production user before an administrator registered them) gets a row from
    their token, so their choices are kept."""
    if changes.channels is not None:
        _refuse_duplicates("channels", [c.value for c in changes.channels])
    person = session.get(Recipient, principal.subject)
    if person is None:
        person = Recipient(
            subject=principal.subject,
            role=principal.role.value,
            org=principal.org,
            name=principal.name,
            created_at=now,
        )
    if changes.language is not None:
        person.language = changes.language.value
    if changes.channels is not None:
        person.channels = [c.value for c in changes.channels]
    if changes.reminder_mode is not None:
        person.reminder_mode = changes.reminder_mode.value
    person.updated_at = now
    session.add(person)
    return person


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def put_recipient(
    session: Session, *, principal: Principal, subject: str, data: RecipientPut, now: datetime
) -> tuple[Recipient, bool]:
    """An administrator registers or updates a person; their own preferences are kept."""
    if principal.role is not Role.ADMIN:
        raise Forbidden("admin_only")
    errors: list[tuple[str, str, dict[str, Any]]] = []
    if data.role not in {r.value for r in Role}:
        errors.append(("role", "role", {"allowed": ", ".join(r.value for r in Role)}))
    if data.email is not None and not _EMAIL.match(data.email):
        errors.append(("email", "email", {}))
    if errors:
        raise InvalidInput(errors)
    person = session.get(Recipient, subject)
    created = person is None
    if person is None:
        person = Recipient(subject=subject, role=data.role, org=data.org, created_at=now)
    person.role, person.org, person.name = data.role, data.org, data.name
    person.email, person.active, person.updated_at = data.email, data.active, now
    session.add(person)
    return person, created


def list_recipients(
    session: Session,
    *,
    principal: Principal,
    role: str | None,
    org: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Recipient], int]:
    if principal.role is not Role.ADMIN:
        raise Forbidden("admin_only")
    query = select(Recipient)
    counter = select(func.count()).select_from(Recipient)
    for column, value in ((Recipient.role, role), (Recipient.org, org)):
        if value is not None:
            query = query.where(column == value)
            counter = counter.where(column == value)
    rows = session.exec(query.order_by(col(Recipient.subject)).limit(limit).offset(offset)).all()
    return list(rows), int(session.exec(counter).one())


def dev_email(subject: str, domain: str) -> str:
    """officer@ha-noi -> officer@ha-noi.agreements.test: readable, and undeliverable outside."""
    return f"{subject}.{domain}" if "@" in subject else f"{subject}@{domain}"


def seed_directory(
    session: Session, *, people: Iterable[Principal], email_domain: str, now: datetime
) -> int:
    """Add the people of the development directory that are missing; existing rows (and the
    preferences in them) are left alone. Returns how many were added."""
    existing = set(session.exec(select(Recipient.subject)).all())
    added = 0
    for p in people:
        if p.subject in existing:
            continue
        session.add(
            Recipient(
                subject=p.subject,
                role=p.role.value,
                org=p.org,
                name=p.name,
                email=dev_email(p.subject, email_domain),
                created_at=now,
                updated_at=now,
            )
        )
        added += 1
    return added


# --- webhook subscriptions -------------------------------------------------------------------


def _refuse_duplicates(field_name: str, values: Sequence[str]) -> None:
    seen: set[str] = set()
    errors: list[tuple[str, str, dict[str, Any]]] = []
    for i, value in enumerate(values):
        if value in seen:
            errors.append((f"{field_name}.{i}", "duplicate", {"value": value}))
        seen.add(value)
    if errors:
        raise InvalidInput(errors)


def check_webhook_url(url: str, *, allow_private: bool) -> None:
    """http(s) only, a host, no credentials; loopback, private and link-local addresses only
    when allowed (development). Names are not resolved here: a name that resolves to a private
    address later is not caught (see the README)."""
    parts = urlsplit(url.strip())
    errors: list[tuple[str, str, dict[str, Any]]] = []
    allowed = ("http", "https") if allow_private else ("https",)
    if parts.scheme not in allowed:
        errors.append(("url", "url_scheme", {"allowed": " or ".join(f"{s}://" for s in allowed)}))
    elif not parts.hostname:
        errors.append(("url", "url_host", {}))
    else:
        if parts.username or parts.password:
            errors.append(("url", "url_credentials", {}))
        if not allow_private and _is_private_host(parts.hostname):
            errors.append(("url", "url_private", {"host": parts.hostname}))
    if errors:
        raise InvalidInput(errors)


def _is_private_host(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
        or address.is_multicast
    )


def subscription_fingerprint(body: SubscriptionCreate) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def create_subscription(
    session: Session,
    *,
    principal: Principal,
    body: SubscriptionCreate,
    idempotency_key: str | None,
    allow_private: bool,
    max_per_owner: int,
    now: datetime,
) -> tuple[Subscription, bool]:
    """A new webhook of the caller's; (subscription, created). The same Idempotency-Key with
    the same body returns the subscription made the first time; with another body, 422."""
    fingerprint = subscription_fingerprint(body)
    if idempotency_key:
        earlier = session.exec(
            select(Subscription).where(
                Subscription.owner == principal.subject,
                Subscription.idempotency_key == idempotency_key,
            )
        ).first()
        if earlier is not None:
            if earlier.request_fingerprint != fingerprint:
                raise Unprocessable("idempotency_mismatch")
            return earlier, False
    check_webhook_url(body.url, allow_private=allow_private)
    _refuse_duplicates("event_types", [t.value for t in body.event_types])
    owned = session.exec(
        select(func.count()).where(
            Subscription.owner == principal.subject, col(Subscription.deleted_at).is_(None)
        )
    ).one()
    if owned >= max_per_owner:
        raise Unprocessable("too_many_subscriptions", limit=max_per_owner)
    sub = Subscription(
        owner=principal.subject,
        owner_role=principal.role.value,
        owner_org=principal.org,
        url=body.url.strip(),
        event_types=[t.value for t in body.event_types],
        secret=body.secret,
        description=body.description,
        created_at=now,
        updated_at=now,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
    )
    session.add(sub)
    return sub, True


def list_subscriptions(session: Session, *, principal: Principal) -> list[Subscription]:
    rows = session.exec(
        select(Subscription)
        .where(Subscription.owner == principal.subject, col(Subscription.deleted_at).is_(None))
        .order_by(col(Subscription.created_at))
    ).all()
    return list(rows)


def get_subscription(
    session: Session, *, principal: Principal, subscription_id: str
) -> Subscription:
    """The caller's own subscription (any, for an administrator); someone else's is answered
    like a missing one."""
    sub = session.get(Subscription, subscription_id)
    if (
        sub is None
        or sub.deleted_at is not None
        or (sub.owner != principal.subject and principal.role is not Role.ADMIN)
    ):
        raise NotFound("subscription_not_found", id=subscription_id)
    return sub


def _cancel_open_deliveries(session: Session, subscription_id: str, reason: str) -> int:
    result = session.exec(
        update(Delivery)
        .where(
            col(Delivery.subscription_id) == subscription_id,
            col(Delivery.status).in_([s.value for s in OPEN_STATUSES]),
        )
        .values(status=DeliveryStatus.CANCELLED.value, last_error=reason, lease_until=None)
    )
    return int(result.rowcount or 0)


def delete_subscription(
    session: Session, *, principal: Principal, subscription_id: str, now: datetime
) -> None:
    """Stop it and hide it; its delivery log is kept for the record."""
    sub = get_subscription(session, principal=principal, subscription_id=subscription_id)
    sub.deleted_at = now
    sub.active = False
    sub.updated_at = now
    session.add(sub)
    _cancel_open_deliveries(session, sub.id, "subscription deleted")


def enable_subscription(
    session: Session, *, principal: Principal, subscription_id: str, now: datetime
) -> Subscription:
    """Turn a disabled subscription on again (its receiver was fixed); events that happened
    while it was off are not sent."""
    sub = get_subscription(session, principal=principal, subscription_id=subscription_id)
    sub.active = True
    sub.consecutive_failures = 0
    sub.disabled_at = None
    sub.disabled_reason = None
    sub.updated_at = now
    session.add(sub)
    return sub


def disable_subscription(session: Session, *, sub: Subscription, reason: str, now: datetime) -> int:
    """Switch a subscription off after repeated failure; returns the deliveries cancelled."""
    sub.active = False
    sub.disabled_at = now
    sub.disabled_reason = reason
    sub.updated_at = now
    session.add(sub)
    return _cancel_open_deliveries(session, sub.id, "subscription disabled")


def list_deliveries(
    session: Session,
    *,
    principal: Principal,
    subscription_id: str,
    status: DeliveryStatus | None,
    limit: int,
    offset: int,
) -> tuple[list[Delivery], Mapping[str, list[DeliveryAttempt]], int]:
    """A subscription's delivery log, newest first, with every attempt of each delivery."""
    sub = get_subscription(session, principal=principal, subscription_id=subscription_id)
    query = select(Delivery).where(Delivery.subscription_id == sub.id)
    counter = select(func.count()).where(Delivery.subscription_id == sub.id)
    if status is not None:
        query = query.where(Delivery.status == status.value)
        counter = counter.where(Delivery.status == status.value)
    rows = list(
        session.exec(
            query.order_by(col(Delivery.created_at).desc(), col(Delivery.id))
            .limit(limit)
            .offset(offset)
        ).all()
    )
    attempts: dict[str, list[DeliveryAttempt]] = {r.id: [] for r in rows}
    if rows:
        for attempt in session.exec(
            select(DeliveryAttempt)
            .where(col(DeliveryAttempt.delivery_id).in_(list(attempts)))
            .order_by(col(DeliveryAttempt.delivery_id), col(DeliveryAttempt.number))
        ).all():
            attempts[attempt.delivery_id].append(attempt)
    return rows, attempts, int(session.exec(counter).one())
