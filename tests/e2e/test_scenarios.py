"""The procedure's branches end to end: the PM's opinion, rejection, a supplement round trip,
the reduced procedure, a changed signed text, an amendment and a termination; and who may
act, concurrently, with bad input, or when Kafka delivers an event twice."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col

from common.auth import Role
from common.db import Database
from common.law.calendar import default_calendar
from common.law.deadlines import calendar_days_deadline, working_days_deadline
from services.agreements.models import OutboxEvent
from tests.helpers import PDF, dossier_files, until

from .conftest import Lifecycle, today

pytestmark = pytest.mark.integration


def in_force(lifecycle: Lifecycle, **draft: Any) -> str:
    """A provincial-committee agreement of Hà Nội, approved, signed, copied and in force."""
    aid = lifecycle.submit_new(**draft)
    lifecycle.consult_all(aid)
    lifecycle.approve(aid)
    r = lifecycle.sign(aid, effective_from=today().isoformat(), term_months=36)
    assert r.status_code == 200, r.text
    delivered = lifecycle.deliver_copy(aid, duty="COPY")
    assert (
        lifecycle.decide("registry@mofa", delivered["receipt"]["id"], "RECEIVED").status_code == 200
    )
    lifecycle.wait_status(aid, "IN_FORCE")
    return aid


def test_disagreement_at_provincial_level_goes_to_the_pm_then_to_the_leader(
    lifecycle: Lifecycle,
) -> None:
    aid = lifecycle.submit_new(touches=["border"])
    tasks = lifecycle.wait_tasks("admin@system", aid, "CONSULTATION", 3)
    assert sorted(t["assignee"]["org"] for t in tasks) == ["mod", "mofa", "mps"]
    for t in tasks:
        body = t["assignee"]["org"]
        outcome = "DISAGREE" if body == "mod" else "AGREE"
        assert lifecycle.decide(f"reviewer@{body}", t["id"], outcome, "Lý do").status_code == 200

    [pm] = lifecycle.wait_tasks("pm@office", aid, "PM_OPINION")
    assert pm["working_days_left"] == 7
    assert lifecycle.agreement(aid)["status"] == "AWAITING_PM_OPINION"
    assert lifecycle.tasks("leader@ha-noi", aid) == []
    r = lifecycle.decide("pm@office", pm["id"], "CONSENT", "Đồng ý")
    assert r.status_code == 200 and r.json()["task"]["outcome"] == "CONSENT"
    lifecycle.approve(aid)
    names = lifecycle.event_names(aid, "agreement.approved")
    assert names.index("pm_opinion.requested") < names.index("pm_opinion.given")
    assert names.index("pm_opinion.given") < names.index("decision.requested")
    lifecycle.record_history(aid, "pm-consent")


def test_pm_refusal_ends_the_procedure_rejected(lifecycle: Lifecycle) -> None:
    aid = lifecycle.submit_new(signatory_level="PROVINCIAL_COUNCIL")
    [task] = lifecycle.wait_tasks("reviewer@mofa", aid, "CONSULTATION")
    assert (
        lifecycle.decide("reviewer@mofa", task["id"], "DISAGREE", "Không phù hợp").status_code
        == 200
    )
    [pm] = lifecycle.wait_tasks("pm@office", aid, "PM_OPINION")
    r = lifecycle.decide("pm@office", pm["id"], "REFUSE")
    assert r.status_code == 422  # a refusal owes its reasons
    assert r.json()["errors"][0]["field"] == "comment"
    r = lifecycle.decide("pm@office", pm["id"], "REFUSE", "Chưa phù hợp với chủ trương")
    assert r.status_code == 200 and r.json()["agreement_status"] == "REJECTED"
    rejected = [
        e
        for e in lifecycle.events(aid, last="agreement.rejected")
        if e.name == "agreement.rejected"
    ]
    assert [e.data["reason"] for e in rejected] == ["PM_REFUSED"]
    assert lifecycle.tasks("leader@ha-noi", aid) == []
    lifecycle.record_history(aid, "pm-refusal")


def test_department_disagreement_is_decided_by_the_leader_who_may_reject(
    lifecycle: Lifecycle,
) -> None:
    aid = lifecycle.submit_new(signatory_level="DEPARTMENT", touches=["security"])
    tasks = lifecycle.wait_tasks("admin@system", aid, "CONSULTATION", 2)
    # The inbox counts the whole list on every page, counted or not.
    admin = lifecycle.login("admin@system")
    for params, rows in (({"limit": 1}, 1), ({"limit": 1, "offset": 1}, 1), ({"offset": 5}, 0)):
        r = lifecycle.client.get("/v1/tasks", params={"agreement_id": aid, **params}, headers=admin)
        assert (len(r.json()["data"]), r.json()["count"]) == (rows, 2), params
    for t in tasks:
        body = t["assignee"]["org"]
        outcome = "DISAGREE" if body == "mps" else "AGREE_WITH_COMMENTS"
        assert lifecycle.decide(f"reviewer@{body}", t["id"], outcome, "Ý kiến").status_code == 200
    # Below provincial level no PM opinion: the leader decides, the disagreement on record.
    [decision] = lifecycle.wait_tasks("leader@ha-noi", aid, "DECISION")
    assert lifecycle.tasks("pm@office", aid) == []
    r = lifecycle.decide("leader@ha-noi", decision["id"], "REJECT", "Chưa bảo đảm an ninh")
    assert r.status_code == 200 and r.json()["agreement_status"] == "REJECTED"
    requested = next(
        e
        for e in lifecycle.events(aid, last="decision.requested")
        if e.name == "decision.requested"
    )
    assert requested.data["opinions"]["mps"] == "DISAGREE"
    lifecycle.record_history(aid, "leader-rejection")


def test_supplement_request_returns_the_dossier_and_resubmission_restarts_the_clocks(
    lifecycle: Lifecycle,
) -> None:
    aid = lifecycle.submit_new(signatory_level="DEPARTMENT", touches=["investment"])
    tasks = {
        t["assignee"]["org"]: t
        for t in lifecycle.wait_tasks("admin@system", aid, "CONSULTATION", 2)
    }
    r = lifecycle.decide(
        "reviewer@mof", tasks["mof"]["id"], "REQUEST_SUPPLEMENT", "Bổ sung phương án tài chính"
    )
    assert r.status_code == 200
    lifecycle.wait_status(aid, "RETURNED")
    # Every clock stopped: the other body's task is paused and cannot be answered meanwhile.
    paused = lifecycle.tasks("reviewer@ha-noi.foreign-affairs", aid, status="PAUSED")
    assert [t["id"] for t in paused] == [tasks["ha-noi.foreign-affairs"]["id"]]
    r = lifecycle.decide("reviewer@ha-noi.foreign-affairs", paused[0]["id"], "AGREE")
    assert r.status_code == 409
    [supplement] = lifecycle.wait_tasks("officer@ha-noi", aid, "SUPPLEMENT")
    assert supplement["agreement"]["status"] == "RETURNED"

    lifecycle.upload("officer@ha-noi", aid, "PROPOSAL", "vi", "to-trinh-bo-sung.pdf", PDF + b"v2")
    lifecycle.submit("officer@ha-noi", aid)
    reopened = lifecycle.wait_tasks("admin@system", aid, "CONSULTATION", 2)
    by_body = {t["assignee"]["org"]: t for t in reopened}
    # The paused task restarts with a new deadline; the body that asked gets a new task.
    assert by_body["ha-noi.foreign-affairs"]["id"] == tasks["ha-noi.foreign-affairs"]["id"]
    assert by_body["mof"]["id"] != tasks["mof"]["id"]
    assert all(t["round"] == 2 and t["working_days_left"] == 7 for t in reopened)
    assert lifecycle.tasks("officer@ha-noi", aid, kind="SUPPLEMENT") == []
    lifecycle.consult_all(aid, count=2)
    lifecycle.wait_tasks("leader@ha-noi", aid, "DECISION")
    names = lifecycle.event_names(aid, "decision.requested")
    assert names.count("agreement.returned") == 1
    assert names.count("agreement.submitted") == 2
    lifecycle.record_history(aid, "supplement-round-trip")


def test_reduced_procedure_asks_for_opinions_within_three_working_days(
    lifecycle: Lifecycle,
) -> None:
    aid = lifecycle.submit_new(
        procedure="REDUCED",
        reduced_ground="HIGH_LEVEL_VISIT",
        reduced_reason="Chuyến thăm cấp cao được Thủ tướng Chính phủ cho phép",
    )
    [task] = lifecycle.wait_tasks("reviewer@mofa", aid, "CONSULTATION")
    assert task["working_days_left"] == 3
    requested = next(
        e
        for e in lifecycle.events(aid, last="consultation.requested")
        if e.name == "consultation.requested"
    )
    assert requested.data["working_days"] == 3
    assert requested.data["procedure"] == "REDUCED"


def test_signing_a_changed_text_is_refused_unless_sent_back_to_consultation(
    lifecycle: Lifecycle,
) -> None:
    aid = lifecycle.submit_new()
    lifecycle.consult_all(aid)
    lifecycle.approve(aid)
    changed = PDF + b"van ban da sua sau khi duyet"
    r = lifecycle.sign(aid, text=changed)
    assert r.status_code == 409
    assert r.json()["type"].endswith("signed-text-differs")
    assert lifecycle.agreement(aid)["status"] == "APPROVED"

    r = lifecycle.sign(aid, text=changed, acknowledge_text_changed=True)
    assert r.status_code == 200 and r.json()["status"] == "IN_CONSULTATION"
    [task] = lifecycle.wait_tasks("reviewer@mofa", aid, "CONSULTATION")
    assert task["round"] == 2
    assert lifecycle.decide("reviewer@mofa", task["id"], "AGREE").status_code == 200
    lifecycle.approve(aid)
    # The changed text was consulted and approved: now it signs.
    r = lifecycle.client.post(
        f"/v1/agreements/{aid}/signing",
        json={
            "signed_on": today().isoformat(),
            "place": "Hà Nội",
            "signatories": [
                {"side": "VIETNAMESE", "name": "Nguyễn Văn A", "title": "Chủ tịch"},
                {"side": "FOREIGN", "name": "Kim Min-jun", "title": "Mayor"},
            ],
        },
        headers=lifecycle.login("officer@ha-noi"),
    )
    assert r.status_code == 200, r.text
    names = lifecycle.event_names(aid, "agreement.signed")
    assert names.count("agreement.text_changed") == 1
    assert names.count("agreement.approved") == 2
    lifecycle.record_history(aid, "changed-text")


def test_an_extension_runs_the_same_procedure_and_moves_the_agreements_end(
    lifecycle: Lifecycle,
) -> None:
    aid = in_force(lifecycle)
    parent = lifecycle.agreement(aid)
    new_end = (today() + timedelta(days=5 * 365)).isoformat()
    r = lifecycle.client.post(
        f"/v1/agreements/{aid}/amendments",
        json={"kind": "EXTENSION", "summary": "Gia hạn thêm hai năm", "expires_on": new_end},
        headers=lifecycle.login("officer@ha-noi"),
    )
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["case_kind"] == "EXTENSION" and case["parent_id"] == aid
    assert case["title"].startswith("Gia hạn")
    # Only one change at a time.
    again = lifecycle.client.post(
        f"/v1/agreements/{aid}/terminations",
        json={"kind": "TERMINATION", "summary": "x", "effective_on": today().isoformat()},
        headers=lifecycle.login("officer@ha-noi"),
    )
    assert again.status_code == 409

    for kind, lang, name, content in dossier_files():
        lifecycle.upload(
            "officer@ha-noi", case["id"], kind, lang, name, content + case["id"].encode()
        )
    lifecycle.submit("officer@ha-noi", case["id"])
    lifecycle.consult_all(case["id"])
    lifecycle.approve(case["id"])
    r = lifecycle.sign(case["id"])
    assert r.status_code == 200, r.text
    assert r.json()["expires_on"] == new_end
    until(
        lambda: lifecycle.agreement(aid)["expires_on"] == new_end,
        20,
        "the parent's new end",
    )
    assert lifecycle.agreement(aid)["expires_on"] != parent["expires_on"]
    amended = [
        e for e in lifecycle.events(aid, last="agreement.amended") if e.name == "agreement.amended"
    ]
    assert [e.data["case_id"] for e in amended] == [case["id"]]
    lifecycle.record_history(case["id"], "extension-case")


def test_a_termination_ends_the_agreement_on_its_date_and_owes_a_notice(
    lifecycle: Lifecycle,
) -> None:
    aid = in_force(lifecycle)
    r = lifecycle.client.post(
        f"/v1/agreements/{aid}/terminations",
        json={
            "kind": "TERMINATION",
            "summary": "Đối tác đề nghị chấm dứt",
            "effective_on": today().isoformat(),
        },
        headers=lifecycle.login("officer@ha-noi"),
    )
    assert r.status_code == 201, r.text
    case = r.json()
    # An ending needs only the proposal: there is no new text to consult on.
    lifecycle.upload("officer@ha-noi", case["id"], "PROPOSAL", "vi", "to-trinh.pdf", PDF + b"end")
    lifecycle.submit("officer@ha-noi", case["id"])
    lifecycle.consult_all(case["id"])
    lifecycle.approve(case["id"])
    lifecycle.wait_status(aid, "TERMINATED")
    assert lifecycle.agreement(case["id"])["status"] == "TERMINATED"
    [notice] = lifecycle.wait_tasks("officer@ha-noi", case["id"], "COPY_DELIVERY")
    # 15 days from its date, rolled over to a working day when the 15th is not one.
    notice_due = calendar_days_deadline(default_calendar(), today(), 15).isoformat()
    assert notice["due_at"].startswith(notice_due)
    delivered = lifecycle.deliver_copy(case["id"])
    assert delivered["receipt"]["assignee"]["org"] == "mofa-registry"
    terminated = [
        e
        for e in lifecycle.events(aid, last="agreement.terminated")
        if e.name == "agreement.terminated"
    ]
    assert terminated[0].data["notice_due_on"] == notice_due
    lifecycle.record_history(case["id"], "termination-case")
    lifecycle.record_history(aid, "terminated-agreement")


def test_two_people_answering_one_task_at_the_same_moment_exactly_one_wins(
    lifecycle: Lifecycle,
) -> None:
    aid = lifecycle.submit_new()
    [task] = lifecycle.wait_tasks("reviewer@mofa", aid, "CONSULTATION")
    results: list[int] = []
    barrier = threading.Barrier(2)

    def answer(user: str, outcome: str) -> None:
        headers = lifecycle.login(user)
        barrier.wait()
        r = lifecycle.client.post(
            f"/v1/tasks/{task['id']}/decision",
            json={"outcome": outcome, "comment": "Ý kiến"},
            headers=headers,
        )
        results.append(r.status_code)

    threads = [
        threading.Thread(target=answer, args=("reviewer@mofa", "AGREE")),
        threading.Thread(target=answer, args=("supervisor@mofa", "DISAGREE")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [200, 409]
    answered = [
        e
        for e in lifecycle.events(aid, last="consultation.answered")
        if e.name == "consultation.answered"
    ]
    assert len(answered) == 1


def test_reviewers_see_and_answer_only_what_was_sent_to_their_body(
    lifecycle: Lifecycle,
) -> None:
    aid = lifecycle.submit_new()
    [task] = lifecycle.wait_tasks("reviewer@mofa", aid, "CONSULTATION")
    # The consulted body reads the dossier and its documents...
    mofa = lifecycle.login("reviewer@mofa")
    assert lifecycle.client.get(f"/v1/agreements/{aid}", headers=mofa).status_code == 200
    docs = lifecycle.client.get(f"/v1/agreements/{aid}/documents", headers=mofa).json()["data"]
    assert (
        docs
        and lifecycle.client.get(
            f"/v1/agreements/{aid}/documents/{docs[0]['id']}/content", headers=mofa
        ).status_code
        == 200
    )
    assert lifecycle.client.get(f"/v1/agreements/{aid}/timeline", headers=mofa).status_code == 200
    # ...but cannot change it.
    assert lifecycle.client.patch(
        f"/v1/agreements/{aid}", json={"title": "Khác"}, headers=mofa | {"If-Match": "*"}
    ).status_code in (403, 404)
    # Another body sees neither the agreement nor the task, and cannot answer it.
    mps = lifecycle.login("reviewer@mps")
    assert lifecycle.client.get(f"/v1/agreements/{aid}", headers=mps).status_code == 404
    assert lifecycle.client.get(f"/v1/tasks/{task['id']}", headers=mps).status_code == 404
    assert lifecycle.tasks("reviewer@mps", aid) == []
    assert lifecycle.decide("reviewer@mps", task["id"], "AGREE").status_code == 404
    # Another province does not see it either, nor its tasks.
    danang = lifecycle.login("officer@da-nang")
    assert lifecycle.client.get(f"/v1/agreements/{aid}", headers=danang).status_code == 404
    assert lifecycle.client.get(f"/v1/agreements/{aid}/timeline", headers=danang).status_code == 404
    # The province's officer cannot answer a consultation it is not assigned.
    assert lifecycle.decide("officer@ha-noi", task["id"], "AGREE").status_code == 404
    # The consulted body attaches its written opinion (and only that).
    r = lifecycle.client.post(
        f"/v1/agreements/{aid}/documents",
        data={"kind": "OPINION", "language": "vi"},
        files={"file": ("y-kien.pdf", PDF + b"opinion", "application/pdf")},
        headers=mofa,
    )
    assert r.status_code == 201, r.text
    r = lifecycle.decide("reviewer@mofa", task["id"], "AGREE", document_ids=[r.json()["id"]])
    assert r.status_code == 200, r.text
    assert r.json()["task"]["document_ids"]


def test_bad_answers_get_clear_problems_in_the_callers_language(lifecycle: Lifecycle) -> None:
    aid = lifecycle.submit_new()
    [task] = lifecycle.wait_tasks("reviewer@mofa", aid, "CONSULTATION")
    vi = lifecycle.login("reviewer@mofa", lang="vi")
    cases = [
        ({"outcome": "APPROVE"}, 422, "outcome"),
        ({"outcome": "NONSENSE"}, 422, "outcome"),
        ({"outcome": "DISAGREE"}, 422, "comment"),
        ({"outcome": "AGREE", "document_ids": ["nope"]}, 422, "document_ids.0"),
        ({"outcome": "AGREE", "extra": 1}, 422, "extra"),
    ]
    for body, status, field in cases:
        r = lifecycle.client.post(f"/v1/tasks/{task['id']}/decision", json=body, headers=vi)
        assert r.status_code == status, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in r.json()["errors"]], r.json()
    r = lifecycle.client.post(f"/v1/tasks/{task['id']}/decision", content=b"{", headers=vi)
    assert r.status_code == 422
    r = lifecycle.client.post("/v1/tasks/unknown/decision", json={"outcome": "AGREE"}, headers=vi)
    assert r.status_code == 404 and "Không tìm thấy" in r.json()["detail"]
    # Claims: whoever holds the task answers it; a colleague waits or takes it over.
    url = f"/v1/tasks/{task['id']}"
    assert lifecycle.client.post(f"{url}/claim", headers=vi).status_code == 200
    colleague = lifecycle.login("reviewer2@mofa")
    r = lifecycle.client.post(f"{url}/claim", headers=colleague)
    assert r.status_code == 409 and "reviewer@mofa" in r.json()["detail"]
    r = lifecycle.decide("reviewer2@mofa", task["id"], "AGREE")
    assert r.status_code == 409 and "reviewer@mofa" in r.json()["detail"]
    # The workflow's validator refuses it too, whatever way a request reaches it.
    assert _decide_in_workflow(lifecycle, aid, task["id"], "reviewer2@mofa") == "task_claimed"
    r = lifecycle.client.delete(f"{url}/claim", headers=colleague)
    assert r.status_code == 409  # only its holder, the supervisor or an administrator
    r = lifecycle.client.post(f"{url}/takeover", headers=colleague)
    assert r.status_code == 200 and r.json()["claimed_by"] == "reviewer2@mofa"
    assert lifecycle.decide("reviewer@mofa", task["id"], "AGREE").status_code == 409
    steps = lifecycle.client.get(f"/v1/agreements/{aid}/timeline", headers=vi).json()["steps"]
    [taken] = [s for s in steps if s["event"] == "task.taken_over"]
    assert taken["actor"] == "reviewer2@mofa"
    assert taken["detail"]["taken_over_from"] == "reviewer@mofa"
    # The body's supervisor may release anyone's claim (and always answer for the body).
    supervisor = lifecycle.login("supervisor@mofa")
    r = lifecycle.client.delete(f"{url}/claim", headers=supervisor)
    assert r.status_code == 200 and r.json()["claimed_by"] is None
    assert lifecycle.decide("reviewer@mofa", task["id"], "AGREE").status_code == 200
    assert lifecycle.decide("reviewer@mofa", task["id"], "AGREE").status_code == 409
    # Signing before approval, and a copy nobody owes.
    officer = lifecycle.login("officer@ha-noi")
    r = lifecycle.client.post(f"/v1/agreements/{aid}/copy-delivered", json={}, headers=officer)
    assert r.status_code == 409
    r = lifecycle.client.post(
        f"/v1/agreements/{aid}/signing",
        json={
            "signed_on": today().isoformat(),
            "place": "Hà Nội",
            "signatories": [
                {"side": "VIETNAMESE", "name": "A", "title": "B"},
                {"side": "FOREIGN", "name": "C", "title": "D"},
            ],
        },
        headers=officer,
    )
    assert r.status_code == 409 and r.json()["type"].endswith("not-approved")


def test_timeline_tells_every_step_with_who_when_deadline_and_whether_it_was_met(
    lifecycle: Lifecycle,
) -> None:
    aid = lifecycle.submit_new()
    lifecycle.consult_all(aid)
    lifecycle.approve(aid)
    r = lifecycle.client.get(
        f"/v1/agreements/{aid}/timeline", headers=lifecycle.login("officer@ha-noi", "vi")
    )
    steps = r.json()["steps"]
    by_event = {s["event"]: s for s in steps}
    answered = by_event["consultation.answered"]
    assert answered["actor"] == "reviewer@mofa" and answered["met"] is True
    assert answered["due"] and answered["label"] == "Có ý kiến"
    assert answered["detail"]["body_name"] == "Bộ Ngoại giao"
    assert by_event["agreement.approved"]["actor"] == "leader@ha-noi"
    assert by_event["agreement.submitted"]["actor"] == "officer@ha-noi"
    assert [s["at"] for s in steps] == sorted(s["at"] for s in steps)
    requested_at = datetime.fromisoformat(by_event["consultation.requested"]["at"])
    due = working_days_deadline(default_calendar(), requested_at, 7)
    assert datetime.fromisoformat(by_event["consultation.requested"]["due"]) == due


def test_events_delivered_again_change_nothing(lifecycle: Lifecycle) -> None:
    aid = lifecycle.submit_new()
    [task] = lifecycle.wait_tasks("reviewer@mofa", aid, "CONSULTATION")
    before = lifecycle.event_names(aid, "consultation.requested")
    # The relay publishes this agreement's events again (as an operator's replay does after
    # the broker lost its data): the bridge sees agreement.submitted a second time and
    # signals the running workflow, which ignores the event id it has already seen.
    db = Database(lifecycle.settings.database_url, pool_size=1)
    try:
        with db.write_session() as session:
            session.exec(
                update(OutboxEvent)
                .where(col(OutboxEvent.agreement_id) == aid)
                .values(published_at=None)
            )
            session.commit()
    finally:
        db.dispose()
    until(
        lambda: lifecycle.event_names(aid, "agreement.submitted").count("agreement.submitted") == 2,
        20,
        "the submission on Kafka a second time",
    )
    time.sleep(2)  # room for the bridge and the workflow to react, if they wrongly would
    assert [t["id"] for t in lifecycle.tasks("reviewer@mofa", aid)] == [task["id"]]
    after = lifecycle.event_names(aid, "consultation.requested")
    assert len(after) == 2 * len(before)  # the same events twice, and nothing new


def _decide_in_workflow(lifecycle: Lifecycle, agreement_id: str, task_id: str, who: str) -> str:
    """An answer sent to the workflow directly, past every route: its refusal's type."""
    from temporalio.client import WorkflowUpdateFailedError
    from temporalio.exceptions import ApplicationError

    from common.temporal import connect
    from workflows.lifecycle import contracts as c

    async def send() -> str:
        client = await connect(lifecycle.settings)
        handle = client.get_workflow_handle(c.workflow_id(agreement_id))
        actor = c.Actor(subject=who, role=Role.REVIEWER, org="mofa")
        try:
            await handle.execute_update(
                c.UPDATE_DECIDE, c.Decide(task_id=task_id, outcome="AGREE", actor=actor)
            )
        except WorkflowUpdateFailedError as exc:
            assert isinstance(exc.cause, ApplicationError)
            return str(exc.cause.type)
        return "accepted"

    return asyncio.run(send())
