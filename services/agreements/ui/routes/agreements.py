"""The province's agreements: the list, a new draft, editing, submitting and deleting it, and
each agreement's page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError

from common.auth import Principal, Role
from common.db import utcnow
from common.law.drafting import Violation
from common.law.vocabulary import AgreementStatus
from services.agreements.drafting import service
from services.agreements.errors import Forbidden, NotFound, RulesBroken, ServiceError
from services.agreements.models import AgreementCreate, AgreementUpdate
from services.agreements.procedure import overview
from services.agreements.ui import forms, i18n
from services.agreements.ui.forms import FormErrors
from services.agreements.ui.pages import PREFIX, redirect, render
from services.agreements.ui.routes.agreement_page import agreement_page, draft_form_context
from services.agreements.ui.routes.deps import (
    PAGE_SIZE,
    CallerDep,
    db_of,
    page_count,
    page_number,
    posted,
    signed_in,
)
from services.agreements.unit_of_work import read, write

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("/agreements")
def agreements_list(request: Request, caller: CallerDep) -> Response:
    principal = signed_in(caller)
    q = (request.query_params.get("q") or "").strip()[:200]
    status_code = request.query_params.get("status") or ""
    statuses = (AgreementStatus(status_code),) if status_code in AgreementStatus.__members__ else ()
    page = page_number(request)
    listing = read(
        db_of(request),
        overview.agreement_list,
        principal=principal,
        filters=service.AgreementFilter(status=statuses, q=q or None),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    return render(
        request,
        caller,
        "agreements.html",
        rows=listing.rows,
        total=listing.total,
        page=page,
        pages=page_count(listing.total),
        q=q,
        status=status_code if statuses else "",
        upcoming=listing.next_deadline,
        now=utcnow(),
        can_create=principal.role is Role.PROVINCE_OFFICER,
        province=principal.province,
    )


def _drafting_province(principal: Principal) -> str:
    """The province a caller drafts for; anyone else gets the 403 page (install_error_pages)."""
    if principal.role is not Role.PROVINCE_OFFICER or principal.province is None:
        raise Forbidden("not_drafter")
    return principal.province


@router.get("/agreements/new")
def new_draft(request: Request, caller: CallerDep) -> Response:
    province = _drafting_province(signed_in(caller))
    return render(
        request,
        caller,
        "new.html",
        values=forms.empty_draft(),
        errors=FormErrors(),
        **draft_form_context(province),
    )


@router.post("/agreements/new")
async def create_draft(request: Request, caller: CallerDep) -> Response:
    principal = signed_in(caller)
    province = _drafting_province(principal)
    form = await posted(request, caller)
    values = forms.draft_values(form)

    def act() -> tuple[str | None, FormErrors]:
        try:
            data = AgreementCreate.model_validate(forms.draft_payload(values, province))
        except ValidationError as exc:
            return None, forms.from_validation(exc, caller.lang, forms.DRAFT_FIELDS)
        try:
            a = write(db_of(request), service.create_agreement, principal=principal, data=data)
            return a.id, FormErrors()
        except ServiceError as exc:
            return None, forms.from_service_error(exc, caller.lang, forms.DRAFT_FIELDS)

    agreement_id, errors = await run_in_threadpool(act)
    if agreement_id is not None:
        return redirect(f"{PREFIX}/agreements/{agreement_id}?done=created")
    return render(
        request,
        caller,
        "new.html",
        status_code=422,
        values=values,
        errors=errors,
        **draft_form_context(province),
    )


@router.post("/agreements/{agreement_id}/edit")
async def edit_draft(request: Request, agreement_id: str, caller: CallerDep) -> Response:
    principal = signed_in(caller)
    form = await posted(request, caller)
    values = forms.draft_values(form)
    version_text = forms.text(form, "version")
    expected = int(version_text) if version_text.isdigit() else None
    db = db_of(request)

    def act() -> tuple[str, FormErrors]:
        try:
            current = read(
                db, service.get_agreement, principal=principal, agreement_id=agreement_id
            )
            payload = forms.draft_payload(values, current.province)
            try:
                AgreementCreate.model_validate(payload)
                changes = AgreementUpdate.model_validate(payload)
            except ValidationError as exc:
                return "invalid", forms.from_validation(exc, caller.lang, forms.DRAFT_FIELDS)
            a = write(
                db,
                service.update_agreement,
                principal=principal,
                agreement_id=agreement_id,
                expected_version=expected,
                changes=changes,
            )
            return ("saved" if a.version != current.version else "unchanged"), FormErrors()
        except ServiceError as exc:
            if exc.code == "stale_version":
                return "stale", FormErrors(general=[i18n.text("draft.stale", caller.lang)])
            if isinstance(exc, NotFound):
                raise
            return "invalid", forms.from_service_error(exc, caller.lang, forms.DRAFT_FIELDS)

    outcome, errors = await run_in_threadpool(act)
    if outcome in ("saved", "unchanged"):
        return redirect(f"{PREFIX}/agreements/{agreement_id}?done={outcome}#content")
    return await run_in_threadpool(
        agreement_page,
        request,
        caller,
        agreement_id,
        errors={"draft": errors},
        # A stale form is replaced by the stored draft; a refused one keeps what was typed.
        values={} if outcome == "stale" else {"draft": values},
        status_code=409 if outcome == "stale" else 422,
    )


@router.post("/agreements/{agreement_id}/submit")
async def submit(request: Request, agreement_id: str, caller: CallerDep) -> Response:
    principal = signed_in(caller)
    await posted(request, caller)

    def act() -> list[Violation] | ServiceError | None:
        try:
            write(
                db_of(request),
                service.submit_agreement,
                principal=principal,
                agreement_id=agreement_id,
                expected_version=None,
            )
            return None
        except RulesBroken as exc:
            return exc.violations
        except NotFound:
            raise
        except ServiceError as exc:
            return exc

    result = await run_in_threadpool(act)
    if result is None:
        return redirect(f"{PREFIX}/agreements/{agreement_id}?done=submitted")
    if isinstance(result, ServiceError):
        errors = {"submit": FormErrors(general=[result.to_problem(caller.lang).detail])}
    else:
        # The broken rules go next to the fields they concern, the dossier's by the documents.
        errors = {
            "draft": forms.from_violations(
                [v for v in result if v.field != "documents"], caller.lang, forms.DRAFT_FIELDS
            ),
            "submit": forms.from_violations(
                [v for v in result if v.field == "documents"], caller.lang, ("documents",)
            ),
            "submit_failed": FormErrors(
                general=[i18n.text("agreement.submit_failed", caller.lang)]
            ),
        }
    return await run_in_threadpool(
        agreement_page, request, caller, agreement_id, errors=errors, status_code=422
    )


@router.post("/agreements/{agreement_id}/delete")
async def delete(request: Request, agreement_id: str, caller: CallerDep) -> Response:
    principal = signed_in(caller)
    await posted(request, caller)

    def act() -> ServiceError | None:
        try:
            write(
                db_of(request),
                service.delete_agreement,
                principal=principal,
                agreement_id=agreement_id,
                expected_version=None,
            )
            return None
        except NotFound:
            raise
        except ServiceError as exc:
            return exc

    failure = await run_in_threadpool(act)
    if failure is None:
        return redirect(f"{PREFIX}/agreements?done=deleted")
    return await run_in_threadpool(
        agreement_page,
        request,
        caller,
        agreement_id,
        errors={"delete": FormErrors(general=[failure.to_problem(caller.lang).detail])},
        status_code=failure.status,
    )


@router.get("/agreements/{agreement_id}")
def agreement(request: Request, agreement_id: str, caller: CallerDep) -> Response:
    signed_in(caller)
    return agreement_page(request, caller, agreement_id)
