"""The console's own record of what operators did (table `ops_actions`): who, when, what, why and
with which outcome, kept with a log line and a counter per kind; and the Idempotency-Key of
its API writes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from fastapi.responses import Response
from prometheus_client import Counter
from pydantic import BaseModel
from sqlalchemy import JSON, Column, Index, Text, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field as SQLField
from sqlmodel import Session, col, select

from common.auth import Principal
from common.db import Database, TableModel, UTCDateTime, utcnow
from services.agreements.idempotency import IdempotencyKey, is_duplicate_key
from services.agreements.models import enum_column
from services.agreements.ops.access import require_operator

log = logging.getLogger(__name__)


class ActionKind(StrEnum):
    RETRY = "retry"  # a dead letter published again on its original topic
    DISCARD = "discard"  # a dead letter set aside, with the reason
    REPAIR = "repair"  # a stopped submission's workflow started or signalled
    REPLAY = "replay"  # the outbox events of a time range published again


ACTIONS = Counter(
    "agreements_ops_actions_total",
    "Actions taken in the operator console, by kind",
    ["kind"],
    registry=None,  # registered on the application's registry (app.py)
)
for _kind in ActionKind:
    ACTIONS.labels(_kind.value)


class OpsAction(TableModel, table=True):
    """One action of the console on one thing: a dead letter (`target` is its topic, partition
    and offset, `stamp` the moment it was dead-lettered, which tells it from a later letter at
    the same offset once the broker lost its data), an agreement's workflow, or a time range
    of the outbox. Rows are never changed or deleted."""

    __tablename__ = "ops_actions"
    __table_args__ = (Index("ix_ops_actions_target", "target", "stamp"),)

    id: int | None = SQLField(default=None, primary_key=True)
    at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = SQLField(max_length=200)
    actor_role: str = SQLField(max_length=40)
    kind: ActionKind = SQLField(sa_type=enum_column(ActionKind))
    target: str = SQLField(max_length=200)
    stamp: str | None = SQLField(default=None, max_length=64)
    agreement_id: str | None = SQLField(default=None, max_length=36, index=True)
    event_id: str | None = SQLField(default=None, max_length=200)
    outcome: str = SQLField(max_length=40)
    reason: str = SQLField(sa_column=Column(Text, nullable=False))
    detail: dict[str, Any] = SQLField(default_factory=dict, sa_column=Column(JSON, nullable=False))


class OpsActionPublic(BaseModel):
    id: int
    at: datetime
    actor: str
    actor_role: str
    kind: ActionKind
    target: str
    agreement_id: str | None
    event_id: str | None
    outcome: str
    reason: str
    detail: dict[str, Any]


class OpsActionsPublic(BaseModel):
    data: list[OpsActionPublic]
    count: int
    limit: int
    offset: int


def to_public(row: OpsAction) -> OpsActionPublic:
    assert row.id is not None
    return OpsActionPublic(
        id=row.id,
        at=row.at,
        actor=row.actor,
        actor_role=row.actor_role,
        kind=row.kind,
        target=row.target,
        agreement_id=row.agreement_id,
        event_id=row.event_id,
        outcome=row.outcome,
        reason=row.reason,
        detail=row.detail,
    )


@dataclass(frozen=True)
class Done:
    """An action as the use case that took it describes it, before it is recorded."""

    kind: ActionKind
    target: str
    outcome: str
    stamp: str | None = None
    agreement_id: str | None = None
    event_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def add(session: Session, *, principal: Principal, reason: str, done: Sequence[Done]) -> None:
    """Add the actions to the caller's transaction; `announce` them once it is committed."""
    now = utcnow()
    for d in done:
        session.add(
            OpsAction(
                at=now,
                actor=principal.subject,
                actor_role=principal.role.value,
                kind=d.kind,
                target=d.target,
                stamp=d.stamp,
                agreement_id=d.agreement_id,
                event_id=d.event_id,
                outcome=d.outcome,
                reason=reason,
                detail=d.detail,
            )
        )


