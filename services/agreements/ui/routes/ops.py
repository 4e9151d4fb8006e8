"""The operator console's pages under /ui/ops: an overview, dead letters (list, one letter,
retry or discard), stopped workflows and their repair, replay by time range with a
confirmation, consumer lag and the audit log. Operators and administrators only; each page
calls the same use case as /v1/ops with the signed-in person."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from common.auth import Principal
from common.law.calendar import TZ
from services.agreements.errors import ServiceError, Unprocessable
from services.agreements.ops import audit, dead_letters, lag, replay, workflows
from services.agreements.ops.access import require_operator
from services.agreements.ops.dead_letters import LettersAction, LetterState
from services.agreements.ops.replay import ReplayCreate, ReplayRange
from services.agreements.ui import forms, i18n
from services.agreements.ui.forms import FormErrors
from services.agreements.ui.pages import PREFIX, redirect, render
from services.agreements.ui.routes.deps import (
    PAGE_SIZE,
    CallerDep,
    db_of,
    engine_of,
    page_count,
    page_number,
    posted,
    settings_of,
    signed_in,
)
from services.agreements.ui.session import Caller
from services.agreements.unit_of_work import read

router = APIRouter(prefix=f"{PREFIX}/ops", include_in_schema=False)

STATES = ("open", "retried", "discarded", "all")
REPLAY_FIELDS = ("since", "until", "reason")
LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends, in Vietnam time


def operator(caller: Caller) -> Principal:
    """The signed-in operator or administrator; anyone else is refused (403 page)."""
    principal = signed_in(caller)
    require_operator(principal)
    return principal


def refused(exc: ServiceError, lang: str) -> str:
    return exc.to_problem(lang).detail


@router.get("")
def overview(request: Request, caller: CallerDep) -> Response:
    """Open dead letters, consumer lag and the latest actions at a glance."""
    principal = operator(caller)
    db, settings = db_of(request), settings_of(request)
    problems: list[str] = []
    letters = groups = None
    try:
        letters = dead_letters.list_dead_letters(db, settings, principal=principal, limit=5)
    except ServiceError as exc:
        problems.append(refused(exc, caller.lang))
    try:
        groups = lag.consumer_lag(settings, principal=principal)
    except ServiceError as exc:
        problems.append(refused(exc, caller.lang))
    actions = read(db, audit.list_actions, principal=principal, limit=10)
    return render(
        request,
        caller,
        "ops.html",
        tab="overview",
        letters=letters,
        lag=groups,
        actions=actions.data,
        problems=problems,
    )


# --- dead letters ------------------------------------------------------------------------------


def _letters_page(
    request: Request,
    caller: Caller,
    principal: Principal,
    *,
    state: str,
    page: int,
    errors: FormErrors | None = None,
    results: list[Any] | None = None,
    reason: str = "",
    status_code: int = 200,
) -> Response:
    errors = errors or FormErrors()
    found = None
    try:
        found = dead_letters.list_dead_letters(
            db_of(request),
            settings_of(request),
            principal=principal,
            state=None if state == "all" else LetterState(state),
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    except ServiceError as exc:
        errors.general.append(refused(exc, caller.lang))
    return render(
        request,
        caller,
        "ops_dead_letters.html",
        status_code=status_code,
        tab="dead_letters",
        found=found,
        state=state,
        states=STATES,
        page=page,
        pages=page_count(found.count if found else 0),
        errors=errors,
        results=results or [],
        reason=reason,
    )


@router.get("/dead-letters")
def letters(request: Request, caller: CallerDep) -> Response:
    principal = operator(caller)
    state = request.query_params.get("state", "open")
    state = state if state in STATES else "open"
    return _letters_page(request, caller, principal, state=state, page=page_number(request))


@router.post("/dead-letters")
async def act_on_letters(request: Request, caller: CallerDep) -> Response:
    """Retry or discard the ticked letters (or the one of a letter's page), with the reason."""
    principal = operator(caller)
    form = await posted(request, caller)
    action = forms.text(form, "action")
    reason = forms.text(form, "reason")
    errors = FormErrors()
    results: list[Any] = []
    try:
        body = LettersAction(ids=forms.many(form, "ids"), reason=reason)
    except ValidationError as exc:
        errors = forms.from_validation(exc, caller.lang, ("ids", "reason"))
    else:
        use_case = dead_letters.retry if action == "retry" else dead_letters.discard
        try:
            done = await run_in_threadpool(
                use_case, db_of(request), settings_of(request), principal=principal, body=body
            )
            results = done.results
            reason = ""
        except ServiceError as exc:
            errors.general.append(refused(exc, caller.lang))
    return await run_in_threadpool(
        _letters_page,
        request,
        caller,
        principal,
        state="open",
        page=1,
        errors=errors,
        results=results,
        reason=reason,
        status_code=422 if errors else 200,
    )


@router.get("/dead-letters/{letter_id}")
def letter(request: Request, letter_id: str, caller: CallerDep) -> Response:
    principal = operator(caller)
    found = dead_letters.get_dead_letter(
        db_of(request), settings_of(request), principal=principal, letter_id=letter_id
    )
    return render(
        request,
        caller,
        "ops_dead_letter.html",
        tab="dead_letters",
        letter=found,
        # Readable JSON, Vietnamese left as written.
        data_text=(
            found.data
            if isinstance(found.data, str)
            else json.dumps(found.data, ensure_ascii=False, indent=2)
        ),
        errors=FormErrors(),
        reason="",
    )


# --- workflows ---------------------------------------------------------------------------------


async def _workflows_page(
    request: Request,
    caller: Caller,
    principal: Principal,
    *,
    failures: dict[str, str] | None = None,
    reasons: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    found = await workflows.stuck(
        db_of(request),
        engine_of(request),
        settings_of(request),
        principal=principal,
        lang=caller.lang,
    )
    return render(
        request,
        caller,
        "ops_workflows.html",
        status_code=status_code,
        tab="workflows",
        found=found,
        failures=failures or {},
        reasons=reasons or {},
    )


@router.get("/workflows")
async def stuck_workflows(request: Request, caller: CallerDep) -> Response:
    return await _workflows_page(request, caller, operator(caller))


@router.post("/workflows/{agreement_id}/repair")
async def repair_workflow(request: Request, agreement_id: str, caller: CallerDep) -> Response:
    principal = operator(caller)
    form = await posted(request, caller)
    reason = forms.text(form, "reason")
    try:
        body = workflows.RepairCreate(reason=reason)
        await workflows.repair(
            db_of(request),
            engine_of(request),
            settings_of(request),
            principal=principal,
            agreement_id=agreement_id,
            body=body,
        )
    except ValidationError:
        failure = i18n.text("ops.reason_required", caller.lang)
    except ServiceError as exc:
        failure = refused(exc, caller.lang)
    else:
        return redirect(f"{PREFIX}/ops/workflows?done=repaired")
    return await _workflows_page(
        request,
        caller,
        principal,
        failures={agreement_id: failure},
        reasons={agreement_id: reason},
        status_code=409,
    )


# --- replay ------------------------------------------------------------------------------------


def _local_input(moment: datetime) -> str:
    return moment.astimezone(TZ).strftime(LOCAL_INPUT)


def _parse_local(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, LOCAL_INPUT).replace(tzinfo=TZ)
    except ValueError:
        return None


def _replay_page(
    request: Request,
    caller: Caller,
    *,
    values: dict[str, str],
    errors: FormErrors | None = None,
    preview: Any = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        caller,
        "ops_replay.html",
        status_code=status_code,
        tab="replay",
        values=values,
        errors=errors or FormErrors(),
        preview=preview,
    )


@router.get("/replay")
def replay_form(request: Request, caller: CallerDep) -> Response:
    operator(caller)
    now = datetime.now(TZ).replace(second=0, microsecond=0)
    values = {
        "since": _local_input(now - timedelta(hours=1)),
        "until": _local_input(now),
        "reason": "",
    }
    return _replay_page(request, caller, values=values)


def _range_of(form: FormData, lang: str) -> tuple[dict[str, str], ReplayRange | None, FormErrors]:
    values = {name: forms.text(form, name) for name in REPLAY_FIELDS}
    errors = FormErrors()
    since, until = _parse_local(values["since"]), _parse_local(values["until"])
    for name, moment in (("since", since), ("until", until)):
        if moment is None:
            errors.add(name, i18n.text("ops.replay.bad_moment", lang))
    if len(values["reason"]) < 3:
        errors.add("reason", i18n.text("ops.reason_required", lang))
    if since is None or until is None:
        return values, None, errors
    try:
        return values, ReplayRange(since=since, until=until), errors
    except ValidationError as exc:
        if any(err.get("loc") for err in exc.errors()):  # a moment outside the accepted years
            for name, messages in forms.from_validation(exc, lang, REPLAY_FIELDS).fields.items():
                for message in messages:
                    errors.add(name, message)
        else:
            errors.add("until", refused(Unprocessable("ops_replay_range"), lang))
        return values, None, errors


@router.post("/replay")
async def replay_range(request: Request, caller: CallerDep) -> Response:
    """First the preview (how many events of each type), then, confirmed, the replay."""
    principal = operator(caller)
    form = await posted(request, caller)
    values, span, errors = _range_of(form, caller.lang)
    if span is None or errors:
        return _replay_page(request, caller, values=values, errors=errors, status_code=422)
    db = db_of(request)
    if forms.text(form, "step") != "confirm":
        preview = await run_in_threadpool(read, db, replay.preview, principal=principal, span=span)
        return _replay_page(request, caller, values=values, preview=preview)
    expected = forms.text(form, "expected_count")
    try:
        await run_in_threadpool(
            replay.replay,
            db,
            principal=principal,
            body=ReplayCreate(
                since=span.since,
                until=span.until,
                reason=values["reason"],
                confirm=True,
                expected_count=int(expected) if expected.isdigit() else None,
            ),
        )
    except ServiceError as exc:
        errors.general.append(refused(exc, caller.lang))
        preview = await run_in_threadpool(read, db, replay.preview, principal=principal, span=span)
        return _replay_page(
            request, caller, values=values, errors=errors, preview=preview, status_code=exc.status
        )
    return redirect(f"{PREFIX}/ops/replay?done=replayed")


# --- lag and the audit log ---------------------------------------------------------------------


@router.get("/lag")
def consumer_lag(request: Request, caller: CallerDep) -> Response:
    principal = operator(caller)
    found, problem = None, None
    try:
        found = lag.consumer_lag(settings_of(request), principal=principal)
    except ServiceError as exc:
        problem = refused(exc, caller.lang)
    return render(request, caller, "ops_lag.html", tab="lag", lag=found, problem=problem)


@router.get("/actions")
def actions(request: Request, caller: CallerDep) -> Response:
    principal = operator(caller)
    page = page_number(request)
    found = read(
        db_of(request),
        audit.list_actions,
        principal=principal,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    return render(
        request,
        caller,
        "ops_actions.html",
        tab="actions",
        actions=found.data,
        total=found.count,
        page=page,
        pages=page_count(found.count),
    )
