"""The operator console's recovery tools against the real broker, Temporal dev server and
database: a submitted agreement without a workflow is listed and repaired (its workflow
started), a later state is left to an engineer, a task stuck past its deadline is found, a
replay by range publishes exactly the events of the range again, lag shows per group and
partition, and the command line does the same as the API."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from common.db import utcnow
from common.law.calendar import TZ
from common.law.vocabulary import AgreementStatus, TaskKind, TaskStatus
from common.temporal import connect
from services.agreements.app import create_app
from services.agreements.models import Agreement, OutboxEvent, Task
from services.agreements.settings import AgreementsSettings
from tests.helpers import dossier_files, draft_body
from workflows.lifecycle.contracts import workflow_id

from .conftest import Stack

pytestmark = pytest.mark.integration

OPS = "ops@system"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def console(stack: Stack) -> Iterator[TestClient]:
    """The service as an operator's console sees it: no watchdog of its own (the tests repair
    by hand) and no grace for a fresh submission."""
    settings = stack.settings.model_copy(
        update={"watchdog_interval_s": 0, "watchdog_stuck_after_s": 0}
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def draft(stack: Stack, **overrides: Any) -> str:
    r = stack.client.post(
        "/v1/agreements", json=draft_body(**overrides), headers=stack.login("officer@ha-noi")
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def submitted(stack: Stack) -> str:
    agreement_id = draft(stack, title="Bản ghi nhớ chờ quy trình (vận hành)")
    for kind, lang, name, content in dossier_files():
        r = stack.client.post(
            f"/v1/agreements/{agreement_id}/documents",
            data={"kind": kind, "language": lang},
            files={"file": (name, content + agreement_id.encode(), "application/pdf")},
            headers=stack.login("officer@ha-noi"),
        )
        assert r.status_code == 201, r.text
    r = stack.client.post(
        f"/v1/agreements/{agreement_id}/submit", headers=stack.login("officer@ha-noi")
    )
    assert r.status_code == 200, r.text
    return agreement_id


def stuck_items(client: TestClient, stack: Stack) -> dict[str, dict[str, Any]]:
    r = client.get("/v1/ops/workflows", headers=stack.login(OPS, lang="en"))
    assert r.status_code == 200, r.text
    assert r.json()["temporal_reachable"] is True
    return {item["agreement_id"]: item for item in r.json()["data"]}


def workflow_status(settings: AgreementsSettings, agreement_id: str) -> str:
    async def describe() -> str:
        client = await connect(settings)
        found = await client.get_workflow_handle(workflow_id(agreement_id)).describe()
        assert found.status is not None
        return found.status.name

    return asyncio.run(describe())


def test_a_submission_no_workflow_took_in_is_listed_and_repaired(
    stack: Stack, console: TestClient
) -> None:
    agreement_id = submitted(stack)  # no bridge runs here: nothing starts its workflow
    item = stuck_items(console, stack)[agreement_id]
    assert item["status"] == "SUBMITTED"
    assert item["workflow_status"] == "NOT_FOUND"
    assert item["findings"] == ["no_workflow"]
    assert item["repair"] == "start"
    assert item["temporal_url"] == (
        f"http://127.0.0.1:8233/namespaces/default/workflows/agreement-{agreement_id}"
    )
    assert any("Repairable" in d for d in item["details"])

    no_reason = console.post(
        f"/v1/ops/workflows/{agreement_id}/repair", json={}, headers=stack.login(OPS)
    )
    assert no_reason.status_code == 422
    r = console.post(
        f"/v1/ops/workflows/{agreement_id}/repair",
        json={"reason": "Bridge was down during the submission"},
        headers=stack.login(OPS) | {"Idempotency-Key": f"repair-{agreement_id}"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == "started" and r.json()["workflow_status"] == "NOT_FOUND"
    assert workflow_status(stack.settings, agreement_id) == "RUNNING"
    assert agreement_id not in stuck_items(console, stack)

    again = console.post(
        f"/v1/ops/workflows/{agreement_id}/repair",
        json={"reason": "once more"},
        headers=stack.login(OPS),
    )
    assert again.json()["outcome"] == "signalled"  # safe to repeat: the workflow is only told
    log = console.get(
        "/v1/ops/actions", params={"agreement_id": agreement_id}, headers=stack.login(OPS)
    ).json()["data"]
    assert [(e["kind"], e["outcome"]) for e in log] == [
        ("repair", "signalled"),
        ("repair", "started"),
    ]
    assert log[1]["reason"] == "Bridge was down during the submission"


def test_a_later_state_without_workflow_needs_an_engineer_and_a_late_task_is_found(
    stack: Stack, console: TestClient
) -> None:
    consulting, imported = draft(stack), draft(stack)
    task_id = str(uuid.uuid4())
    long_ago = utcnow() - timedelta(days=10)
    with stack.db.write_session() as session:
        for agreement_id, was_imported in ((consulting, False), (imported, True)):
            a = session.get(Agreement, agreement_id)
            assert a is not None
            a.status, a.submitted_at, a.imported = (
                AgreementStatus.IN_CONSULTATION,
                long_ago,
                was_imported,
            )
            session.add(a)
        session.add(
            Task(
                id=task_id,
                agreement_id=consulting,
                kind=TaskKind.CONSULTATION,
                assignee_role="reviewer",
                assignee_org="mofa",
                status=TaskStatus.OPEN,
                requested_at=long_ago,
                due_at=long_ago + timedelta(days=2),
            )
        )
        session.commit()

    items = stuck_items(console, stack)
    assert imported not in items  # imported records have no workflow by design
    item = items[consulting]
    assert item["workflow_status"] == "NOT_FOUND"
    assert item["findings"] == ["no_workflow", "deadline_not_moved"]
    assert [t["task_id"] for t in item["late_tasks"]] == [task_id]
    assert item["late_tasks"][0]["expected_event"] == "consultation.overdue"
    assert item["repair"] == "engineer"
    assert any("engineer" in d for d in item["details"])

    r = console.post(
        f"/v1/ops/workflows/{consulting}/repair",
        json={"reason": "try"},
        headers=stack.login(OPS, lang="vi"),
    )
    assert r.status_code == 409, r.text
    assert r.json()["type"].endswith("/ops-needs-engineer")
    assert "Cần kỹ sư" in r.json()["detail"]

    operator = TestClient(console.app, raise_server_exceptions=False)
    auth = {"Authorization": stack.login(OPS)["Authorization"]}  # as a sign-on gateway sends it
    page = operator.get("/ui/ops/workflows", headers=auth)
    assert page.status_code == 200
    assert f"/ui/agreements/{consulting}" in page.text and "Cần kỹ sư xử lý." in page.text
    assert f'action="/ui/ops/workflows/{consulting}/repair"' not in page.text


def outbox_of(stack: Stack, agreement_id: str) -> list[OutboxEvent]:
    with stack.db.session() as session:
        return list(
            session.exec(
                select(OutboxEvent)
                .where(OutboxEvent.agreement_id == agreement_id)
                .order_by(col(OutboxEvent.id))
            )
        )


def test_a_replay_by_range_publishes_exactly_the_events_of_the_range(stack: Stack) -> None:
    before, inside, after = (draft(stack, title=f"Bản ghi nhớ phát lại {n}") for n in range(3))
    for agreement_id in (before, inside, after):
        stack.records_for(agreement_id, expect=1)
    events = outbox_of(stack, inside)
    since = min(e.created_at for e in events)
    until_ = max(e.created_at for e in events) + timedelta(microseconds=1)
    assert max(e.created_at for e in outbox_of(stack, before)) < since
    assert min(e.created_at for e in outbox_of(stack, after)) >= until_
    span = {"since": since.isoformat(), "until": until_.isoformat()}

    preview = stack.client.get("/v1/ops/replay", params=span, headers=stack.login(OPS))
    assert preview.status_code == 200, preview.text
    assert preview.json()["count"] == len(events)
    assert preview.json()["by_type"] == {"agreement.drafted": len(events)}
    body = span | {"reason": "Kafka lost its data at 10:00"}
    unconfirmed = stack.client.post("/v1/ops/replay", json=body, headers=stack.login(OPS))
    assert unconfirmed.status_code == 422
    assert unconfirmed.json()["type"].endswith("/ops-replay-unconfirmed")
    changed = stack.client.post(
        "/v1/ops/replay",
        json=body | {"confirm": True, "expected_count": len(events) + 5},
        headers=stack.login(OPS),
    )
    assert changed.status_code == 409
    r = stack.client.post(
        "/v1/ops/replay",
        json=body | {"confirm": True, "expected_count": len(events)},
        headers=stack.login(OPS),
    )
    assert r.status_code == 200, r.text
    assert r.json()["count"] == len(events)

    ids = [e.event_id for e in events]
    records = stack.records_for(inside, expect=2 * len(events))
    assert sorted(dict(r.headers)["ce_id"].decode() for r in records) == sorted(ids * 2)
    for outside in (before, after):
        assert len(stack.records_for(outside, expect=1)) == len(outbox_of(stack, outside))
    entry = stack.client.get(
        "/v1/ops/actions", params={"kind": "replay"}, headers=stack.login(OPS)
    ).json()["data"][0]
    assert entry["detail"]["count"] == len(events) and entry["reason"] == body["reason"]


def test_a_replay_is_previewed_then_confirmed_on_its_page(stack: Stack) -> None:
    operator = TestClient(stack.client.app, raise_server_exceptions=False)
    auth = {"Authorization": stack.login(OPS)["Authorization"]}  # as a sign-on gateway sends it
    # A minute long ago: nothing there, so confirming publishes nothing.
    moment = datetime(2020, 1, 1, 9, 0, tzinfo=TZ)
    form = {
        "since": moment.strftime("%Y-%m-%dT%H:%M"),
        "until": (moment + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"),
        "reason": "Kiểm tra phát lại",
    }
    bad = operator.post("/ui/ops/replay", data=form | {"until": ""}, headers=auth)
    assert bad.status_code == 422 and "Hãy nhập ngày và giờ." in bad.text
    preview = operator.post("/ui/ops/replay", data=form | {"step": "preview"}, headers=auth)
    assert preview.status_code == 200 and "0 sự kiện" in preview.text
    done = operator.post(
        "/ui/ops/replay",
        data=form | {"step": "confirm", "expected_count": "0"},
        headers=auth,
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].endswith("done=replayed")
    log = operator.get("/ui/ops/actions", headers=auth).text
    assert "Kiểm tra phát lại" in log


def test_lag_shows_each_group_and_partition(stack: Stack) -> None:
    settings = stack.settings.model_copy(
        update={"ops_consumer_groups": ["workflow-bridge", "notifications", "reporting"]}
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        r = client.get("/v1/ops/lag", headers=stack.login(OPS))
    assert r.status_code == 200, r.text
    found = r.json()
    assert found["topic"] == "agreements.events"
    assert [g["group"] for g in found["groups"]] == [
        "workflow-bridge",
        "notifications",
        "reporting",
    ]
    for group in found["groups"]:
        partitions = group["partitions"]
        assert [p["partition"] for p in partitions] == list(range(len(partitions)))
        assert len(partitions) >= 1
        for p in partitions:
            start = p["committed"] if p["committed"] is not None else 0
            assert p["lag"] == max(0, p["end"] - start)
        assert group["lag"] == sum(p["lag"] for p in partitions)
    assert found["total"] == sum(g["lag"] for g in found["groups"])
    assert sum(p["end"] for p in found["groups"][0]["partitions"]) > 0  # the session's events


def cli(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ) | {
        "ENV": "test",
        "PYTHONPATH": str(ROOT),
        "DATA_DIR": str(stack.settings.data_dir),
        "AGREEMENTS_DATABASE_URL": stack.settings.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": stack.settings.kafka_bootstrap_servers,
        "TEMPORAL_ADDRESS": stack.settings.temporal_address,
        "USER": "tester",
    }
    return subprocess.run(
        [sys.executable, "-m", "services.agreements", "ops", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_line_lists_lag_and_replays_a_range_audited(stack: Stack) -> None:
    lag = cli(stack, "lag", "--json")
    assert lag.returncode == 0, lag.stderr
    assert {g["group"] for g in json.loads(lag.stdout)["groups"]} == {
        "workflow-bridge",
        "notifications",
        "reporting",
    }
    letters = cli(stack, "dead-letters", "--state", "all", "--json")
    assert letters.returncode == 0, letters.stderr
    assert json.loads(letters.stdout)["topic"] == "agreements.events.dlt"

    agreement_id = draft(stack, title="Bản ghi nhớ phát lại (dòng lệnh)")
    stack.records_for(agreement_id, expect=1)
    [event] = outbox_of(stack, agreement_id)
    since = event.created_at.astimezone(UTC)
    replayed = cli(
        stack,
        "replay",
        "--since",
        since.isoformat(),
        "--until",
        (since + timedelta(microseconds=1)).isoformat(),
        "--reason",
        "Replay from the shell",
        "--yes",
    )
    assert replayed.returncode == 0, replayed.stderr
    assert "1 events from" in replayed.stdout and "agreement.drafted\t1" in replayed.stdout
    assert len(stack.records_for(agreement_id, expect=2)) == 2
    entry = stack.client.get(
        "/v1/ops/actions", params={"kind": "replay"}, headers=stack.login(OPS)
    ).json()["data"][0]
    assert (entry["actor"], entry["reason"]) == ("tester@cli", "Replay from the shell")

    refused = cli(stack, "retry", "0-0", "--reason", "x")  # too short a reason
    assert refused.returncode == 1
