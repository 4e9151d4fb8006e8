"""The dossier's documents on the pages: attaching one, and downloading it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response

from common.filenames import content_disposition
from common.law.drafting import Violation, is_known_language
from common.law.vocabulary import DocumentKind
from services.agreements.drafting import documents, uploads
from services.agreements.errors import NotFound, RulesBroken, ServiceError
from services.agreements.ui import forms, i18n
from services.agreements.ui.forms import FormErrors
from services.agreements.ui.pages import PREFIX, redirect
from services.agreements.ui.routes.agreement_page import agreement_page
from services.agreements.ui.routes.deps import (
    CallerDep,
    db_of,
    posted,
    signed_in,
    store_of,
    upload_of,
)
from services.agreements.unit_of_work import read

router = APIRouter(prefix=PREFIX, include_in_schema=False)

UPLOAD_FIELDS = ("kind", "language", "file")


@router.post("/agreements/{agreement_id}/documents")
async def upload_document(request: Request, agreement_id: str, caller: CallerDep) -> Response:
    principal = signed_in(caller)
    form = await posted(request, caller)
    kind_code = forms.text(form, "kind")
    language = forms.text(form, "language").lower()
    upload = upload_of(request, forms.upload(form, "file"))
    lang = caller.lang

    def act() -> FormErrors:
        # Every missing choice at once, worded for the form (the use case stops at the first).
        errors = FormErrors()
        if kind_code not in {k.value for k in uploads.DOSSIER_KINDS}:
            errors.add("kind", i18n.text("common.required", lang).capitalize())
        if not is_known_language(language):
            errors.add(
                "language",
                i18n.rule_messages(
                    [Violation("language", "unknown_language", {"value": language})], lang
                )[0].message,
            )
        if upload is None:
            errors.add("file", i18n.text("common.required", lang).capitalize())
        if errors:
            return errors
        assert upload is not None
        try:
            uploads.upload_document(
                db_of(request),
                principal=principal,
                agreement_id=agreement_id,
                kind=DocumentKind(kind_code),
                language=language,
                upload=upload,
            )
        except NotFound:
            raise
        except RulesBroken as exc:
            return forms.from_violations(exc.violations, lang, UPLOAD_FIELDS)
        except ServiceError as exc:
            errors.add("file", exc.to_problem(lang).detail)
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
    doc = read(
        db_of(request),
        documents.get_document,
        principal=principal,
        agreement_id=agreement_id,
        document_id=document_id,
    )
    return FileResponse(
        store_of(request).path_of(doc.sha256),
        media_type=doc.media_type,
        headers={
            "Content-Disposition": content_disposition(doc.filename),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
