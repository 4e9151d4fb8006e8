"""The import page: upload a register, see what would be imported (per conference cycle and
unit, each value as read, errors and warnings by row), confirm, follow the progress, read the
outcome. Same checks and use cases as POST /v1/agreements/import and the command line."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from common.auth import Principal
from common.law.cycles import cycle_heading
from services.agreements.errors import Forbidden
from services.agreements.importer import uploads
from services.agreements.importer.register import own_province_of
from services.agreements.importer.service import Importer
from services.agreements.importer.summary import ImportSummary, summarise
from services.agreements.models import UploadStatus
from services.agreements.ui import forms, i18n
from services.agreements.ui.forms import FormErrors
from services.agreements.ui.pages import PREFIX, redirect, render
from services.agreements.ui.routes.deps import CallerDep, db_of, posted, settings_of, signed_in
from services.agreements.ui.session import Caller
from services.agreements.unit_of_work import read, write

router = APIRouter(prefix=PREFIX, include_in_schema=False)

STATUS_KEYS = {
    UploadStatus.PREVIEWED.value: "import.status.previewed",
    UploadStatus.RUNNING.value: "import.status.running",
    UploadStatus.DONE.value: "import.status.done",
    UploadStatus.FAILED.value: "import.status.failed",
}


def _importer(request: Request, caller: Caller) -> tuple[Principal, Importer]:
    principal = signed_in(caller)
    try:
        own_province_of(principal)
    except PermissionError as exc:
        raise Forbidden("not_importer") from exc
    return principal, Importer(principal, settings_of(request).conference_calendar())


def _start_page(
    request: Request, caller: Caller, principal: Principal, errors: FormErrors, status: int = 200
) -> Response:
    recent = read(db_of(request), uploads.recent, principal)
    return render(
        request,
        caller,
        "import.html",
        status_code=status,
        errors=errors,
        recent=recent,
        status_keys=STATUS_KEYS,
        max_register_mb=settings_of(request).max_document_bytes >> 20,
    )


@router.get("/import")
def import_start(request: Request, caller: CallerDep) -> Response:
    principal, _ = _importer(request, caller)
    return _start_page(request, caller, principal, FormErrors())


@router.post("/import")
async def import_upload(request: Request, caller: CallerDep) -> Response:
    principal, _ = _importer(request, caller)
    form = await posted(request, caller)
    sent = forms.upload(form, "file")
    lang = caller.lang
    errors = FormErrors()
    content = b""
    if sent is None:
        errors.add("file", i18n.text("common.required", lang).capitalize())
    else:
        limit = settings_of(request).max_document_bytes  # the request body's limit too
        content = await sent.read(limit + 1)
        if len(content) > limit:
            errors.add("file", i18n.text("import.too_big", lang, mb=limit >> 20))
        elif not content.strip():
            errors.add("file", i18n.text("import.empty", lang))
    if errors:
        return await run_in_threadpool(_start_page, request, caller, principal, errors, 422)
    assert sent is not None
    upload = await run_in_threadpool(
        write,
        db_of(request),
        uploads.create,
        principal,
        filename=sent.filename or "",
        content=content,
        partial=False,
    )
    return redirect(f"{PREFIX}/import/{upload.id}")


def _tables(summary: ImportSummary | None) -> dict[str, list[tuple[str, str | None, int]]]:
    if summary is None:
        return {}
    return {
        name: [(c.label, c.key, c.rows) for c in counts]
        for name, counts in (
            ("cycles", summary.by_cycle),
            ("provinces", summary.by_province),
            ("former", summary.by_former_unit),
        )
    }


def _upload_page(request: Request, caller: Caller, upload_id: str) -> Response:
    principal, importer = _importer(request, caller)
    db = db_of(request)
    upload = read(db, uploads.get, principal, upload_id)
    progress = uploads.progress_of(upload)
    summary = None
    waiting = upload.status in (UploadStatus.PREVIEWED, UploadStatus.FAILED)
    if (waiting or progress.interrupted) and upload.content:
        summary = summarise(uploads.preview(db, upload, importer), caller.lang)
    outcome = upload.outcome or {}
    done_cycles = sorted(
        ((int(k) if k else None, n) for k, n in (outcome.get("by_cycle") or {}).items()),
        key=lambda kv: (kv[0] is not None, kv[0] or 0),
    )
    return render(
        request,
        caller,
        "import_upload.html",
        upload=upload,
        progress=progress,
        summary=summary,
        outcome=outcome,
        done_cycles=[(cycle_heading(c, caller.lang), c, n) for c, n in done_cycles],
        done_provinces=[
            (i18n.province_name(code, caller.lang), code, n)
            for code, n in sorted(uploads.counts(outcome, "by_province").items())
        ],
        tables=_tables(summary),
        running=progress.status is UploadStatus.RUNNING and not progress.interrupted,
    )


@router.get("/import/{upload_id}")
async def import_page(request: Request, upload_id: str, caller: CallerDep) -> Response:
    return await run_in_threadpool(_upload_page, request, caller, upload_id)


@router.post("/import/{upload_id}/confirm")
async def import_confirm(request: Request, upload_id: str, caller: CallerDep) -> Response:
    principal, importer = _importer(request, caller)
    form = await posted(request, caller)
    partial = forms.text(form, "partial") == "1"
    started = await run_in_threadpool(
        uploads.confirm,
        db_of(request),
        principal,
        upload_id,
        partial=partial,
        calendar=importer.calendar,
    )
    return redirect(f"{PREFIX}/import/{upload_id}" + ("" if started else "?done=import_busy"))
