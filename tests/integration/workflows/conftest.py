"""Workflow tests on Temporal's time-skipping test server, with the real activities writing a
real (SQLite) agreements database: only the clock is Temporal's, everything else is the
product's own code."""

from __future__ import annotations

import asyncio
import hashlib
import sys
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from common.db import Database
from common.directory import dev_users
from common.events.envelope import Event
from common.law.deadlines import Timing
from common.law.vocabulary import DocumentKind
from common.temporal import DATA_CONVERTER
from services.agreements.__main__ import migrate_database
from services.agreements.drafting import service
from services.agreements.models import AgreementCreate, Document, OutboxEvent, Task
from services.agreements.worker import make_workers
from tests.helpers import dossier_files, draft_body
from workflows.lifecycle import contracts as c
from workflows.lifecycle.starter import signal_with_start, submission

pytestmark = pytest.mark.integration


def test_server_binary() -> str:
    return str(Path(sys.executable).parent / "temporal-test-server")


@dataclass
class Procedure:
    """One time-skipping Temporal, the agreements service's workers, its database, helpers."""

    env: WorkflowEnvironment
    db: Database
    timing: Timing

    @property
    def client(self) -> Client:
        return self.env.client

    async def now(self) -> datetime:
        return await self.env.get_current_time()

    async def advance_to(self, moment: datetime) -> None:
        delta = moment - await self.now()
        if delta.total_seconds() > 0:
            await self.env.sleep(delta)

    def seed(self, user: str = "officer@ha-noi", **overrides: Any) -> c.Submission:
        """A draft with a complete dossier, submitted through the service's own use cases."""
        principal = dev_users()[user]
        body = draft_body(province=principal.org, **overrides)
        languages = tuple(body["languages"])
        with self.db.write_session() as s:
            a = service.create_agreement(
                s, principal=principal, data=AgreementCreate.model_validate(body)
            )
            for kind, lang, name, content in dossier_files(languages):
                s.add(
                    Document(
                        agreement_id=a.id,
                        kind=DocumentKind(kind),
                        language=lang,
                        filename=name,
                        media_type="application/pdf",
                        size=len(content),
                        sha256=hashlib.sha256(content + a.id.encode()).hexdigest(),
                        uploaded_by=principal.subject,
                    )
                )
            s.flush()
            service.submit_agreement(
                s, principal=principal, agreement_id=a.id, expected_version=None
            )
            s.commit()
            agreement_id = a.id
        return submission(self.last_event(agreement_id, "agreement.submitted"))

    async def start(self, sub: c.Submission) -> WorkflowHandle[Any, Any]:
        assert await signal_with_start(self.client, sub, self.timing)
        return self.client.get_workflow_handle(c.workflow_id(sub.agreement_id))

    def events(self, agreement_id: str, name: str | None = None) -> list[Event]:
        with self.db.session() as s:
            rows = s.exec(
                select(OutboxEvent)
                .where(OutboxEvent.agreement_id == agreement_id)
                .order_by(col(OutboxEvent.id))
            ).all()
        return [
            Event(
                id=r.event_id,
                name=r.event_type,
                version=r.event_version,
                source="test",
                subject=r.agreement_id,
                time=r.created_at,
                data=r.data,
            )
            for r in rows
            if name is None or r.event_type == name
        ]

    def last_event(self, agreement_id: str, name: str) -> Event:
        found = self.events(agreement_id, name)
        assert found, f"no {name} for {agreement_id}"
        return found[-1]

    def tasks(self, agreement_id: str, kind: str | None = None) -> list[Task]:
        with self.db.session() as s:
            stmt = select(Task).where(Task.agreement_id == agreement_id)
            if kind:
                stmt = stmt.where(Task.kind == kind)
            return list(s.exec(stmt.order_by(col(Task.requested_at), col(Task.id))).all())

    async def until(self, check: Callable[[], Any], timeout_s: float = 15) -> Any:
        """Poll (real time) until `check` returns something truthy: activities run at once,
        but asynchronously to the test."""
        deadline = time.monotonic() + timeout_s
        while True:
            result = check()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met in {timeout_s}s: {check}")
            await asyncio.sleep(0.05)


@pytest.fixture(scope="session")
def procedure_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    url = f"sqlite:///{tmp_path_factory.mktemp('procedure') / 'agreements.db'}"
    migrate_database(url)
    return Database(url)


@pytest.fixture
async def procedure(procedure_db: Database) -> AsyncIterator[Procedure]:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=test_server_binary(),
        data_converter=DATA_CONVERTER,
    )
    with ThreadPoolExecutor(16) as pool:
        workflows, activities = make_workers(env.client, procedure_db, pool)
        async with workflows, activities:
            yield Procedure(env=env, db=procedure_db, timing=Timing())
    await env.shutdown()
