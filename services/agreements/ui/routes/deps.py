"""What every page handler needs: who is asking, their form once its CSRF token is checked,
and the application's database, document store and procedure engine."""

from __future__ import annotations

import math
import uuid
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData, UploadFile

from common.auth import Principal
from common.db import Database
from services.agreements.drafting.uploads import Upload
from services.agreements.identity.service import Identity
from services.agreements.procedure.engine import Engine
from services.agreements.settings import AgreementsSettings
from services.agreements.storage import DocumentStore
from services.agreements.ui import forms, session
from services.agreements.ui.pages import CsrfRejected, LoginRequired
from services.agreements.ui.session import Caller

PAGE_SIZE = 25


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
    sent = form.get(session.CSRF_FIELD)
    token = sent if isinstance(sent, str) else None
    if not session.csrf_ok(settings_of(request), caller, token, request=request):
        raise CsrfRejected()
    return form


def attempt(form: FormData) -> str:
    """The id of one filling of a form (hidden field): a form sent twice is one action."""
    value = forms.text(form, "attempt")
    return value if value.isalnum() and len(value) <= 32 else uuid.uuid4().hex


def settings_of(request: Request) -> AgreementsSettings:
    settings: AgreementsSettings = request.app.state.settings
    return settings


def identity_of(request: Request) -> Identity:
    identity: Identity = request.app.state.identity
    return identity


def client_address(request: Request) -> str | None:
    """The caller's address (behind the reverse proxy, the one it forwarded)."""
    return request.client.host if request.client else None


def db_of(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def store_of(request: Request) -> DocumentStore:
    store: DocumentStore = request.app.state.store
    return store


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def upload_of(request: Request, sent: UploadFile | None) -> Upload | None:
    """A chosen file as the upload use case takes it, with this application's store and limit."""
    if sent is None:
        return None
    return Upload.of(
        sent, store=store_of(request), max_bytes=settings_of(request).max_document_bytes
    )


def page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return max(1, min(int(raw), 100_000)) if raw.isdigit() else 1


def page_count(total: int) -> int:
    return max(1, math.ceil(total / PAGE_SIZE))