def announce(*, principal: Principal, reason: str, done: Sequence[Done]) -> None:
    """The log line and the counter of each committed action: an action counted is one that
    is on record."""
    for d in done:
        ACTIONS.labels(d.kind.value).inc()
        log.warning(
            "operator %s: %s %s -> %s (%s)",
            principal.subject,
            d.kind.value,
            d.target,
            d.outcome,
            reason,
            extra={
                "ops_actor": principal.subject,
                "ops_kind": d.kind.value,
                "ops_target": d.target,
                "ops_outcome": d.outcome,
                "ops_reason": reason,
                "agreement_id": d.agreement_id,
                "event_id": d.event_id,
            },
        )


def record(db: Database, *, principal: Principal, reason: str, done: Sequence[Done]) -> None:
    """Keep actions taken outside the database (on Kafka, on Temporal) in one transaction."""
    if not done:
        return
    with db.write_session() as session:
        add(session, principal=principal, reason=reason, done=done)
        session.commit()
    announce(principal=principal, reason=reason, done=done)


def handled(
    session: Session, kinds: Iterable[ActionKind], targets: Iterable[str]
) -> dict[tuple[str, str | None], OpsAction]:
    """The latest action of these kinds on each of these targets, by (target, stamp)."""
    wanted = sorted(set(targets))
    if not wanted:
        return {}
    rows = session.exec(
        select(OpsAction)
        .where(col(OpsAction.kind).in_(list(kinds)), col(OpsAction.target).in_(wanted))
        .order_by(col(OpsAction.id))
    ).all()
    return {(r.target, r.stamp): r for r in rows}


def list_actions(
    session: Session,
    *,
    principal: Principal,
    kind: ActionKind | None = None,
    agreement_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> OpsActionsPublic:
    """The audit log, newest first."""
    require_operator(principal)
    query = select(OpsAction)
    counting = select(func.count()).select_from(OpsAction)
    if kind is not None:
        query = query.where(OpsAction.kind == kind)
        counting = counting.where(OpsAction.kind == kind)
    if agreement_id:
        query = query.where(OpsAction.agreement_id == agreement_id)
        counting = counting.where(OpsAction.agreement_id == agreement_id)
    rows = session.exec(query.order_by(col(OpsAction.id).desc()).limit(limit).offset(offset))
    total = int(session.exec(counting).one())
    return OpsActionsPublic(
        data=[to_public(r) for r in rows], count=total, limit=limit, offset=offset
    )


async def once(
    db: Database,
    idem: IdempotencyKey,
    fp: str,
    act: Callable[[], Awaitable[BaseModel]],
) -> Response:
    """Run an API write of the console once per Idempotency-Key: a retry with the same key gets
    the first answer again. Unlike the drafting writes, these act on Kafka or Temporal, which
    a database transaction cannot hold back, so the answer is stored after the action; two
    racing requests with one key may both act, which every console action tolerates (consumers
    ignore known event ids, a started workflow is only signalled, a handled letter is skipped)."""
    if idem.key:
        replayed = await asyncio.to_thread(_replay, db, idem, fp)
        if replayed is not None:
            return replayed
    body = (await act()).model_dump_json()
    if idem.key:
        await asyncio.to_thread(_remember, db, idem, fp, body)
    return Response(content=body, status_code=200, media_type="application/json")


def _replay(db: Database, idem: IdempotencyKey, fp: str) -> Response | None:
    with db.session() as session:
        return idem.replay(session, fp)


def _remember(db: Database, idem: IdempotencyKey, fp: str, body: str) -> None:
    try:
        with db.write_session() as session:
            idem.remember(session, fp, 200, body, {})
            session.commit()
    except IntegrityError as exc:
        if not is_duplicate_key(exc):  # a racing request with the same key stored its answer
            raise
