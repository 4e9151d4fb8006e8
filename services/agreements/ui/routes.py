"""The pages under /ui and their forms. Each handler calls the same use cases as the JSON API
(service, tasks, signing, cases, engine) with the signed-in principal, so every access check
and rule is the API's own; a refusal comes back as a message on the page."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import pycountry
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select
from starlette.datastructures import FormData, UploadFile

from common.auth import Principal, Role
from common.bodies import BODIES, CENTRAL
from common.countries import country_name
from common.db import utcnow
from common.directory import authenticate
from common.law.calendar import TZ
from common.law.deadlines import Timing as ProcedureTiming
from common.law.drafting import DocumentFacts, Violation, check_dossier, is_known_language
from common.law.vocabulary import (
    ANSWERED_BY_DECISION,
    CHANGE_KINDS,
    COMMENT_REQUIRED,
    EDITABLE_STATUSES,
    ENDING_KINDS,
    OUTCOMES,
    AgreementStatus,
    CaseKind,
    DocumentKind,
    Outcome,
    TaskKind,
    TaskStatus,
)
from services.agreements.api.routes.documents import _media_type
from services.agreements.api.routes.tasks import _check_decision
from services.agreements.domain import access
from services.agreements.drafting import cases, service
from services.agreements.drafting.cases import CHANGEABLE, TITLE_PREFIX
from services.agreements.errors import (
    Forbidden,
    NotFound,
    PayloadTooLarge,
    RulesBroken,
    ServiceError,
    Unprocessable,
    UnsupportedMedia,
)
from services.agreements.inbox import tasks
from services.agreements.models import (
    Agreement,
    AgreementCreate,
    AgreementUpdate,
    AmendmentCreate,
    CopyDeliveryCreate,
    DecisionCreate,
    Document,
    SigningCreate,
    Task,
    TerminationCreate,
)
from services.agreements.procedure import signing, timeline
from services.agreements.procedure.engine import Engine
from services.agreements.settings import AgreementsSettings
from services.agreements.storage import (
    ALLOWED_MEDIA_TYPES,
    DocumentStore,
    TooLarge,
    content_matches,
)
from services.agreements.ui import forms, i18n, session
from services.agreements.ui.forms import FormErrors
from services.agreements.ui.pages import (
    PREFIX,
    CsrfRejected,
    LoginRequired,
    home_of,
    redirect,
    render,
    safe_next,
)
from services.agreements.ui.session import Caller
from workflows.lifecycle import contracts as c

router = APIRouter(prefix=PREFIX, include_in_schema=False)

PAGE_SIZE = 25
# The proposer's own dossier kinds (the signed text has its own form, opinions their task).
DOSSIER_KINDS = (
    DocumentKind.PROPOSAL,
    DocumentKind.DRAFT_TEXT,
    DocumentKind.TRANSLATION,
    DocumentKind.IMPLEMENTATION_PLAN,
    DocumentKind.IMPACT_ASSESSMENT,
    DocumentKind.OTHER,
)
# While the workflow takes a submission in, the page looks again by itself.
SETTLING = frozenset({AgreementStatus.SUBMITTED})
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
COPY_FIELDS = ("delivered_on", "note")
ANSWER_FIELDS = ("outcome", "comment", "opinion")
UPLOAD_FIELDS = ("kind", "language", "file")
CHANGE_FIELDS = (
    "kind",
    "title",
    "summary",
    "expires_on",
    "effective_on",
    "procedure",
    "reduced_reason",
    "touches",
    "related_bodies",
)


# Every country but Viet Nam can be a foreign party's.
PARTNER_COUNTRIES = tuple(sorted(c.alpha_2 for c in pycountry.countries if c.alpha_2 != "VN"))

# --- dependencies ----------------------------------------------------------------------------


def get_caller(request: Request) -> Caller:
    return session.identify(request, request.app.state.tokens, request.app.state.db)


CallerDep = Annotated[Caller, Depends(get_caller)]


def signed_in(caller: Caller) -> Principal:
    if caller.principal is None:
        raise LoginRequired()
    return caller.principal


async def posted(request: Request, caller: Caller) -> FormData:
    """The form of a POST, once its CSRF token is checked."""
    form = await request.form()
    settings: AgreementsSettings = request.app.state.settings
    sent = form.get(session.CSRF_FIELD)
    if not session.csrf_ok(settings, caller, sent if isinstance(sent, str) else None):
        raise CsrfRejected()
    return form


def _attempt(form: FormData) -> str:
    """The id of one filling of a form (hidden field): a form sent twice is one action."""
    value = forms.text(form, "attempt")
    return value if value.isalnum() and len(value) <= 32 else uuid.uuid4().hex


def _settings(request: Request) -> AgreementsSettings:
    settings: AgreementsSettings = request.app.state.settings
    return settings


def _db(request: Request) -> Any:
    return request.app.state.db


def _store(request: Request) -> DocumentStore:
    store: DocumentStore = request.app.state.store
    return store


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


# --- sign in, language -----------------------------------------------------------------------


@router.get("")
def start(caller: CallerDep) -> Response:
    return redirect(home_of(caller))


def _login_page(
    request: Request,
    caller: Caller,
    *,
    next_: str | None,
    error: str | None = None,
    token_error: str | None = None,
    username: str = "",
    status_code: int = 200,
) -> Response:
    bound, nonce = session.with_nonce(caller)
    response = render(
        request,
        bound,
        "login.html",
        status_code=status_code,
        next=next_ or "",
        error=error,
        token_error=token_error,
        username=username,
        expired=request.query_params.get("expired") == "1",
    )
    if nonce:
        session.set_nonce(response, _settings(request), request, nonce)
    return response


@router.get("/login")
def login_page(request: Request, caller: CallerDep) -> Response:
    next_ = safe_next(request.query_params.get("next"))
    if caller.principal is not None:
        return redirect(next_ or home_of(caller))
    return _login_page(request, caller, next_=next_)


def _signed_in_response(
    request: Request, token: str, principal: Principal, next_: str | None
) -> Response:
    caller = Caller(principal, i18n.DEFAULT, token)
    response = redirect(next_ or home_of(caller))
    session.set_session(response, _settings(request), request, token)
    return response


@router.post("/login")
async def login(request: Request, caller: CallerDep) -> Response:
    form = await request.form()
    next_ = safe_next(forms.text(form, "next"))
    settings = _settings(request)
    sent = form.get(session.CSRF_FIELD)
    if not caller.binding:
        return _login_page(
            request,
            caller,
            next_=next_,
            error=i18n.text("login.cookies", caller.lang),
            status_code=400,
        )
    if not session.csrf_ok(settings, caller, sent if isinstance(sent, str) else None):
        raise CsrfRejected()
    username = forms.text(form, "username")
    password = form.get("password")
    if not settings.is_development:
        return _login_page(
            request,
            caller,
            next_=next_,
            error=i18n.text("login.password_disabled", caller.lang),
            status_code=403,
        )
    if not username or not isinstance(password, str) or not password:
        return _login_page(
            request,
            caller,
            next_=next_,
            error=i18n.text("login.required", caller.lang),
            username=username,
            status_code=400,
        )
    principal = authenticate(username, password, settings.dev_password)
    if principal is None:
        return _login_page(
            request,
            caller,
            next_=next_,
            error=i18n.text("login.bad_credentials", caller.lang),
            username=username,
            status_code=401,
        )
    token = request.app.state.tokens.issue(principal)
    return _signed_in_response(request, token, principal, next_)


@router.post("/login/token")
async def login_with_token(request: Request, caller: CallerDep) -> Response:
    """Production: the person pastes a token of the configured issuer (or a gateway sends it
    as a header and never needs this)."""
    form = await request.form()
    next_ = safe_next(forms.text(form, "next"))
    if not caller.binding:
        return _login_page(
            request,
            caller,
            next_=next_,
            error=i18n.text("login.cookies", caller.lang),
            status_code=400,
        )
    sent = form.get(session.CSRF_FIELD)
    if not session.csrf_ok(_settings(request), caller, sent if isinstance(sent, str) else None):
        raise CsrfRejected()
    token = forms.text(form, "token").removeprefix("Bearer ").strip()
    try:
        principal = request.app.state.tokens.verify(token) if token else None
    except Exception:  # InvalidToken, or a JWKS endpoint that cannot be reached
        principal = None
    if principal is None:
        return _login_page(
            request,
            caller,
            next_=next_,
            token_error=i18n.text("login.bad_token", caller.lang),
            status_code=401,
        )
    return _signed_in_response(request, token, principal, next_)


@router.post("/logout")
async def logout(request: Request, caller: CallerDep) -> Response:
    await posted(request, caller)
    response = redirect(f"{PREFIX}/login")
    session.clear_session(response, _settings(request), request)
    session.set_language_cookie(response, _settings(request), request, caller.lang)
    return response


@router.post("/language")
async def switch_language(request: Request, caller: CallerDep) -> Response:
    """Kept per user (the database) once signed in, and in this browser for the sign-in page."""
    form = await posted(request, caller)
    lang = i18n.normalise(forms.text(form, "lang"))
    if caller.principal is not None:
        await run_in_threadpool(session.save_language, _db(request), caller.principal.subject, lang)
    back = safe_next(forms.text(form, "next")) or home_of(caller)
    response = redirect(back)
    session.set_language_cookie(response, _settings(request), request, lang)
    return response


@router.get("/nothing")
def nothing(request: Request, caller: CallerDep) -> Response:
    signed_in(caller)
    return render(
        request,
        caller,
        "error.html",
        message=i18n.text("error.nothing_here", caller.lang),
        code=200,
    )


# --- agreements list -------------------------------------------------------------------------


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return max(1, min(int(raw), 100_000)) if raw.isdigit() else 1


@router.get("/agreements")
def agreements_list(request: Request, caller: CallerDep) -> Response:
    principal = signed_in(caller)
    q = (request.query_params.get("q") or "").strip()[:200]
    status_code = request.query_params.get("status") or ""
    statuses = (AgreementStatus(status_code),) if status_code in AgreementStatus.__members__ else ()
    page = _page_number(request)
    filters = service.AgreementFilter(status=statuses, q=q or None)
    with _db(request).session() as s:
        rows, total = service.list_agreements(
            s, principal=principal, filters=filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        upcoming = _next_deadlines(s, [a.id for a in rows])
    return render(
        request,
        caller,
        "agreements.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, math.ceil(total / PAGE_SIZE)),
        q=q,
        status=status_code if statuses else "",
        upcoming=upcoming,
        now=utcnow(),
        can_create=principal.role is Role.PROVINCE_OFFICER,
        province=principal.province,
    )


def _next_deadlines(s: Session, ids: Sequence[str]) -> dict[str, Task]:
    """Per agreement, its open task due soonest (whoever holds it)."""
    if not ids:
        return {}
    found: dict[str, Task] = {}
    for t in s.exec(
        select(Task)
        .where(col(Task.agreement_id).in_(list(ids)), Task.status == TaskStatus.OPEN)
        .where(col(Task.due_at).is_not(None))
        .order_by(col(Task.due_at))
    ):
        found.setdefault(t.agreement_id, t)
    return found


# --- creating and editing a draft -----------------------------------------------------------


def _related_bodies(province: str | None) -> list[str]:
    """Bodies a draft may name as related: the ministries, and the province's own bodies."""
    return [
        code
        for code, body in BODIES.items()
        if body.level == CENTRAL or (province is not None and body.province == province)
    ]


