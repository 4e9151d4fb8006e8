"""Historical import of signed agreements from a register: POST /v1/agreements/import, with a
preview (`dry_run`) that stores nothing."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from common.deps import DatabaseDep, LanguageDep
from common.problems import PayloadTooLarge, Problem, status_title, validation_problem
from services.agreements.api.deps import (
    PROBLEM_RESPONSES,
    CurrentPrincipal,
    IdempotencyDep,
    SettingsDep,
)
from services.agreements.idempotency import execute_write, fingerprint
from services.agreements.importer import register as importer
from services.agreements.importer.register import Plan
from services.agreements.importer.service import Importer, ImportRefused
from services.agreements.importer.summary import ImportSummary, summarise

router = APIRouter(prefix="/v1/agreements", tags=["import"])

_TEXTS = {
    "not_importer": (
        "Chỉ quản trị viên, bộ phận lưu chiểu Bộ Ngoại giao và cán bộ tỉnh được nhập dữ liệu.",
        "Only administrators, the Ministry of Foreign Affairs' registry and province officers "
        "may import records.",
    ),
    "rows_invalid": (
        "Tệp có {rejected} dòng không hợp lệ trên tổng số {total}; không dòng nào được nhập. "
        "Sửa các lỗi hoặc gửi lại với partial=true để chỉ nhập các dòng hợp lệ.",
        "{rejected} of {total} rows are invalid; nothing was imported. Fix them, or send again "
        "with partial=true to import only the valid rows.",
    ),
    "file_invalid": (
        "Tệp không đọc được như một sổ đăng ký CSV; không dòng nào được nhập.",
        "The file cannot be read as a CSV register; nothing was imported.",
    ),
    "concurrent_import": (
        "Một lần nhập khác vừa ghi cùng số hiệu; hãy gửi lại (các số hiệu đã có sẽ được bỏ qua).",
        "Another import just stored the same reference; send again (references already present "
        "are skipped).",
    ),
}


def _problem(code: str, lang: str, plan: Plan, **params: Any) -> Problem:
    vi, en = _TEXTS[code]
    errors = plan.errors[: importer.MAX_ERRORS_SHOWN]
    problem = validation_problem([e.as_field_error(lang) for e in errors], lang)
    problem.type = "import-rejected"
    problem.detail = (vi if lang == "vi" else en).format(**params)
    summary = summarise(plan, lang)
    problem.extra = {
        "total_rows": plan.total_rows,
        "rejected": plan.rejected_rows,
        "row_errors": [e.as_dict(lang) for e in errors],
        "errors_shown": len(errors),
        "errors_total": len(plan.errors),
        "preview": summary.model_dump(mode="json"),
    }
    return problem


def _refused(plan: Plan, lang: str) -> Problem:
    if plan.file_errors:
        return _problem("file_invalid", lang, plan)
    return _problem("rows_invalid", lang, plan, rejected=plan.rejected_rows, total=plan.total_rows)


def _refusal(status: int, code: str, lang: str) -> Problem:
    vi, en = _TEXTS[code]
    return Problem(
        status=status,
        title=status_title(status, lang),
        detail=vi if lang == "vi" else en,
        type=code.replace("_", "-"),
    )


@router.post(
    "/import",
    response_model=ImportSummary,
    responses=PROBLEM_RESPONSES | {413: {"description": "file too large"}},
    summary="Preview or import signed agreements from a register (CSV or XLSX)",
)
def import_agreements(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    settings: SettingsDep,
    idem: IdempotencyDep,
    lang: LanguageDep,
    file: Annotated[
        UploadFile,
        File(description="UTF-8 CSV or XLSX register, columns: " + ", ".join(importer.COLUMNS)),
    ],
    partial: Annotated[
        bool, Query(description="import the valid rows even when others are invalid")
    ] = False,
    dry_run: Annotated[
        bool, Query(description="only say what the import would do; nothing is stored")
    ] = False,
) -> Response:
    """Columns (our codes, or the Vietnamese or English headings registers use): reference,
    title, form, signatory_level, province (a former or current unit, by name or code),
    foreign_party_name, country (ISO code, or an English, diplomatic or Vietnamese name),
    partner_type, fields (separated by `;`), signed_on, effective_from, expires_on (YYYY-MM-DD
    or DD/MM/YYYY), status, occasion. Every row is checked; a row repeating an earlier one is
    left out with a warning, as is a record imported before with the same content; the same
    reference with different contents is an error. With `dry_run=true` the answer says what
    would be imported (per conference cycle and per unit, each value as understood) and
    nothing is stored. Otherwise every row is imported or none, unless `partial=true`.
    Administrators and the Ministry of Foreign Affairs' registry import for any province, a
    province officer only their own province's rows."""
    job = Importer(principal, settings.conference_calendar())
    # Held in memory to be parsed: never more than a document's limit.
    content = file.file.read(settings.max_document_bytes + 1)
    if len(content) > settings.max_document_bytes:
        raise PayloadTooLarge("file_too_large", limit_mb=settings.max_document_bytes >> 20)
    try:
        parsed = job.parse(content)
    except PermissionError as exc:
        raise _refusal(403, "not_importer", lang) from exc
    if dry_run:
        with db.session() as session:
            plan = job.plan(session, parsed)
        return Response(summarise(plan, lang).model_dump_json(), media_type="application/json")

    def action(session: Session) -> tuple[int, str, dict[str, str]]:
        try:
            plan, ids = job.apply(session, parsed, partial=partial)
        except ImportRefused as refused:
            raise _refused(refused.plan, lang) from refused
        return 200, summarise(plan, lang, ids).model_dump_json(), {}

    def fp() -> str:
        return fingerprint(
            "POST",
            "/v1/agreements/import",
            {"sha256": hashlib.sha256(content).hexdigest(), "partial": partial, "lang": lang},
        )

    try:
        return execute_write(db, idem, fp, action)
    except IntegrityError as exc:
        # Two imports racing on one reference: the loser stored nothing; a retry skips it.
        if "reference" in str(exc.orig).lower():
            raise _refusal(409, "concurrent_import", lang) from exc
        raise
