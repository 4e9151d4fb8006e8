"""The province's forms once an agreement is approved or signed: recording the signing,
sending the copy, and opening an amendment, termination or another change case. Each calls
the API's own use case (procedure/signing.py, drafting/cases.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from common.law.vocabulary import CHANGE_KINDS, ENDING_KINDS, CaseKind
from services.agreements.drafting import cases, service
from services.agreements.drafting.uploads import Upload
from services.agreements.errors import (
    FileRefused,
    NotFound,
    PayloadTooLarge,
    RulesBroken,
    ServiceError,
    SignedTextDiffers,
    Unprocessable,
    UnsupportedMedia,
)
from services.agreements.models import (
    AmendmentCreate,
    CopyDeliveryCreate,
    SigningCreate,
    TerminationCreate,
)
from services.agreements.procedure import signing
from services.agreements.procedure.signing import differences
from services.agreements.ui import forms
from services.agreements.ui.forms import FormErrors
from services.agreements.ui.pages import PREFIX, redirect, render
from services.agreements.ui.routes.agreement_page import draft_form_context, form_refused
from services.agreements.ui.routes.deps import (
    CallerDep,
    attempt,
    db_of,
    engine_of,
    posted,
    signed_in,
    store_of,
    upload_of,
)
from services.agreements.ui.session import Caller
from services.agreements.unit_of_work import read, write

router = APIRouter(prefix=PREFIX, include_in_schema=False)

SIGNING_FIELDS = (
    "signed_text",
    "signed_on",
    "place",
    "vn_name",
    "vn_title",
    "vn_authorised_by",
    "foreign_name",
    "foreign_title",
    "foreign_authorised_by",
    "effective_from",
    "expires_on",
    "term_months",
    "acknowledge_text_changed",
    "signatories",
)
COPY_FIELDS = ("duty", "delivered_on", "note")
CHANGE_FIELDS = (
    "kind",
    "title",
    "summary",
    "expires_on",
    "effective_on",
    "procedure",
    "reduced_ground",
    "reduced_reason",
    "touches",
    "related_bodies",
)


# --- signing ---------------------------------------------------------------------------------


def _signing_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: forms.text(form, name) for name in SIGNING_FIELDS if name != "signed_text"
    }
    values["acknowledge_text_changed"] = forms.text(form, "acknowledge_text_changed") == "on"
    return values


def _signing_path(path: str) -> str:
    """signatories.0.name -> vn_name, signatories.1.title -> foreign_title."""
    parts = path.split(".")
    if len(parts) == 3 and parts[0] == "signatories" and parts[1] in ("0", "1"):
        return ("vn_" if parts[1] == "0" else "foreign_") + parts[2]
    if path == "documents":
        return "signed_text"
    return path


def _remap(errors: FormErrors) -> FormErrors:
    out = FormErrors(general=list(errors.general))
    for name, messages in errors.fields.items():
        for message in messages:
            out.add(_signing_path(name), message)
    return out


def _signing_input(values: dict[str, Any], lang: str) -> SigningCreate | FormErrors:
    """The signing form as the use case takes it (both signatories, dates), or its errors."""
    payload = {
        "signed_on": forms.parse_date(values["signed_on"]),
        "place": values["place"],
        "signatories": [
            {
                "side": "VIETNAMESE",
                "name": values["vn_name"],
                "title": values["vn_title"],
                "authorised_by": values["vn_authorised_by"] or None,
            },
            {
                "side": "FOREIGN",
                "name": values["foreign_name"],
                "title": values["foreign_title"],
                "authorised_by": values["foreign_authorised_by"] or None,
            },
        ],
        "effective_from": forms.parse_date(values["effective_from"]),
        "expires_on": forms.parse_date(values["expires_on"]),
        "term_months": values["term_months"] or None,
        "acknowledge_text_changed": values["acknowledge_text_changed"],
    }
    try:
        return SigningCreate.model_validate(payload)
    except ValidationError as exc:
        known = tuple(_signing_path(f) for f in SIGNING_FIELDS)
        return forms.collect(
            [
                type(e)(field=_signing_path(e.field), rule=e.rule, message=e.message)
                for e in forms.translate_validation_errors(exc.errors(), lang)
            ],
            known,
            FormErrors(),
        )


def _signing_errors(exc: ServiceError, lang: str) -> FormErrors:
    if isinstance(exc, RulesBroken):
        known = (*(_signing_path(f) for f in SIGNING_FIELDS), "documents")
        return _remap(forms.from_violations(exc.violations, lang, known))
    errors = FormErrors()
    if isinstance(exc, SignedTextDiffers):
        problem = exc.to_problem(lang)
        errors.add("acknowledge_text_changed", problem.detail)
        for error in problem.errors:
            errors.add(f"signed_text_{error.field.rsplit('.', 1)[-1]}", error.message)
    elif isinstance(exc, FileRefused):
        errors.add(exc.field, exc.to_problem(lang).detail)
    elif isinstance(exc, UnsupportedMedia | PayloadTooLarge | Unprocessable):
        errors.add("signed_text", exc.to_problem(lang).detail)
    else:  # the workflow's refusals among them
        errors.general.append(exc.to_problem(lang).detail)
    return errors


@router.post("/agreements/{agreement_id}/signing")
async def record_signing(request: Request, agreement_id: str, caller: CallerDep) -> Response:
    principal = signed_in(caller)
    form = await posted(request, caller)
    values = _signing_values(form)
    body = _signing_input(values, caller.lang)
    if isinstance(body, SigningCreate):
        try:
            await signing.record_signing(
                db=db_of(request),
                engine=engine_of(request),
                store=store_of(request),
                principal=principal,
                agreement_id=agreement_id,
                body=body,
                update_id=f"ui-sign:{agreement_id}:{attempt(form)}",
                signed_texts=_signed_texts(request, form),
            )
            return redirect(f"{PREFIX}/agreements/{agreement_id}?done=signed")
        except NotFound:
            raise
        except ServiceError as exc:
            body = _signing_errors(exc, caller.lang)
            if isinstance(exc, SignedTextDiffers):
                values["differences"] = differences(exc.comparisons)
    return await form_refused(
        request, caller, agreement_id, form_name="signing", errors=body, values=values
    )


def _signed_texts(request: Request, form: FormData) -> dict[str, Upload]:
    """The signed versions chosen on the form, one file input per language."""
    chosen = {}
    for name in form:
        if name.startswith("signed_text_"):
            upload = upload_of(request, forms.upload(form, name))
            if upload is not None:  # a refusal names the file input it came in
                chosen[name.removeprefix("signed_text_")] = replace(upload, field=name)
    return chosen


# --- the copy --------------------------------------------------------------------------------


@router.post("/agreements/{agreement_id}/copy")
async def deliver_copy(request: Request, agreement_id: str, caller: CallerDep) -> Response:
    principal = signed_in(caller)
    form = await posted(request, caller)
    values = {name: forms.text(form, name) for name in COPY_FIELDS}
    try:
        body = CopyDeliveryCreate.model_validate(
            {
                "duty": values["duty"] or None,
                "delivered_on": forms.parse_date(values["delivered_on"]),
                "note": values["note"],
            }
        )
    except ValidationError as exc:
        errors = forms.from_validation(exc, caller.lang, COPY_FIELDS)
    else:
        try:
            await signing.deliver_copy(
                db=db_of(request),
                engine=engine_of(request),
                principal=principal,
                agreement_id=agreement_id,
                body=body,
                update_id=f"ui-copy:{agreement_id}:{attempt(form)}",
            )
            return redirect(f"{PREFIX}/agreements/{agreement_id}?done=copy")
        except NotFound:
            raise
        except ServiceError as exc:
            errors = forms.from_service_error(exc, caller.lang, COPY_FIELDS)
    return await form_refused(
        request, caller, agreement_id, form_name="copy", errors=errors, values=values
    )


# --- changes ---------------------------------------------------------------------------------


def _change_kind(value: str | None) -> CaseKind | None:
    try:
        kind = CaseKind(value or "")
    except ValueError:
        return None
    return kind if kind in cases.CHANGEABLE else None


def _change_page(
    request: Request,
    caller: Caller,
    agreement_id: str,
    kind: CaseKind,
    *,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    principal = signed_in(caller)
    a = read(db_of(request), service.get_agreement, principal=principal, agreement_id=agreement_id)
    defaults: dict[str, Any] = dict.fromkeys(CHANGE_FIELDS, "")
    defaults.update(touches=[], related_bodies=[], procedure="STANDARD", kind=kind.value)
    return render(
        request,
        caller,
        "change.html",
        status_code=status_code,
        a=a,
        kind=kind.value,
        ending=kind in ENDING_KINDS,
        extension=kind is CaseKind.EXTENSION,
        default_title=cases.default_title(a, kind),
        values=values or defaults,
        errors=errors or FormErrors(),
        allowed=kind in cases.open_kinds(principal, a),
        **draft_form_context(a.province),
    )


@router.get("/agreements/{agreement_id}/change")
def change_form(request: Request, agreement_id: str, caller: CallerDep) -> Response:
    kind = _change_kind(request.query_params.get("kind"))
    if kind is None:
        return redirect(f"{PREFIX}/agreements/{agreement_id}")
    return _change_page(request, caller, agreement_id, kind)


def _change_input(
    kind: CaseKind, values: dict[str, Any], lang: str
) -> AmendmentCreate | TerminationCreate | FormErrors:
    payload: dict[str, Any] = {
        "kind": kind.value,
        "title": values["title"] or None,
        "summary": values["summary"],
        "procedure": values["procedure"] or "STANDARD",
        "reduced_ground": values["reduced_ground"] or None,
        "reduced_reason": values["reduced_reason"] or None,
        "touches": values["touches"],
        "related_bodies": values["related_bodies"],
    }
    try:
        if kind in CHANGE_KINDS:
            payload["expires_on"] = forms.parse_date(values["expires_on"])
            return AmendmentCreate.model_validate(payload)
        payload["effective_on"] = forms.parse_date(values["effective_on"])
        return TerminationCreate.model_validate(payload)
    except ValidationError as exc:
        return forms.from_validation(exc, lang, CHANGE_FIELDS)


@router.post("/agreements/{agreement_id}/change")
async def open_change(request: Request, agreement_id: str, caller: CallerDep) -> Response:
    principal = signed_in(caller)
    form = await posted(request, caller)
    kind = _change_kind(forms.text(form, "kind"))
    if kind is None:
        return redirect(f"{PREFIX}/agreements/{agreement_id}")
    values: dict[str, Any] = {name: forms.text(form, name) for name in CHANGE_FIELDS}
    values["touches"] = forms.many(form, "touches")
    values["related_bodies"] = forms.many(form, "related_bodies")
    lang = caller.lang

    def act() -> str | FormErrors:
        body = _change_input(kind, values, lang)
        if isinstance(body, FormErrors):
            return body
        try:
            case = write(
                db_of(request),
                cases.open_case,
                principal=principal,
                parent_id=agreement_id,
                body=body,
            )
            return case.id
        except NotFound:
            raise
        except ServiceError as exc:
            return forms.from_service_error(exc, lang, CHANGE_FIELDS)

    result = await run_in_threadpool(act)
    if isinstance(result, str):
        return redirect(f"{PREFIX}/agreements/{result}?done=case")
    return await run_in_threadpool(
        lambda: _change_page(
            request, caller, agreement_id, kind, values=values, errors=result, status_code=422
        )
    )
