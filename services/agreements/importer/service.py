"""The import's use cases, as the API, the command line and the import page call them: preview
a register, and import it — every row or none, or the valid rows when `partial` — in one
transaction that plans against the records it then writes to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from common.auth import Principal
from common.db import Database, utcnow
from common.law.calendar import TZ
from common.law.cycles import ConferenceCalendar
from services.agreements.importer.register import (
    ParsedFile,
    Plan,
    own_province_of,
    parse_file,
    plan_import,
    store_rows,
)


class ImportRefused(Exception):
    """Nothing was imported: the file is unreadable, or rows are invalid and not `partial`."""

    def __init__(self, plan: Plan) -> None:
        super().__init__("import refused")
        self.plan = plan


@dataclass(frozen=True)
class Importer:
    """Who imports, and the conference calendar the preview counts by."""

    principal: Principal
    calendar: ConferenceCalendar

    def parse(self, content: bytes, today: date | None = None) -> ParsedFile:
        """PermissionError when the caller may not import at all."""
        own = own_province_of(self.principal)
        day = today or utcnow().astimezone(TZ).date()
        return parse_file(content, today=day, own_province=own)

    def plan(self, session: Session, parsed: ParsedFile) -> Plan:
        return plan_import(session, parsed, cycle_of=self.calendar.number_of)

    def preview(self, db: Database, content: bytes) -> Plan:
        parsed = self.parse(content)
        with db.session() as session:
            return self.plan(session, parsed)

    def apply(
        self,
        session: Session,
        parsed: ParsedFile,
        *,
        partial: bool,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[Plan, list[str]]:
        """Plan and store in the caller's transaction; ImportRefused when the plan may not be
        committed. The caller commits."""
        plan = self.plan(session, parsed)
        if not plan.may_commit(partial):
            raise ImportRefused(plan)
        return plan, store_rows(
            session, principal=self.principal, rows=plan.rows, progress=progress
        )

    def run(
        self,
        db: Database,
        content: bytes,
        *,
        partial: bool,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[Plan, list[str]]:
        """Parse, plan and store in one transaction of its own."""
        parsed = self.parse(content)
        with db.write_session() as session:
            plan, ids = self.apply(session, parsed, partial=partial, progress=progress)
            session.commit()
        return plan, ids
