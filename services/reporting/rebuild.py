"""Reload the read model from the agreements service's operator export, for when the broker's
data is gone: what the export says replaces what the read model holds, unless the read model
already reflects a newer change (an event applied while the export was being read). Export rows
are the records of common/events/payloads.py, filled into rows by the mapper events use too
(mapping.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import httpx
from sqlalchemy import delete, select, tuple_
from sqlmodel import col

from common.auth import Principal, Role, TokenService
from common.db import Database, utcnow
from common.events.payloads import AgreementRecordV1, ConsultationRecordV1, DutyRecordV1
from common.law.cycles import ConferenceCalendar
from services.reporting.mapping import (
    fill_agreement,
    fill_consultation,
    fill_duty,
    new_agreement,
    new_consultation,
    new_duty,
)
from services.reporting.models import (
    ReadAgreement,
    ReadConsultation,
    ReadDuty,
    row_dict,
    table_of,
)
from services.reporting.projection.counts import (
    derive_consultation_cycle,
    derive_cycles,
    derive_duty_cycle,
    recount,
    serialize_writers,
)
from services.reporting.settings import ReportingSettings

log = logging.getLogger(__name__)

EXPORT_AGREEMENTS = "/v1/export/agreements"
EXPORT_CONSULTATIONS = "/v1/export/consultations"
EXPORT_DUTIES = "/v1/export/duties"
_CHUNK = 1000

Record = TypeVar("Record", AgreementRecordV1, ConsultationRecordV1, DutyRecordV1)


@dataclass(frozen=True)
class RebuildResult:
    agreements: int
    consultations: int
    kept_newer: int
    removed: int
    duties: int = 0


def export_token(settings: ReportingSettings) -> str:
    """The configured token, or (shared-secret deployments) an operator token signed here."""
    if settings.reporting_export_token:
        return settings.reporting_export_token
    if settings.jwt_jwks_url or settings.jwt_public_key:
        raise RuntimeError(
            "set REPORTING_EXPORT_TOKEN: tokens come from an external issuer, so the rebuild "
            "cannot sign its own operator token"
        )
    principal = Principal("service:reporting", Role.OPERATOR, "system", "Reporting rebuild")
    return TokenService(settings).issue(principal, ttl_seconds=3600)


def fetch_pages(
    client: httpx.Client,
    path: str,
    model: type[Record],
    page_size: int,
    headers: dict[str, str],
    progress: Callable[[int], None] | None = None,
) -> Iterator[Record]:
    """Every row of one export as its record model, page after page (keyset pagination by
    id)."""
    after: str | None = None
    while True:
        params: dict[str, Any] = {"limit": page_size}
        if after:
            params["after"] = after
        response = client.get(path, params=params, headers=headers)
        response.raise_for_status()
        body = response.json()
        yield from (model.model_validate(item) for item in body["data"])
        if progress:
            progress(len(body["data"]))
        after = body.get("next_after")
        if not after:
            return


def agreement_row(record: AgreementRecordV1, calendar: ConferenceCalendar) -> dict[str, Any]:
    row = new_agreement(record.agreement_id)
    fill_agreement(row, record)
    derive_cycles(row, calendar)
    return row_dict(row)


def consultation_row(record: ConsultationRecordV1, calendar: ConferenceCalendar) -> dict[str, Any]:
    row = new_consultation(record.task_id)
    fill_consultation(row, record)
    derive_consultation_cycle(row, calendar)
    return row_dict(row)


def duty_rows(records: list[DutyRecordV1], calendar: ConferenceCalendar) -> list[dict[str, Any]]:
    """One row per duty (agreement or case, duty, due date), as the events would fill it."""
    rows: dict[tuple[str, str, Any], ReadDuty] = {}
    for record in records:
        key = (record.agreement_id, record.duty, record.due_on)
        row = rows.get(key) or new_duty(*key)
        fill_duty(row, record)
        derive_duty_cycle(row, calendar)
        rows[key] = row
    return [row_dict(row) for row in rows.values()]


def _merge(
    session: Any,
    model: Any,
    keys: tuple[Any, ...],
    rows: list[dict[str, Any]],
    started_at: datetime,
) -> tuple[int, int]:
    """Replace stored rows by exported ones unless the stored one is newer; remove stored rows
    the export no longer has, unless they changed after the export began. Returns (rows kept
    because newer, rows removed)."""

    def key_of(row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(row[k.key] for k in keys)

    stored: dict[tuple[Any, ...], datetime] = {
        tuple(r[:-1]): r[-1] for r in session.execute(select(*keys, model.state_at))
    }
    exported = {key_of(r) for r in rows}
    newer = {key_of(r) for r in rows if key_of(r) in stored and stored[key_of(r)] > r["state_at"]}
    gone = [k for k, state_at in stored.items() if k not in exported and state_at <= started_at]
    replaced = [r for r in rows if key_of(r) not in newer]
    doomed = gone + [key_of(r) for r in replaced if key_of(r) in stored]
    where = col(keys[0]) if len(keys) == 1 else tuple_(*(col(k) for k in keys))
    for start in range(0, len(doomed), _CHUNK):
        chunk = doomed[start : start + _CHUNK]
        session.execute(
            delete(model).where(where.in_([k[0] for k in chunk] if len(keys) == 1 else chunk))
        )
    for start in range(0, len(replaced), _CHUNK):
        session.execute(table_of(model).insert(), replaced[start : start + _CHUNK])
    return len(newer), len(gone)


def load(
    db: Database,
    calendar: ConferenceCalendar,
    agreements: list[AgreementRecordV1],
    consultations: list[ConsultationRecordV1],
    started_at: datetime,
    duties: list[DutyRecordV1] | None = None,
) -> RebuildResult:
    """Write exported rows into the read model and re-count, in one transaction: readers see
    the old figures or the new ones, never a mix."""
    a_rows = [agreement_row(record, calendar) for record in agreements]
    c_rows = [consultation_row(record, calendar) for record in consultations]
    d_rows = duty_rows(duties or [], calendar)
    d = ReadDuty
    with db.write_session() as session:
        serialize_writers(session)
        kept_a, removed_a = _merge(session, ReadAgreement, (ReadAgreement.id,), a_rows, started_at)
        kept_c, removed_c = _merge(
            session, ReadConsultation, (ReadConsultation.task_id,), c_rows, started_at
        )
        kept_d, removed_d = _merge(
            session, d, (d.agreement_id, d.duty, d.due_on), d_rows, started_at
        )
        recount(session, calendar)
        session.commit()
    return RebuildResult(
        len(a_rows),
        len(c_rows),
        kept_a + kept_c + kept_d,
        removed_a + removed_c + removed_d,
        duties=len(d_rows),
    )


def rebuild(
    settings: ReportingSettings,
    db: Database,
    *,
    progress: Callable[[str, int], None] | None = None,
    client: httpx.Client | None = None,
) -> RebuildResult:
    """Read the exports (agreements, consultations, duties) from the agreements service,
    then load them."""
    started_at = utcnow()
    own_client = client is None
    http = client or httpx.Client(base_url=settings.agreements_url, timeout=60)
    headers = {"Authorization": f"Bearer {export_token(settings)}"}
    try:
        agreements = list(
            fetch_pages(
                http,
                EXPORT_AGREEMENTS,
                AgreementRecordV1,
                settings.rebuild_page_size,
                headers,
                (lambda n: progress("agreements", n)) if progress else None,
            )
        )
        consultations = list(
            fetch_pages(
                http,
                EXPORT_CONSULTATIONS,
                ConsultationRecordV1,
                settings.rebuild_page_size,
                headers,
                (lambda n: progress("consultations", n)) if progress else None,
            )
        )
        duties = list(
            fetch_pages(
                http,
                EXPORT_DUTIES,
                DutyRecordV1,
                settings.rebuild_page_size,
                headers,
                (lambda n: progress("duties", n)) if progress else None,
            )
        )
    finally:
        if own_client:
            http.close()
    result = load(db, settings.calendar, agreements, consultations, started_at, duties)
    log.info("rebuilt the read model: %s", result)
    return result