def _draft_form_context(province: str) -> dict[str, Any]:
    return {
        "country_codes": PARTNER_COUNTRIES,
        "country_name_of": country_name,
        "related_choices": _related_bodies(province),
        "draft_fields": forms.DRAFT_FIELDS,
    }


@router.get("/agreements/new")
def new_draft(request: Request, caller: CallerDep) -> Response:
    province = _drafting_province(signed_in(caller))
    return render(
        request,
        caller,
        "new.html",
        values=forms.empty_draft(),
        errors=FormErrors(),
        **_draft_form_context(province),
    )


def _drafting_province(principal: Principal) -> str:
    """The province a caller drafts for; anyone else gets the 403 page (install_error_pages)."""
    if principal.role is not Role.PROVINCE_OFFICER or principal.province is None:
        raise Forbidden("not_drafter")
    return principal.province


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
            with _db(request).write_session() as s:
                a = service.create_agreement(s, principal=principal, data=data)
                s.commit()
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
        **_draft_form_context(province),
    )


@router.post("/agreements/{agreement_id}/edit")
async def edit_draft(request: Request, agreement_id: str, caller: CallerDep) -> Response:
    principal = signed_in(caller)
    form = await posted(request, caller)
    values = forms.draft_values(form)
    version_text = forms.text(form, "version")
    expected = int(version_text) if version_text.isdigit() else None

    def act() -> tuple[str, FormErrors]:
        try:
            with _db(request).session() as s:
                current = service.get_agreement(s, principal=principal, agreement_id=agreement_id)
            payload = forms.draft_payload(values, current.province)
            try:
                AgreementCreate.model_validate(payload)
                changes = AgreementUpdate.model_validate(payload)
            except ValidationError as exc:
                return "invalid", forms.from_validation(exc, caller.lang, forms.DRAFT_FIELDS)
            with _db(request).write_session() as s:
                before = current.version
                a = service.update_agreement(
                    s,
                    principal=principal,
                    agreement_id=agreement_id,
                    expected_version=expected,
                    changes=changes,
                )
                s.commit()
                return ("saved" if a.version != before else "unchanged"), FormErrors()
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


