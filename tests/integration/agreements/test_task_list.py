"""The task list (`GET /v1/tasks`): each caller's tasks, each filter, soonest deadline first,
counted. Its statements are built once per shape of filters and bound per request
(inbox/tasks.py), so the same shape asked with other values must answer for those values."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from common.auth import Role
from common.db import utcnow
from common.law.vocabulary import TaskKind, TaskStatus
from services.agreements.models import Task
from tests.helpers import draft_body

from .conftest import Stack

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Made:
    id: str
    agreement_id: str
    kind: TaskKind
    org: str
    status: TaskStatus
    requested_at: datetime
    due_at: datetime | None


def agreement(stack: Stack) -> str:
    r = stack.client.post(
        "/v1/agreements",
        json=draft_body(title=f"Danh sách việc {uuid.uuid4().hex[:6]}"),
        headers=stack.login("officer@ha-noi"),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def make_tasks(stack: Stack, agreement_id: str, now: datetime) -> list[Made]:
    """Tasks of two reviewing bodies in every status, due in the past, the future or never,
    two of them due at the same moment (the request's time decides between them)."""
    day = timedelta(days=1)
    shapes = [
        (TaskKind.CONSULTATION, "mofa", TaskStatus.OPEN, now - 3 * day),
        (TaskKind.CONSULTATION, "mofa", TaskStatus.OPEN, now + 2 * day),
        (TaskKind.CONSULTATION, "mofa", TaskStatus.OPEN, now + 2 * day),
        (TaskKind.CONSULTATION, "mofa", TaskStatus.PAUSED, now - day),
        (TaskKind.CONSULTATION, "mofa", TaskStatus.DONE, now + 5 * day),
        (TaskKind.COPY_RECEIPT, "mofa", TaskStatus.OPEN, None),
        (TaskKind.COPY_RECEIPT, "mofa", TaskStatus.OPEN, now + 9 * day),
        (TaskKind.COPY_RECEIPT, "mofa", TaskStatus.CANCELLED, now - 2 * day),
        (TaskKind.CONSULTATION, "mof", TaskStatus.OPEN, now - day),
        (TaskKind.CONSULTATION, "mof", TaskStatus.OPEN, now + day),
    ]
    made = []
    with stack.db.write_session() as session:
        for i, (kind, org, status, due_at) in enumerate(shapes):
            task = Made(
                str(uuid.uuid4()), agreement_id, kind, org, status, now - timedelta(hours=i), due_at
            )
            made.append(task)
            session.add(
                Task(
                    id=task.id,
                    agreement_id=agreement_id,
                    kind=kind,
                    assignee_role=Role.REVIEWER.value,
                    assignee_org=org,
                    status=status,
                    requested_at=task.requested_at,
                    due_at=due_at,
                )
            )
        session.commit()
    return made


def expected(made: list[Made], org: str | None, params: dict[str, Any], now: datetime) -> list[str]:
    """What the list should hold, in its order: the reference the statements are held to."""
    kinds = params.get("kind") or [k.value for k in TaskKind]
    statuses = params.get("status") or [TaskStatus.OPEN.value]
    rows = [
        t
        for t in made
        if (org is None or t.org == org)
        and t.kind.value in kinds
        and t.status.value in statuses
        and (
            "overdue" not in params
            or (
                (t.status is TaskStatus.OPEN and t.due_at is not None and t.due_at < now)
                if params["overdue"]
                else (t.due_at is None or t.due_at >= now)
            )
        )
        and ("due_before" not in params or (t.due_at is not None and t.due_at <= params["at"]))
        and ("due_after" not in params or (t.due_at is not None and t.due_at >= params["at"]))
    ]
    rows.sort(key=lambda t: (t.due_at is None, t.due_at or now, t.requested_at, t.id))
    return [t.id for t in rows]


def test_each_filter_answers_for_its_own_values_in_deadline_order(stack: Stack) -> None:
    now = utcnow()
    first, second = agreement(stack), agreement(stack)
    made = make_tasks(stack, first, now) + make_tasks(stack, second, now)
    day = timedelta(days=1)
    shapes: list[dict[str, Any]] = [
        {},
        {"kind": ["CONSULTATION"]},
        {"kind": ["COPY_RECEIPT"]},
        {"kind": ["CONSULTATION", "COPY_RECEIPT"], "status": ["OPEN", "PAUSED"]},
        {"status": ["DONE", "CANCELLED"]},
        {"status": ["PAUSED"]},
        {"overdue": True},
        {"overdue": False},
        {"overdue": True, "status": ["OPEN", "PAUSED"]},
        {"due_before": True, "at": now},
        {"due_before": True, "at": now + 3 * day},
        {"due_after": True, "at": now},
        {"due_after": True, "at": now + 3 * day, "kind": ["COPY_RECEIPT"]},
    ]
    callers = {"reviewer@mofa": "mofa", "reviewer@mof": "mof", "admin@system": None}
    for caller, org in callers.items():
        headers = stack.login(caller)
        for aid in (first, second):
            for shape in shapes:
                query: dict[str, Any] = {"agreement_id": aid, "limit": 200}
                query |= {k: v for k, v in shape.items() if k in ("kind", "status", "overdue")}
                for bound in ("due_before", "due_after"):
                    if bound in shape:
                        query[bound] = shape["at"].isoformat()
                r = stack.client.get("/v1/tasks", params=query, headers=headers)
                assert r.status_code == 200, r.text
                mine = [t for t in made if t.agreement_id == aid]
                want = expected(mine, org, shape, utcnow())
                got = [t["id"] for t in r.json()["data"]]
                assert got == want, (caller, aid == first, shape)
                assert r.json()["count"] == len(want), (caller, shape)
                assert {t["agreement"]["id"] for t in r.json()["data"]} <= {aid}


def test_pages_count_the_whole_list_and_a_task_is_read_only_by_its_body(stack: Stack) -> None:
    now = utcnow()
    aid = agreement(stack)
    made = make_tasks(stack, aid, now)
    mofa = stack.login("reviewer@mofa")
    want = expected(made, "mofa", {"status": ["OPEN", "PAUSED"]}, now)
    assert len(want) == 6
    pages = []
    for offset in range(0, 8, 2):
        r = stack.client.get(
            "/v1/tasks",
            params={
                "agreement_id": aid,
                "status": ["OPEN", "PAUSED"],
                "limit": 2,
                "offset": offset,
            },
            headers=mofa,
        )
        assert r.status_code == 200, r.text
        assert r.json()["count"] == 6, offset
        pages += [t["id"] for t in r.json()["data"]]
    assert pages == want

    theirs = next(t for t in made if t.org == "mof")
    ours = next(t for t in made if t.org == "mofa")
    assert stack.client.get(f"/v1/tasks/{ours.id}", headers=mofa).json()["id"] == ours.id
    assert stack.client.get(f"/v1/tasks/{theirs.id}", headers=mofa).status_code == 404
    mof = stack.login("reviewer@mof")
    assert stack.client.get(f"/v1/tasks/{theirs.id}", headers=mof).json()["id"] == theirs.id
    admin = stack.login("admin@system")
    for t in (ours, theirs):
        assert stack.client.get(f"/v1/tasks/{t.id}", headers=admin).status_code == 200
    missing = stack.client.get(f"/v1/tasks/{uuid.uuid4()}", headers=admin)
    assert missing.status_code == 404
