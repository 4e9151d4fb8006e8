"""A step of the procedure retried after its commit landed (its acknowledgement to Temporal
lost) answers with the first result and writes nothing again: the op id is recorded in the
step's own transaction, and a step that fails records nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import Session, func, select

from common.db import Database
from services.agreements.__main__ import migrate_database
from services.agreements.models import ActivityOp
from services.agreements.procedure.activities import LifecycleActivities
from tests.conftest import fresh_database
from workflows.lifecycle import contracts as c

pytestmark = pytest.mark.integration

DUE = datetime(2026, 12, 21, 1, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[Database]:
    with fresh_database(request.param, tmp_path_factory, "activity_ops") as url:
        migrate_database(url)
        database = Database(url, pool_size=2)
        yield database
        database.dispose()


def ops(db: Database) -> int:
    with db.session() as session:
        return int(session.exec(select(func.count()).select_from(ActivityOp)).one())


def test_a_retried_step_answers_with_its_first_result_and_runs_once(db: Database) -> None:
    runs: list[str] = []

    def step(session: Session, inp: str) -> c.Deadline:
        runs.append(inp)
        return c.Deadline(
            task_id=f"task-{len(runs)}", due_at=DUE, reminder_at=None, escalate_at=DUE
        )

    steps = LifecycleActivities(db)
    first = steps._once("open_pm_opinion", "op-1", step, "a")
    again = steps._once("open_pm_opinion", "op-1", step, "a")
    assert again == first == c.Deadline("task-1", DUE, None, DUE)
    assert isinstance(again.due_at, datetime) and again.due_at.tzinfo is not None
    assert runs == ["a"] and ops(db) == 1

    other = steps._once("open_pm_opinion", "op-2", step, "b")
    assert other.task_id == "task-2" and ops(db) == 2


def test_a_step_that_fails_records_nothing_and_runs_again(db: Database) -> None:
    attempts = 0

    def flaky(session: Session, inp: str) -> c.Done:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise RuntimeError("the database went away")
        return c.Done(changed=False)

    steps = LifecycleActivities(db)
    with pytest.raises(RuntimeError):
        steps._once("record_claim", "op-3", flaky, "x")
    assert ops(db) == 0
    assert steps._once("record_claim", "op-3", flaky, "x") == c.Done(changed=False)
    assert steps._once("record_claim", "op-3", flaky, "x") == c.Done(changed=False)
    assert attempts == 2 and ops(db) == 1
