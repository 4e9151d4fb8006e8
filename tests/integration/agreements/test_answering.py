"""Answering, claiming and releasing a task go through one use case (inbox/answering.py,
inbox/tasks.py): the API and the pages refuse the same answers for the same reasons, and an
answer that passes the checks reaches the procedure engine."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from common.auth import Role
from common.db import utcnow
from common.law.vocabulary import TaskKind, TaskStatus
from services.agreements.models import Task
from tests.helpers import PDF, draft_body

from .conftest import Stack
from .test_ui_pages import browser, sign_in

pytestmark = pytest.mark.integration


def consultation_for_mofa(stack: Stack) -> tuple[str, str]:
    """A draft of Ha Noi's with an open consultation task of the Ministry of Foreign Affairs,
    as the workflow's activity opens it (no workflow runs for it: the engine answers that the
    agreement has no procedure running)."""
    r = stack.client.post(
        "/v1/agreements",
        json=draft_body(title=f"Bản ghi nhớ cần ý kiến {uuid.uuid4().hex[:6]}"),
        headers=stack.login("officer@ha-noi"),
    )
    assert r.status_code == 201, r.text
    agreement_id = str(r.json()["id"])
    task_id = str(uuid.uuid4())
    with stack.db.write_session() as session:
        session.add(
            Task(
                id=task_id,
                agreement_id=agreement_id,
                kind=TaskKind.CONSULTATION,
                assignee_role=Role.REVIEWER.value,
                assignee_org="mofa",
                status=TaskStatus.OPEN,
                requested_at=utcnow(),
                due_at=utcnow() + timedelta(days=7),
            )
        )
        session.commit()
    return agreement_id, task_id


def answer_on_page(
    client: TestClient, csrf: str, task_id: str, outcome: str, comment: str = ""
) -> str:
    r = client.post(
        f"/ui/tasks/{task_id}/answer",
        data={"outcome": outcome, "comment": comment, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 422, r.text
    return r.text


def test_api_and_pages_refuse_the_same_answers(stack: Stack) -> None:
    _, task_id = consultation_for_mofa(stack)
    reviewer = stack.login("reviewer@mofa")
    page = browser(stack)
    csrf = sign_in(page, "reviewer@mofa")

    # An outcome this kind of task does not take.
    r = stack.client.post(
        f"/v1/tasks/{task_id}/decision", json={"outcome": "APPROVE"}, headers=reviewer
    )
    assert r.status_code == 422
    assert "does not fit a CONSULTATION task" in r.text
    assert 'id="f-answer-outcome-error"' in answer_on_page(page, csrf, task_id, "APPROVE")

    # A disagreement without its reasons.
    r = stack.client.post(
        f"/v1/tasks/{task_id}/decision", json={"outcome": "DISAGREE"}, headers=reviewer
    )
    assert r.status_code == 422
    assert "comment" in r.text
    assert 'id="f-answer-comment-error"' in answer_on_page(page, csrf, task_id, "DISAGREE")

    # Admins see every task and answer none.
    r = stack.client.post(
        f"/v1/tasks/{task_id}/decision",
        json={"outcome": "AGREE"},
        headers=stack.login("admin@system"),
    )
    assert r.status_code == 403

    # Another body's reviewer does not even see the task.
    r = stack.client.post(
        f"/v1/tasks/{task_id}/decision",
        json={"outcome": "AGREE"},
        headers=stack.login("reviewer@moh"),
    )
    assert r.status_code == 404
    stranger = browser(stack)
    r = stranger.post(
        f"/ui/tasks/{task_id}/answer",
        data={"outcome": "AGREE", "csrf_token": sign_in(stranger, "reviewer@moh")},
    )
    assert r.status_code == 404

    # A well-formed answer reaches the engine, which has no procedure for this draft.
    r = stack.client.post(
        f"/v1/tasks/{task_id}/decision", json={"outcome": "AGREE"}, headers=reviewer
    )
    assert r.status_code == 409
    assert "has no procedure running" in r.text
    assert "chưa có thủ tục đang chạy" in answer_on_page(page, csrf, task_id, "AGREE")


def test_a_colleagues_claim_is_told_before_asking_the_workflow(stack: Stack) -> None:
    """What the pages and the API can tell from the task itself; the workflow's own refusal,
    and claiming, taking over and releasing with a workflow running, are in
    tests/e2e/test_scenarios.py."""
    _, task_id = consultation_for_mofa(stack)
    with stack.db.write_session() as session:
        task = session.get(Task, task_id)
        assert task is not None
        task.claimed_by = "reviewer2@mofa"
        session.add(task)
        session.commit()

    reviewer = browser(stack)
    csrf = sign_in(reviewer, "reviewer@mofa")
    r = reviewer.post(f"/ui/tasks/{task_id}/claim", data={"csrf_token": csrf})
    assert r.status_code == 409
    assert "reviewer2@mofa" in r.text
    assert "reviewer2@mofa" in answer_on_page(reviewer, csrf, task_id, "AGREE")
    r = stack.client.post(
        f"/v1/tasks/{task_id}/decision",
        json={"outcome": "AGREE"},
        headers=stack.login("reviewer@mofa"),
    )
    assert r.status_code == 409 and "reviewer2@mofa" in r.text
    r = stack.client.delete(f"/v1/tasks/{task_id}/claim", headers=stack.login("reviewer@mofa"))
    assert r.status_code == 409
    # The body's supervisor is not held back; with no workflow running, the engine says so.
    r = stack.client.post(f"/v1/tasks/{task_id}/claim", headers=stack.login("supervisor@mofa"))
    assert r.status_code == 409 and "has no procedure running" in r.text
    r = stack.client.post(f"/v1/tasks/{task_id}/takeover", headers=stack.login("reviewer@moh"))
    assert r.status_code == 404


def test_a_written_opinion_is_checked_like_any_upload(stack: Stack) -> None:
    agreement_id, task_id = consultation_for_mofa(stack)
    page = browser(stack)
    csrf = sign_in(page, "reviewer@mofa")
    r = page.post(
        f"/ui/tasks/{task_id}/answer",
        data={"outcome": "AGREE", "csrf_token": csrf},
        files={"opinion": ("opinion.exe", b"MZ\x90\x00", "application/x-msdownload")},
    )
    assert r.status_code == 422
    assert "không được chấp nhận" in r.text
    r = page.post(
        f"/ui/tasks/{task_id}/answer",
        data={"outcome": "AGREE", "csrf_token": csrf},
        files={"opinion": ("opinion.pdf", b"not a pdf", "application/pdf")},
    )
    assert r.status_code == 422
    assert "không khớp với kiểu" in r.text
    docs = stack.client.get(
        f"/v1/agreements/{agreement_id}/documents", headers=stack.login("reviewer@mofa")
    )
    assert docs.json()["count"] == 0
    # The same checks on the API's upload route.
    r = stack.client.post(
        f"/v1/agreements/{agreement_id}/documents",
        data={"kind": "OPINION", "language": "vi"},
        files={"file": ("opinion.pdf", b"not a pdf", "application/pdf")},
        headers=stack.login("reviewer@mofa"),
    )
    assert r.status_code == 415
    r = stack.client.post(
        f"/v1/agreements/{agreement_id}/documents",
        data={"kind": "OPINION", "language": "vi"},
        files={"file": ("opinion.pdf", PDF, "application/pdf")},
        headers=stack.login("reviewer@mofa"),
    )
    assert r.status_code == 201
    assert r.json()["kind"] == "OPINION"
    assert "opinion.pdf" in page.get(f"/ui/tasks/{task_id}").text
