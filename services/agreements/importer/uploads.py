"""The import page's use cases: a register uploaded, kept and previewed, confirmed, imported in
the background with its progress, and its outcome kept.

The import itself is one transaction, so a process that dies while importing stores nothing;
its upload, left `running` with no progress in any process, counts as interrupted after
STALE_AFTER and may be confirmed again."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from common.auth import Principal
from common.db import Database, utcnow
from common.filenames import safe_filename
from common.law.cycles import ConferenceCalendar
from common.problems import NotFound, register_texts
from services.agreements.importer.register import Plan
from services.agreements.importer.service import Importer, ImportRefused
from services.agreements.models import ImportUpload, UploadStatus

log = logging.getLogger(__name__)

register_texts(
    {
        "not_importer": (
            "Chỉ quản trị viên, bộ phận lưu chiểu Bộ Ngoại giao và cán bộ tỉnh được nhập dữ liệu.",
            "Only administrators, the Ministry of Foreign Affairs' registry and province "
            "officers may import records.",
        ),
        "import_upload_not_found": (
            "Không tìm thấy lần tải lên {id}.",
            "Upload {id} was not found.",
        ),
    }
)

STALE_AFTER: Final = timedelta(minutes=5)
RECENT: Final = 20

_lock = threading.Lock()
_progress: dict[str, tuple[int, int]] = {}  # upload id -> (rows stored, rows to store)


@dataclass(frozen=True)
class Progress:
    status: UploadStatus
    done: int
    total: int
    interrupted: bool

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))


def create(
    session: Session, principal: Principal, *, filename: str, content: bytes, partial: bool
) -> ImportUpload:
    upload = ImportUpload(
        created_by=principal.subject,
        org=principal.org,
        filename=safe_filename(filename, fallback="register"),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        partial=partial,
    )
    session.add(upload)
    session.flush()
    return upload


def get(session: Session, principal: Principal, upload_id: str) -> ImportUpload:
    """The person's own upload; NotFound for anyone else's."""
    upload = session.get(ImportUpload, upload_id)
    if upload is None or upload.created_by != principal.subject:
        raise NotFound("import_upload_not_found", id=upload_id)
    return upload


def recent(session: Session, principal: Principal) -> list[ImportUpload]:
    query = (
        select(ImportUpload)
        .where(ImportUpload.created_by == principal.subject)
        .order_by(col(ImportUpload.created_at).desc())
        .limit(RECENT)
    )
    return list(session.exec(query))


def preview(db: Database, upload: ImportUpload, importer: Importer) -> Plan:
    """What the upload would import now (planned afresh: records change between visits)."""
    return importer.preview(db, upload.content)


def progress_of(upload: ImportUpload, now: datetime | None = None) -> Progress:
    with _lock:
        running = _progress.get(upload.id)
    if running is not None:
        return Progress(upload.status, running[0], running[1], interrupted=False)
    stale = (
        upload.status is UploadStatus.RUNNING
        and upload.started_at is not None
        and (now or utcnow()) - upload.started_at > STALE_AFTER
    )
    done = upload.imported if upload.status is UploadStatus.DONE else 0
    return Progress(upload.status, done, upload.to_import, interrupted=stale)


def _claim(session: Session, upload_id: str, principal: Principal, partial: bool) -> bool:
    """Mark the upload running unless it is already (two clicks start one import)."""
    now = utcnow()
    claimed = session.exec(
        update(ImportUpload)
        .where(
            col(ImportUpload.id) == upload_id,
            col(ImportUpload.created_by) == principal.subject,
            or_(
                col(ImportUpload.status).in_([UploadStatus.PREVIEWED, UploadStatus.FAILED]),
                (col(ImportUpload.status) == UploadStatus.RUNNING)
                & (col(ImportUpload.started_at) < now - STALE_AFTER),
            ),
        )
        .values(status=UploadStatus.RUNNING, started_at=now, partial=partial, imported=0)
    )
    return bool(claimed.rowcount)


def outcome_of(plan: Plan, imported: int) -> dict[str, Any]:
    """What the page shows afterwards, in no language: counts and codes."""
    return {
        "total_rows": plan.total_rows,
        "imported": imported,
        "already_imported": plan.already_imported,
        "repeated_rows": plan.repeated_rows,
        "rejected": plan.rejected_rows,
        "by_cycle": {("" if k is None else str(k)): n for k, n in plan.by_cycle.items()},
        "by_province": dict(plan.by_province),
        "by_former_unit": dict(plan.by_former_unit),
    }


def _finish(db: Database, upload_id: str, **values: Any) -> None:
    with db.write_session() as session:
        session.exec(
            update(ImportUpload)
            .where(col(ImportUpload.id) == upload_id)
            .values(finished_at=utcnow(), **values)
        )
        session.commit()


def _run(db: Database, upload_id: str, principal: Principal, calendar: ConferenceCalendar) -> None:
    importer = Importer(principal, calendar)
    try:
        with db.session() as session:
            upload = get(session, principal, upload_id)
            content, partial = upload.content, upload.partial
        parsed = importer.parse(content)
        with _lock:
            _progress[upload_id] = (0, len(parsed.rows))

        def advance(n: int) -> None:
            with _lock:
                done, total = _progress[upload_id]
                _progress[upload_id] = (done + n, total)

        with db.write_session() as session:
            plan, ids = importer.apply(session, parsed, partial=partial, progress=advance)
            session.commit()
        _finish(
            db,
            upload_id,
            status=UploadStatus.DONE,
            imported=len(ids),
            to_import=len(plan.rows),
            total_rows=plan.total_rows,
            outcome=outcome_of(plan, len(ids)),
            content=b"",
        )
    except ImportRefused as refused:  # the records changed since the preview
        plan = refused.plan
        _finish(db, upload_id, status=UploadStatus.FAILED, outcome=outcome_of(plan, 0))
    except Exception:
        log.exception("import %s failed; nothing was stored", upload_id)
        _finish(db, upload_id, status=UploadStatus.FAILED, outcome={"error": True})
    finally:
        with _lock:
            _progress.pop(upload_id, None)


def confirm(
    db: Database,
    principal: Principal,
    upload_id: str,
    *,
    partial: bool,
    calendar: ConferenceCalendar,
    background: bool = True,
) -> bool:
    """Start importing the upload; False when it is already being (or was) imported."""
    with db.write_session() as session:
        get(session, principal, upload_id)
        if not _claim(session, upload_id, principal, partial):
            return False
        session.commit()
    if background:
        threading.Thread(
            target=_run,
            args=(db, upload_id, principal, calendar),
            name=f"import-{upload_id[:8]}",
            daemon=True,
        ).start()
    else:
        _run(db, upload_id, principal, calendar)
    return True


def counts(outcome: dict[str, Any], key: str) -> Counter[str]:
    return Counter({k: int(v) for k, v in (outcome.get(key) or {}).items()})
