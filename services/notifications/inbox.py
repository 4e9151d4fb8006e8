"""A person's inbox: listing, marking read, and notices from the service itself. Each function
works inside the caller's session; the caller commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, update
from sqlmodel import Session, col, select

from common.auth import Principal
from services.notifications.errors import NotFound
from services.notifications.models import Notification
from services.notifications.rendering import Message


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