# --- documents -------------------------------------------------------------------------------


@dataclass
class Stored:
    sha256: str
    size: int
    media_type: str
    filename: str
    blob: Any


def store_upload(request: Request, upload: UploadFile) -> Stored:
    """The checks of the API's upload route: type, size, content, a clean file name."""
    settings = _settings(request)
    media_type = _media_type(upload)  # type: ignore[arg-type]  # starlette's UploadFile
    if media_type not in ALLOWED_MEDIA_TYPES:
        raise UnsupportedMedia("media_type_not_allowed", media_type=media_type)
    try:
        blob = _store(request).put(upload.file, settings.max_document_bytes)
    except TooLarge as exc:
        raise PayloadTooLarge("file_too_large", limit_mb=exc.limit // (1024 * 1024)) from exc
    if blob.size == 0:
        raise Unprocessable("empty_file")
    if not content_matches(media_type, blob.head):
        raise UnsupportedMedia("content_mismatch", media_type=media_type)
    filename = (upload.filename or "document").replace("\\", "/").rsplit("/", 1)[-1][:255]
    return Stored(blob.sha256, blob.size, media_type, filename, blob)


def attach(
    request: Request,
    principal: Principal,
    agreement_id: str,
    kind: DocumentKind,
    language: str,
    stored: Stored,
) -> Document:
    with _db(request).write_session() as s:
        doc = service.attach_document(
            s,
            principal=principal,
            agreement_id=agreement_id,
            kind=kind,
            language=language,
            filename=stored.filename,
            media_type=stored.media_type,
            blob=stored.blob,
        )
        s.commit()
        return doc


@router.post("/agreements/{agreement_id}/documents")
async def upload_document(request: Request, agreement_id: str, caller: CallerDep) -> Response:
    principal = signed_in(caller)
    form = await posted(request, caller)
    kind_code = forms.text(form, "kind")
    language = forms.text(form, "language").lower()
    upload = forms.upload(form, "file")

    def act() -> FormErrors:
        errors = FormErrors()
        if kind_code not in {k.value for k in DOSSIER_KINDS}:
            errors.add("kind", i18n.text("common.required", caller.lang).capitalize())
        if not is_known_language(language):
            errors.add(
                "language",
                i18n.rule_messages(
                    [Violation("language", "unknown_language", {"value": language})], caller.lang
                )[0].message,
            )
        if upload is None:
            errors.add("file", i18n.text("common.required", caller.lang).capitalize())
        if errors:
            return errors
        assert upload is not None
        try:
            stored = store_upload(request, upload)
            attach(request, principal, agreement_id, DocumentKind(kind_code), language, stored)
        except NotFound:
            raise
        except ServiceError as exc:
            if isinstance(exc, RulesBroken):
                return forms.from_violations(exc.violations, caller.lang, UPLOAD_FIELDS)
            errors.add("file", exc.to_problem(caller.lang).detail)
        return errors

    errors = await run_in_threadpool(act)
    if not errors:
        return redirect(f"{PREFIX}/agreements/{agreement_id}?done=uploaded#documents")
    return await run_in_threadpool(
        agreement_page,
        request,
        caller,
        agreement_id,
        errors={"upload": errors},
        values={"upload": {"kind": kind_code, "language": language}},
        status_code=422,
    )


@router.get("/agreements/{agreement_id}/documents/{document_id}")
def download_document(
    request: Request, agreement_id: str, document_id: str, caller: CallerDep
) -> Response:
    principal = signed_in(caller)
    with _db(request).session() as s:
        doc = service.get_document(
            s, principal=principal, agreement_id=agreement_id, document_id=document_id
        )
    return FileResponse(
        _store(request).path_of(doc.sha256),
        media_type=doc.media_type,
        filename=doc.filename,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )


# --- submitting, deleting ----------------------------------------------------------------


@router.post("/agreements/{agreement_id}/submit")
async def submit(request: Request, agreement_id: str, caller: CallerDep) -> Response:
    principal = signed_in(caller)
    await posted(request, caller)

    def act() -> list[Violation] | ServiceError | None:
        try:
            with _db(request).write_session() as s:
                service.submit_agreement(
                    s, principal=principal, agreement_id=agreement_id, expected_version=None
                )
                s.commit()
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
            with _db(request).write_session() as s:
                service.delete_agreement(
                    s, principal=principal, agreement_id=agreement_id, expected_version=None
                )
                s.commit()
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


# --- the agreement page ----------------------------------------------------------------------


@router.get("/agreements/{agreement_id}")
def agreement(request: Request, agreement_id: str, caller: CallerDep) -> Response:
    signed_in(caller)
    return agreement_page(request, caller, agreement_id)


@dataclass
class PageState:
    errors: dict[str, FormErrors] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)

    def err(self, form: str) -> FormErrors:
        return self.errors.get(form) or FormErrors()


