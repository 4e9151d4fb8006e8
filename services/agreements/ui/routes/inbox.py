"""The task inbox on the pages: the list, a task's page, claiming and releasing it, and
answering it (an opinion, the Prime Minister's answer, the decision, a receipt)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError

from services.agreements.errors import (
    NotFound,
    PayloadTooLarge,
    RulesBroken,
    ServiceError,
    Unprocessable,
    UnsupportedMedia,
)
from services.agreements.inbox import answering, tasks
from services.agreements.models import DecisionCreate
from services.agreements.ui import forms
from services.agreements.ui.forms import FormErrors
from services.agreements.ui.pages import PREFIX, redirect, render
from services.agreements.ui.routes.agreement_page import agreement_page, form_refused
from services.agreements.ui.routes.deps import (
    PAGE_SIZE,
    CallerDep,
    attempt,
    db_of,
    engine_of,
    page_count,
    page_number,
    posted,
    signed_in,
    upload_of,
)
from services.agreements.ui.session import Caller
from services.agreements.unit_of_work import read
from workflows.lifecycle.contracts import ClaimAction

router = APIRouter(prefix=PREFIX, include_in_schema=False)

ANSWER_FIELDS = ("outcome", "comment", "opinion")


@router.get("/tasks")
def task_inbox(request: Request, caller: CallerDep) -> Response:
    principal = signed_in(caller)
    show = "closed" if request.query_params.get("show") == "closed" else "open"
    page = page_number(request)
    found = read(
        db_of(request),
        tasks.inbox,
        principal=principal,
        closed=show == "closed",
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    return render(
        request,
        caller,
        "tasks.html",
        items=found.items,
        total=found.total,
        page=page,
        pages=page_count(found.total),
        show=show,
    )


def _agreement_of(request: Request, caller: Caller, task_id: str) -> str:
    """The id of the agreement a task of the caller's is about; any other task is not found."""
    _, a = read(db_of(request), tasks.get_task, principal=signed_in(caller), task_id=task_id)
    return a.id


@router.get("/tasks/{task_id}")
def task_page(request: Request, task_id: str, caller: CallerDep) -> Response:
    agreement_id = _agreement_of(request, caller, task_id)
    return agreement_page(request, caller, agreement_id, task_id=task_id)


async def _claim_or_release(
    request: Request, task_id: str, caller: Caller, action: str
) -> Response:
    principal = signed_in(caller)
    await posted(request, caller)
    agreement_id = await run_in_threadpool(_agreement_of, request, caller, task_id)
    failure: ServiceError | None = None
    try:
        await answering.change_claim(
            db=db_of(request),
            engine=engine_of(request),
            principal=principal,
            task_id=task_id,
            action=action,
        )
    except NotFound:
        raise
    except ServiceError as exc:
        failure = exc
    if failure is None:
        return redirect(f"{PREFIX}/tasks/{task_id}?done={_DONE[action]}")
    refused = failure
    return await run_in_threadpool(
        lambda: agreement_page(
            request,
            caller,
            agreement_id,
            task_id=task_id,
            errors={"claim": FormErrors(general=[refused.to_problem(caller.lang).detail])},
            status_code=refused.status,
        )
    )


_DONE = {
    ClaimAction.CLAIM: "claimed",
    ClaimAction.RELEASE: "released",
    ClaimAction.TAKE_OVER: "taken_over",
}


@router.post("/tasks/{task_id}/claim")
async def claim(request: Request, task_id: str, caller: CallerDep) -> Response:
    return await _claim_or_release(request, task_id, caller, ClaimAction.CLAIM)


@router.post("/tasks/{task_id}/takeover")
async def take_over(request: Request, task_id: str, caller: CallerDep) -> Response:
    return await _claim_or_release(request, task_id, caller, ClaimAction.TAKE_OVER)


@router.post("/tasks/{task_id}/release")
async def release(request: Request, task_id: str, caller: CallerDep) -> Response:
    return await _claim_or_release(request, task_id, caller, ClaimAction.RELEASE)


def _answer_errors(exc: ServiceError, lang: str) -> FormErrors:
    if isinstance(exc, RulesBroken):
        return forms.from_violations(exc.violations, lang, ANSWER_FIELDS)
    errors = FormErrors()
    if isinstance(exc, UnsupportedMedia | PayloadTooLarge | Unprocessable):
        errors.add("opinion", exc.to_problem(lang).detail)
    else:
        errors.general.append(exc.to_problem(lang).detail)
    return errors


@router.post("/tasks/{task_id}/answer")
async def answer(request: Request, task_id: str, caller: CallerDep) -> Response:
    """An opinion, the PM's answer, the decision or a receipt, answered through the API's own
    use case: checked, then sent to the workflow, which answers at once."""
    principal = signed_in(caller)
    form = await posted(request, caller)
    values = {"outcome": forms.text(form, "outcome"), "comment": forms.text(form, "comment")}
    agreement_id = await run_in_threadpool(_agreement_of, request, caller, task_id)
    try:
        body = DecisionCreate.model_validate(
            {"outcome": values["outcome"] or None, "comment": values["comment"]}
        )
    except ValidationError as exc:
        errors = forms.from_validation(exc, caller.lang, ANSWER_FIELDS)
    else:
        try:
            await answering.answer_task(
                db=db_of(request),
                engine=engine_of(request),
                principal=principal,
                task_id=task_id,
                body=body,
                # One click, one answer: a resent form (same attempt id) gets the same result.
                update_id=f"ui-decide:{task_id}:{principal.subject}:{attempt(form)}",
                opinion=upload_of(request, forms.upload(form, "opinion")),
            )
            return redirect(f"{PREFIX}/tasks/{task_id}?done=answered")
        except ServiceError as exc:
            # The task was found above: a refusal now, the workflow's "unknown task" among
            # them, is shown on its page.
            errors = _answer_errors(exc, caller.lang)
    return await form_refused(
        request,
        caller,
        agreement_id,
        form_name="answer",
        errors=errors,
        values=values,
        task_id=task_id,
    )
