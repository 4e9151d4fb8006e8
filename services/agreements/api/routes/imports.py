"""Historical import of signed agreements from a CSV register: POST /v1/agreements/import."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from common.db import utcnow
from common.deps import DatabaseDep, LanguageDep
from common.law.calendar import TZ
from common.problems import Problem, status_title, validation_problem
from services.agreements.api.deps import PROBLEM_RESPONSES, CurrentPrincipal, IdempotencyDep
from services.agreements.idempotency import execute_write, fingerprint
from services.agreements.importer import register as importer

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


class ImportRowError(BaseModel):
    row: int
    column: str
    rule: str
    message: str


class ImportResult(BaseModel):
    total_rows: int
    imported: int
    skipped_existing: int
    rejected: int
    skipped_existing_references: list[str]
    imported_ids: list[str]
    errors: list[ImportRowError]
    errors_shown: int


def _problem(code: str, lang: str, parsed: importer.ParsedFile, **params: Any) -> Problem:
    vi, en = _TEXTS[code]
    errors = parsed.errors[: importer.MAX_ERRORS_SHOWN]
    problem = validation_problem([e.as_field_error(lang) for e in errors], lang)
    problem.type = "import-rejected"
    problem.detail = (vi if lang == "vi" else en).format(**params)
    problem.extra = {
        "total_rows": parsed.total_rows,
        "rejected": parsed.rejected_rows,
        "row_errors": [e.as_dict(lang) for e in errors],
        "errors_shown": len(errors),
        "errors_total": len(parsed.errors),
    }
    return problem


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
    response_model=ImportResult,
    responses=PROBLEM_RESPONSES,
    summary="Import signed agreements from a CSV register",
)
def import_agreements(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    idem: IdempotencyDep,
    lang: LanguageDep,
    file: Annotated[
        UploadFile, File(description="UTF-8 CSV, columns: " + ", ".join(importer.COLUMNS))
    ],
    partial: Annotated[
        bool, Query(description="import the valid rows even when others are invalid")
    ] = False,
) -> Response:
    """Columns: reference, title, form, signatory_level, province (a former or current unit, by
    name or code), foreign_party_name, country (ISO alpha-2, or an English or Vietnamese name),
    partner_type, fields (separated by `;`), signed_on, effective_from, expires_on (YYYY-MM-DD
    or DD/MM/YYYY), status, occasion. Every row is checked; a file with an invalid row imports
    nothing unless `partial=true`. A reference already present is skipped and counted, so the
    same file can be sent again safely. Administrators and the Ministry of Foreign Affairs'
    registry import for any province, a province officer only their own province's rows."""
    try:
        own = importer.own_province_of(principal)
    except PermissionError as exc:
        raise _refusal(403, "not_importer", lang) from exc
    content = file.file.read()
    today = utcnow().astimezone(TZ).date()
    parsed = importer.parse_csv(content, today=today, own_province=own)
    if parsed.file_errors:
        raise _problem("file_invalid", lang, parsed)
    if parsed.errors and not partial:
        raise _problem(
            "rows_invalid", lang, parsed, rejected=parsed.rejected_rows, total=parsed.total_rows
        )

    def action(session: Session) -> tuple[int, str, dict[str, str]]:
        outcome = importer.store_rows(session, principal=principal, rows=parsed.rows)
        shown = parsed.errors[: importer.MAX_ERRORS_SHOWN]
        result = ImportResult(
            total_rows=parsed.total_rows,
            imported=len(outcome.imported),
            skipped_existing=len(outcome.skipped_existing),
            rejected=parsed.rejected_rows,
            skipped_existing_references=outcome.skipped_existing[: importer.MAX_ERRORS_SHOWN],
            imported_ids=outcome.imported,
            errors=[ImportRowError(**e.as_dict(lang)) for e in shown],
            errors_shown=len(shown),
        )
        return 200, result.model_dump_json(), {}

    fp = fingerprint(
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
