"""The caller's in-app inbox: /v1/inbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from common.db import utcnow
from common.deps import DatabaseDep
from services.notifications import inbox
from services.notifications.api.deps import ONE_OBJECT_PROBLEMS as _ONE_OBJECT_PROBLEMS
from services.notifications.api.deps import PROBLEM_RESPONSES as _PROBLEMS
from services.notifications.api.deps import CurrentPrincipal
from services.notifications.models import (
    InboxPublic,
    Notification,
    NotificationPublic,
    ReadAllPublic,
)

router = APIRouter(prefix="/v1/inbox", tags=["inbox"])


def to_public(n: Notification) -> NotificationPublic:
    return NotificationPublic(
        id=n.id,
        event_type=n.event_type,
        agreement_id=n.agreement_id,
        language=n.language,
        subject=n.subject,
        body=n.body,
        link=n.link,
        created_at=n.created_at,
        read_at=n.read_at,
        unread=n.read_at is None,
    )


@router.get("", response_model=InboxPublic, responses=_PROBLEMS)
def list_inbox(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    unread_only: Annotated[bool, Query(description="only unread notifications")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> InboxPublic:
    """Your notifications, unread first, newest first, with the unread count."""
    with db.session() as session:
        rows, count, unread = inbox.list_inbox(
            session, principal=principal, limit=limit, offset=offset, unread_only=unread_only
        )
    return InboxPublic(
        data=[to_public(n) for n in rows], count=count, unread=unread, limit=limit, offset=offset
    )


@router.post("/read-all", response_model=ReadAllPublic, responses=_PROBLEMS)
def read_all(principal: CurrentPrincipal, db: DatabaseDep) -> ReadAllPublic:
    """Mark every notification of yours read (safe to repeat)."""
    with db.write_session() as session:
        marked = inbox.mark_all_read(session, principal=principal, now=utcnow())
        session.commit()
    return ReadAllPublic(marked=marked, unread=0)


@router.post(
    "/{notification_id}/read", response_model=NotificationPublic, responses=_ONE_OBJECT_PROBLEMS
)
def read_one(
    notification_id: str, principal: CurrentPrincipal, db: DatabaseDep
) -> NotificationPublic:
    """Mark one of your notifications read (safe to repeat: the first time is kept)."""
    with db.write_session() as session:
        row = inbox.mark_read(
            session, principal=principal, notification_id=notification_id, now=utcnow()
        )
        session.commit()
    return to_public(row)
