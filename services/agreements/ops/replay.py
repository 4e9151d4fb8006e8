"""Replay by time range (phát lại): the outbox keeps every event, so the events created in a
range are published again by the relay, in their order, once an operator has seen how many
there are and confirmed. Consumers ignore event ids they have already processed."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import AwareDatetime, BaseModel, Field, model_validator
from sqlalchemy import ColumnElement, and_, func, update
from sqlmodel import Session, col, select

from common.auth import Principal
from common.db import Database
from common.moments import Moment, described
from services.agreements.errors import Conflict, Unprocessable
from services.agreements.models import OutboxEvent
from services.agreements.ops import audit
from services.agreements.ops.access import require_operator
from services.agreements.ops.audit import ActionKind, Done
from services.agreements.relay_wakeup import note_outbox_written


def aware(moment: datetime) -> datetime:
    """A moment read back from the database, where SQLite keeps no offset: UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class ReplayRange(BaseModel):
    since: Moment = Field(description=described("from this moment, included"))
    until: Moment = Field(description=described("to this moment, excluded"))

    @model_validator(mode="after")
    def _ordered(self) -> ReplayRange:
        if self.until <= self.since:
            raise ValueError("until must come after since")
        return self


class ReplayPreview(BaseModel):
    since: AwareDatetime
    until: AwareDatetime
    count: int = Field(description="events created in the range")
    by_type: dict[str, int]
    first_at: datetime | None
    last_at: datetime | None


class ReplayCreate(ReplayRange):
    reason: str = Field(min_length=3, max_length=2000, description="why: kept in the audit log")
    confirm: bool = Field(default=False, description="must be true: the range was reviewed")
    expected_count: int | None = Field(
        default=None, ge=0, description="the count the preview showed; refused if it changed"
    )


class ReplayPublic(BaseModel):
    since: AwareDatetime
    until: AwareDatetime
    count: int = Field(description="events queued for the relay to publish again")
    by_type: dict[str, int]


def _in_range(since: datetime, until: datetime) -> ColumnElement[bool]:
    return and_(col(OutboxEvent.created_at) >= since, col(OutboxEvent.created_at) < until)


def _counts(session: Session, since: datetime, until: datetime) -> dict[str, int]:
    rows = session.exec(
        select(OutboxEvent.event_type, func.count())
        .where(_in_range(since, until))
        .group_by(col(OutboxEvent.event_type))
        .order_by(col(OutboxEvent.event_type))
    ).all()
    return {event_type: int(n) for event_type, n in rows}


def preview(session: Session, *, principal: Principal, span: ReplayRange) -> ReplayPreview:
    """How many events of each type a replay of the range would publish again."""
    require_operator(principal)
    by_type = _counts(session, span.since, span.until)
    first, last = session.exec(
        select(func.min(OutboxEvent.created_at), func.max(OutboxEvent.created_at)).where(
            _in_range(span.since, span.until)
        )
    ).one()
    return ReplayPreview(
        since=span.since,
        until=span.until,
        count=sum(by_type.values()),
        by_type=by_type,
        first_at=aware(first) if isinstance(first, datetime) else None,
        last_at=aware(last) if isinstance(last, datetime) else None,
    )


def replay(db: Database, *, principal: Principal, body: ReplayCreate) -> ReplayPublic:
    """Mark every event of the range unpublished, so the relay publishes it again in id order,
    and record who did it and why in the same transaction."""
    require_operator(principal)
    with db.write_session() as session:
        by_type = _counts(session, body.since, body.until)
        count = sum(by_type.values())
        if not body.confirm:
            raise Unprocessable("ops_replay_unconfirmed", count=count)
        if body.expected_count is not None and body.expected_count != count:
            raise Conflict("ops_replay_changed", count=count, expected=body.expected_count)
        session.exec(
            update(OutboxEvent).where(_in_range(body.since, body.until)).values(published_at=None)
        )
        note_outbox_written(session)
        done = [
            Done(
                kind=ActionKind.REPLAY,
                target=f"outbox/{body.since.isoformat()}/{body.until.isoformat()}",
                outcome="queued",
                detail={"count": count, "by_type": by_type},
            )
        ]
        audit.add(session, principal=principal, reason=body.reason, done=done)
        session.commit()
    audit.announce(principal=principal, reason=body.reason, done=done)
    return ReplayPublic(since=body.since, until=body.until, count=count, by_type=by_type)
