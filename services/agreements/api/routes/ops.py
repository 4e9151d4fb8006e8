"""The operator console's API, /v1/ops: dead letters, stopped workflows, replay by time range,
consumer lag and the audit log of what operators did. Operators and administrators only."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from common.deps import DatabaseDep, LanguageDep
from common.moments import Moment, described
from services.agreements.api.deps import (
    PROBLEM_RESPONSES,
    CurrentPrincipal,
    EngineDep,
    IdempotencyDep,
    SettingsDep,
)
from services.agreements.errors import Unprocessable
from services.agreements.idempotency import fingerprint
from services.agreements.ops import audit, dead_letters, lag, replay, workflows
from services.agreements.ops.access import require_operator
from services.agreements.ops.audit import ActionKind, OpsActionsPublic
from services.agreements.ops.dead_letters import (
    DeadLetterPublic,
    DeadLettersPublic,
    LettersActed,
    LettersAction,
    LetterState,
)
from services.agreements.ops.lag import LagPublic
from services.agreements.ops.replay import ReplayCreate, ReplayPreview, ReplayPublic, ReplayRange
from services.agreements.ops.workflows import RepairCreate, RepairPublic, StuckPublic
from services.agreements.unit_of_work import read


async def console_only(principal: CurrentPrincipal) -> None:
    """Refuse everyone but operators and administrators before a body is even read."""
    require_operator(principal)


router = APIRouter(
    prefix="/v1/ops",
    tags=["operations"],
    dependencies=[Depends(console_only)],
    responses=PROBLEM_RESPONSES,
)

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@router.get("/dead-letters", response_model=DeadLettersPublic)
def list_dead_letters(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    settings: SettingsDep,
    state: Literal["open", "retried", "discarded", "all"] = "open",
    limit: Limit = 50,
    offset: Offset = 0,
) -> DeadLettersPublic:
    """Records consumers parked on agreements.events.dlt, newest first, with their reason,
    origin (topic, partition, offset, consumer group) and event (type, id, agreement, time);
    by default the open ones (neither retried nor discarded). Listing them also updates the
    gauge `agreements_dead_letters_open`."""
    return dead_letters.list_dead_letters(
        db,
        settings,
        principal=principal,
        state=None if state == "all" else LetterState(state),
        limit=limit,
        offset=offset,
    )


@router.get("/dead-letters/{letter_id}", response_model=DeadLetterPublic)
def get_dead_letter(
    letter_id: str, principal: CurrentPrincipal, db: DatabaseDep, settings: SettingsDep
) -> DeadLetterPublic:
    """One letter (`<partition>-<offset>`) with its key, every header and its data."""
    return dead_letters.get_dead_letter(db, settings, principal=principal, letter_id=letter_id)


@router.post("/dead-letters/retry", response_model=LettersActed)
async def retry_dead_letters(
    body: LettersAction,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    settings: SettingsDep,
    idem: IdempotencyDep,
) -> Response:
    """Publish the original record of each open letter again on agreements.events (consumers
    ignore event ids they already processed); each is audited with the reason. A letter
    already retried or discarded, or no longer on the topic, is reported and left alone."""
    fp = fingerprint("POST", "/v1/ops/dead-letters/retry", body.model_dump(mode="json"))
    return await audit.once(
        db,
        idem,
        fp,
        lambda: asyncio.to_thread(dead_letters.retry, db, settings, principal=principal, body=body),
    )


@router.post("/dead-letters/discard", response_model=LettersActed)
async def discard_dead_letters(
    body: LettersAction,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    settings: SettingsDep,
    idem: IdempotencyDep,
) -> Response:
    """Set open letters aside for good with the reason (nothing is published); audited."""
    fp = fingerprint("POST", "/v1/ops/dead-letters/discard", body.model_dump(mode="json"))
    return await audit.once(
        db,
        idem,
        fp,
        lambda: asyncio.to_thread(
            dead_letters.discard, db, settings, principal=principal, body=body
        ),
    )


@router.get("/workflows", response_model=StuckPublic)
async def stuck_workflows(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    engine: EngineDep,
    settings: SettingsDep,
    lang: LanguageDep,
) -> StuckPublic:
    """Agreements in a state that needs a running workflow (SUBMITTED ... APPROVED, SIGNED
    with a duty open; never imported ones) whose workflow is missing or stopped, and those with
    an open task a day past the moment its overdue event was due. Each says what was found,
    whether `repair` can start it (a submission) or an engineer is needed, and links to the
    workflow in the Temporal UI."""
    return await workflows.stuck(db, engine, settings, principal=principal, lang=lang)


@router.post("/workflows/{agreement_id}/repair", response_model=RepairPublic)
async def repair_workflow(
    agreement_id: str,
    body: RepairCreate,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    engine: EngineDep,
    settings: SettingsDep,
    idem: IdempotencyDep,
) -> Response:
    """A SUBMITTED agreement's workflow is started (or signalled) from its latest
    agreement.submitted event, as the bridge does; safe to repeat. Any other state answers 409
    with the reason: a running workflow needs nothing, and a later state is never restarted
    from scratch (it would consult the bodies again)."""
    fp = fingerprint(
        "POST", f"/v1/ops/workflows/{agreement_id}/repair", body.model_dump(mode="json")
    )
    return await audit.once(
        db,
        idem,
        fp,
        lambda: workflows.repair(
            db, engine, settings, principal=principal, agreement_id=agreement_id, body=body
        ),
    )


@router.get("/replay", response_model=ReplayPreview)
def preview_replay(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    since: Annotated[Moment, Query(description=described("from this moment, included"))],
    until: Annotated[Moment, Query(description=described("to this moment, excluded"))],
) -> ReplayPreview:
    """How many outbox events of each type were created in the range: what a replay of it
    would publish again."""
    try:
        span = ReplayRange(since=since, until=until)
    except ValueError as exc:
        raise Unprocessable("ops_replay_range") from exc
    return read(db, replay.preview, principal=principal, span=span)


@router.post("/replay", response_model=ReplayPublic)
async def replay_range(
    body: ReplayCreate,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    idem: IdempotencyDep,
) -> Response:
    """Publish again every outbox event created in [since, until): the relay sends them in
    order, and consumers ignore the ids they already processed. Needs `confirm: true`; with
    `expected_count` (the preview's count) a range that changed since is refused (409)."""
    fp = fingerprint("POST", "/v1/ops/replay", body.model_dump(mode="json"))
    return await audit.once(
        db,
        idem,
        fp,
        lambda: asyncio.to_thread(replay.replay, db, principal=principal, body=body),
    )


@router.get("/lag", response_model=LagPublic)
def consumer_lag(principal: CurrentPrincipal, settings: SettingsDep) -> LagPublic:
    """Each watched consumer group's committed offset, end offset and lag per partition of
    agreements.events."""
    return lag.consumer_lag(settings, principal=principal)


@router.get("/actions", response_model=OpsActionsPublic)
def list_actions(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    kind: ActionKind | None = None,
    agreement_id: Annotated[str | None, Query(max_length=36)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> OpsActionsPublic:
    """The console's audit log, newest first: who did what, when, why, with which outcome."""
    return read(
        db,
        audit.list_actions,
        principal=principal,
        kind=kind,
        agreement_id=agreement_id,
        limit=limit,
        offset=offset,
    )