def agreement_page(
    request: Request,
    caller: Caller,
    agreement_id: str,
    *,
    task_id: str | None = None,
    errors: dict[str, FormErrors] | None = None,
    values: dict[str, dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Response:
    """The agreement (or, with `task_id`, one of the caller's tasks on it): its content, the
    dossier, who it waits for, the timeline, and the forms the caller may use now."""
    principal = signed_in(caller)
    state = PageState(errors or {}, values or {})
    lang = caller.lang
    with _db(request).session() as s:
        a = service.get_agreement(s, principal=principal, agreement_id=agreement_id)
        active = None
        if task_id is not None:
            task, task_agreement = tasks.get_task(s, principal=principal, task_id=task_id)
            if task_agreement.id != a.id:
                raise NotFound("task_not_found", id=task_id)
            active = tasks.to_public(task, task_agreement)
        docs = service.list_documents(s, principal=principal, agreement_id=a.id)
        steps = timeline.timeline(s, agreement_id=a.id, lang=lang).steps
        pending = [
            tasks.to_public(t, a)
            for t in s.exec(
                select(Task)
                .where(
                    Task.agreement_id == a.id,
                    col(Task.status).in_([TaskStatus.OPEN, TaskStatus.PAUSED]),
                )
                .order_by(col(Task.due_at).is_(None), col(Task.due_at), col(Task.requested_at))
            )
        ]
        mine_rows, _ = tasks.list_tasks(
            s,
            principal=principal,
            filters=tasks.TaskFilter(
                agreement_id=a.id, status=(TaskStatus.OPEN, TaskStatus.PAUSED)
            ),
            limit=50,
            offset=0,
        )
        mine = [tasks.to_public(t, ag) for t, ag in mine_rows]
        children = [
            child
            for child in s.exec(
                select(Agreement)
                .where(Agreement.parent_id == a.id)
                .order_by(col(Agreement.created_at))
            )
            if service.can_read(s, principal, child)
        ]
        parent = None
        if a.parent_id:
            candidate = s.get(Agreement, a.parent_id)
            if candidate is not None and service.can_read(s, principal, candidate):
                parent = candidate

    can_draft = access.can_draft(principal, a.province)
    editable = can_draft and a.status in EDITABLE_STATUSES
    current_docs = service.current_documents(docs)  # the versions the dossier carries
    gaps: list[str] = []
    if editable:
        facts = service.draft_facts(a)
        gaps = [
            e.message
            for e in i18n.rule_messages(
                check_dossier(facts, [DocumentFacts(d.kind, d.language) for d in current_docs]),
                lang,
            )
        ]
    copy_task = next(
        (t for t in mine if t.kind is TaskKind.COPY_DELIVERY and t.status is TaskStatus.OPEN), None
    )
    change_kinds = (
        [k for k, allowed in CHANGEABLE.items() if a.status in allowed]
        if can_draft and a.case_kind is CaseKind.CONCLUSION
        else []
    )
    signed_text = next((d for d in reversed(docs) if d.kind is DocumentKind.SIGNED_TEXT), None)
    upload_languages = list(dict.fromkeys(["vi", *a.languages]))
    answer_task = active if active is not None and active.kind in ANSWERED_BY_DECISION else None
    return render(
        request,
        caller,
        "agreement.html",
        status_code=status_code,
        a=a,
        task=active,
        answer_task=answer_task,
        outcomes=[
            o.value for o in Outcome if answer_task is not None and o in OUTCOMES[answer_task.kind]
        ],
        comment_required=[o.value for o in Outcome if o in COMMENT_REQUIRED],
        docs=docs,
        current_doc_ids={d.id for d in current_docs},
        steps=steps,
        pending=pending,
        mine=mine,
        children=children,
        parent=parent,
        can_draft=can_draft,
        editable=editable,
        deletable=can_draft and a.status is AgreementStatus.DRAFT,
        can_sign=can_draft and a.status is AgreementStatus.APPROVED,
        copy_task=copy_task,
        change_kinds=change_kinds,
        gaps=gaps,
        settling=a.status in SETTLING,
        signed_text=signed_text,
        dossier_kinds=[k.value for k in DOSSIER_KINDS],
        upload_languages=upload_languages,
        state=state,
        draft_values=state.values.get("draft") or forms.values_of(a),
        copy_days=ProcedureTiming().copy_calendar_days,
        today=utcnow().astimezone(TZ).date().isoformat(),
        **_draft_form_context(a.province),
    )


# --- signing, the copy, changes --------------------------------------------------------------


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


def _remap(errors: FormErrors, mapper: Any) -> FormErrors:
    out = FormErrors(general=list(errors.general))
    for name, messages in errors.fields.items():
        for message in messages:
            out.add(mapper(name), message)
    return out


async def _update_or_show_errors(
    request: Request,
    caller: Caller,
    agreement_id: str,
    prepared: Any,
    *,
    update: str,
    update_id: str,
    next_url: str,
    form_name: str,
    values: dict[str, Any],
    task_id: str | None = None,
) -> Response:
    """Send a prepared command to the agreement's workflow and go to `next_url`; or, when it was
    refused (or never prepared: FormErrors), show the page again with the form's errors."""
    if not isinstance(prepared, FormErrors):
        try:
            await _engine(request).update(agreement_id, update, prepared, update_id=update_id)
            return redirect(next_url)
        except ServiceError as exc:
            prepared = FormErrors(general=[exc.to_problem(caller.lang).detail])
    errors: FormErrors = prepared
    return await run_in_threadpool(
        lambda: agreement_page(
            request,
            caller,
            agreement_id,
            task_id=task_id,
            errors={form_name: errors},
            values={form_name: values},
            status_code=422,
        )
    )


@router.post("/agreements/{agreement_id}/signing")
async def record_signing(request: Request, agreement_id: str, caller: CallerDep) -> Response:
    principal = signed_in(caller)
    form = await posted(request, caller)
    values = _signing_values(form)
    upload = forms.upload(form, "signed_text")
    lang = caller.lang
    known = tuple(_signing_path(f) for f in SIGNING_FIELDS)

    def prepare() -> c.Sign | FormErrors:
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
            body = SigningCreate.model_validate(payload)
        except ValidationError as exc:
            errors = forms.collect(
                [
                    type(e)(field=_signing_path(e.field), rule=e.rule, message=e.message)
                    for e in forms.translate_validation_errors(exc.errors(), lang)
                ],
                known,
                FormErrors(),
            )
            return errors
        try:
            if upload is not None:
                with _db(request).session() as s:
                    a = service.get_agreement(s, principal=principal, agreement_id=agreement_id)
                stored = store_upload(request, upload)
                attach(
                    request,
                    principal,
                    agreement_id,
                    DocumentKind.SIGNED_TEXT,
                    "vi" if "vi" in a.languages else a.languages[0],
                    stored,
                )
            with _db(request).session() as s:
                return signing.prepare_signing(
                    s,
                    principal=principal,
                    agreement_id=agreement_id,
                    body=body,
                    today=utcnow().astimezone(TZ).date(),
                )
        except NotFound:
            raise
        except RulesBroken as exc:
            return _remap(
                forms.from_violations(exc.violations, lang, (*known, "documents")), _signing_path
            )
        except ServiceError as exc:
            target = "acknowledge_text_changed" if exc.code == "signed_text_differs" else None
            errors = FormErrors()
            if target:
                errors.add(target, exc.to_problem(lang).detail)
            elif isinstance(exc, UnsupportedMedia | PayloadTooLarge | Unprocessable):
                errors.add("signed_text", exc.to_problem(lang).detail)
            else:
                errors.general.append(exc.to_problem(lang).detail)
            return errors

    return await _update_or_show_errors(
        request,
        caller,
        agreement_id,
        await run_in_threadpool(prepare),
        update=c.UPDATE_SIGN,
        update_id=f"ui-sign:{agreement_id}:{_attempt(form)}",
        next_url=f"{PREFIX}/agreements/{agreement_id}?done=signed",
        form_name="signing",
        values=values,
    )


@router.post("/agreements/{agreement_id}/copy")
async def deliver_copy(request: Request, agreement_id: str, caller: CallerDep) -> Response:
    principal = signed_in(caller)
    form = await posted(request, caller)
    values = {name: forms.text(form, name) for name in COPY_FIELDS}
    lang = caller.lang

    def prepare() -> c.DeliverCopy | FormErrors:
        try:
            body = CopyDeliveryCreate.model_validate(
                {"delivered_on": forms.parse_date(values["delivered_on"]), "note": values["note"]}
            )
        except ValidationError as exc:
            return forms.from_validation(exc, lang, COPY_FIELDS)
        try:
            with _db(request).session() as s:
                return signing.prepare_copy_delivery(
                    s,
                    principal=principal,
                    agreement_id=agreement_id,
                    body=body,
                    today=utcnow().astimezone(TZ).date(),
                )
        except NotFound:
            raise
        except ServiceError as exc:
            return forms.from_service_error(exc, lang, COPY_FIELDS)

    return await _update_or_show_errors(
        request,
        caller,
        agreement_id,
        await run_in_threadpool(prepare),
        update=c.UPDATE_DELIVER_COPY,
        update_id=f"ui-copy:{agreement_id}:{_attempt(form)}",
        next_url=f"{PREFIX}/agreements/{agreement_id}?done=copy",
        form_name="copy",
        values=values,
    )


def _change_kind(value: str | None) -> CaseKind | None:
    try:
        kind = CaseKind(value or "")
    except ValueError:
        return None
    return kind if kind in CHANGEABLE else None


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
    with _db(request).session() as s:
        a = service.get_agreement(s, principal=principal, agreement_id=agreement_id)
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
        default_title=f"{TITLE_PREFIX[kind]} {a.title}"[:500],
        values=values or defaults,
        errors=errors or FormErrors(),
        allowed=access.can_draft(principal, a.province)
        and a.case_kind is CaseKind.CONCLUSION
        and a.status in CHANGEABLE[kind],
        **_draft_form_context(a.province),
    )


@router.get("/agreements/{agreement_id}/change")
def change_form(request: Request, agreement_id: str, caller: CallerDep) -> Response:
    kind = _change_kind(request.query_params.get("kind"))
    if kind is None:
        return redirect(f"{PREFIX}/agreements/{agreement_id}")
    return _change_page(request, caller, agreement_id, kind)


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
        payload: dict[str, Any] = {
            "kind": kind.value,
            "title": values["title"] or None,
            "summary": values["summary"],
            "procedure": values["procedure"] or "STANDARD",
            "reduced_reason": values["reduced_reason"] or None,
            "touches": values["touches"],
            "related_bodies": values["related_bodies"],
        }
        try:
            body: AmendmentCreate | TerminationCreate
            if kind in CHANGE_KINDS:
                payload["expires_on"] = forms.parse_date(values["expires_on"])
                body = AmendmentCreate.model_validate(payload)
            else:
                payload["effective_on"] = forms.parse_date(values["effective_on"])
                body = TerminationCreate.model_validate(payload)
        except ValidationError as exc:
            return forms.from_validation(exc, lang, CHANGE_FIELDS)
        try:
            with _db(request).write_session() as s:
                case = cases.open_case(s, principal=principal, parent_id=agreement_id, body=body)
                s.commit()
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


# --- tasks -----------------------------------------------------------------------------------


@router.get("/tasks")
def task_inbox(request: Request, caller: CallerDep) -> Response:
    principal = signed_in(caller)
    show = "closed" if request.query_params.get("show") == "closed" else "open"
    statuses = (
        (TaskStatus.DONE, TaskStatus.CANCELLED)
        if show == "closed"
        else (TaskStatus.OPEN, TaskStatus.PAUSED)
    )
    page = _page_number(request)
    with _db(request).session() as s:
        rows, total = tasks.list_tasks(
            s,
            principal=principal,
            filters=tasks.TaskFilter(status=statuses),
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        now = utcnow()
        items = [tasks.to_public(t, a, now=now) for t, a in rows]
    return render(
        request,
        caller,
        "tasks.html",
        items=items,
        total=total,
        page=page,
        pages=max(1, math.ceil(total / PAGE_SIZE)),
        show=show,
    )


@router.get("/tasks/{task_id}")
def task_page(request: Request, task_id: str, caller: CallerDep) -> Response:
    principal = signed_in(caller)
    with _db(request).session() as s:
        _, a = tasks.get_task(s, principal=principal, task_id=task_id)
    return agreement_page(request, caller, a.id, task_id=task_id)


def _task_agreement(request: Request, principal: Principal, task_id: str) -> str:
    with _db(request).session() as s:
        _, a = tasks.get_task(s, principal=principal, task_id=task_id)
        return a.id


async def _claim_or_release(
    request: Request, task_id: str, caller: Caller, action: str
) -> Response:
    principal = signed_in(caller)
    await posted(request, caller)

    def act() -> tuple[str, ServiceError | None]:
        agreement_id = _task_agreement(request, principal, task_id)
        try:
            with _db(request).write_session() as s:
                (tasks.claim if action == "claim" else tasks.release)(
                    s, principal=principal, task_id=task_id
                )
                s.commit()
            return agreement_id, None
        except NotFound:
            raise
        except ServiceError as exc:
            return agreement_id, exc

    agreement_id, failure = await run_in_threadpool(act)
    if failure is None:
        return redirect(
            f"{PREFIX}/tasks/{task_id}?done={'claimed' if action == 'claim' else 'released'}"
        )
    return await run_in_threadpool(
        lambda: agreement_page(
            request,
            caller,
            agreement_id,
            task_id=task_id,
            errors={"claim": FormErrors(general=[failure.to_problem(caller.lang).detail])},
            status_code=failure.status,
        )
    )


@router.post("/tasks/{task_id}/claim")
async def claim(request: Request, task_id: str, caller: CallerDep) -> Response:
    return await _claim_or_release(request, task_id, caller, "claim")


@router.post("/tasks/{task_id}/release")
async def release(request: Request, task_id: str, caller: CallerDep) -> Response:
    return await _claim_or_release(request, task_id, caller, "release")


@router.post("/tasks/{task_id}/answer")
async def answer(request: Request, task_id: str, caller: CallerDep) -> Response:
    """An opinion, the PM's answer, the decision or a receipt: checked like the API's
    decision route, then sent to the workflow, which answers at once."""
    principal = signed_in(caller)
    form = await posted(request, caller)
    values = {"outcome": forms.text(form, "outcome"), "comment": forms.text(form, "comment")}
    upload = forms.upload(form, "opinion")
    lang = caller.lang

    def prepare() -> tuple[str, c.Decide | FormErrors]:
        agreement_id = _task_agreement(request, principal, task_id)
        try:
            body = DecisionCreate.model_validate(
                {"outcome": values["outcome"] or None, "comment": values["comment"]}
            )
        except ValidationError as exc:
            return agreement_id, forms.from_validation(exc, lang, ANSWER_FIELDS)
        try:
            with _db(request).session() as s:
                _check_decision(s, principal, task_id, body)
            document_ids: list[str] = []
            if upload is not None:
                stored = store_upload(request, upload)
                doc = attach(request, principal, agreement_id, DocumentKind.OPINION, "vi", stored)
                document_ids.append(doc.id)
        except NotFound:
            raise
        except RulesBroken as exc:
            return agreement_id, forms.from_violations(exc.violations, lang, ANSWER_FIELDS)
        except ServiceError as exc:
            errors = FormErrors()
            if isinstance(exc, UnsupportedMedia | PayloadTooLarge | Unprocessable):
                errors.add("opinion", exc.to_problem(lang).detail)
            else:
                errors.general.append(exc.to_problem(lang).detail)
            return agreement_id, errors
        return agreement_id, c.Decide(
            task_id=task_id,
            outcome=body.outcome.value,
            comment=body.comment,
            document_ids=document_ids,
            actor=signing.actor(principal),
        )

    agreement_id, prepared = await run_in_threadpool(prepare)
    return await _update_or_show_errors(
        request,
        caller,
        agreement_id,
        prepared,
        update=c.UPDATE_DECIDE,
        # One click, one answer: a resent form (same attempt id) gets the same result.
        update_id=f"ui-decide:{task_id}:{principal.subject}:{_attempt(form)}",
        next_url=f"{PREFIX}/tasks/{task_id}?done=answered",
        form_name="answer",
        values=values,
        task_id=task_id,
    )
