"""The procedure is right to the law where a legal review found gaps (issue "Right to the
law"): each test acts through the API as the people concerned do."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from common.law.calendar import TZ
from tests.e2e.conftest import Lifecycle, today
from tests.helpers import PDF, dossier_files, text_pdf


def test_the_council_s_own_agreements_are_decided_by_the_council_s_chairman(
    lifecycle: Lifecycle,
) -> None:
    agreement_id = lifecycle.submit_new(signatory_level="PROVINCIAL_COUNCIL")
    lifecycle.consult_all(agreement_id)
    [decision] = lifecycle.wait_tasks("council@ha-noi", agreement_id, "DECISION")
    assert decision["assignee"]["role"] == "council_chair"
    # The Committee's Chairman has no such task and cannot answer it.
    assert lifecycle.tasks("leader@ha-noi", agreement_id, kind="DECISION") == []
    refused = lifecycle.decide("leader@ha-noi", decision["id"], "APPROVE", "Đồng ý")
    assert refused.status_code in (403, 404), refused.text
    r = lifecycle.decide("council@ha-noi", decision["id"], "APPROVE", "Đồng ý ký kết")
    assert r.status_code == 200, r.text
    assert r.json()["agreement_status"] == "APPROVED"


def test_the_committee_s_agreements_stay_with_the_committee_s_chairman(
    lifecycle: Lifecycle,
) -> None:
    agreement_id = lifecycle.submit_new(signatory_level="DEPARTMENT")
    lifecycle.consult_all(agreement_id)
    assert lifecycle.tasks("council@ha-noi", agreement_id, kind="DECISION") == []
    lifecycle.approve(agreement_id)


def _approved_with_texts(lifecycle: Lifecycle, vi: bytes, ko: bytes) -> str:
    """An agreement approved on texts whose words can be read (PDF text layers)."""
    files = [
        (kind, lang, name, content)
        for kind, lang, name, content in dossier_files()
        if kind != "DRAFT_TEXT"
    ]
    files += [
        ("DRAFT_TEXT", "vi", "du-thao-vi.pdf", vi),
        ("DRAFT_TEXT", "ko", "du-thao-ko.pdf", ko),
    ]
    agreement_id = lifecycle.submit_new(files=files)
    lifecycle.consult_all(agreement_id)
    lifecycle.approve(agreement_id)
    lifecycle.wait_tasks("officer@ha-noi", agreement_id, "SIGNING")
    return agreement_id


def _signing_body(**extra: Any) -> dict[str, Any]:
    return {
        "signed_on": today().isoformat(),
        "place": "Hà Nội",
        "signatories": [
            {"side": "VIETNAMESE", "name": "Nguyễn Văn A", "title": "Chủ tịch UBND"},
            {"side": "FOREIGN", "name": "Kim Min-jun", "title": "Mayor"},
        ],
    } | extra


def _sign(lifecycle: Lifecycle, agreement_id: str, **extra: Any) -> Any:
    return lifecycle.client.post(
        f"/v1/agreements/{agreement_id}/signing",
        json=_signing_body(**extra),
        headers=lifecycle.login("officer@ha-noi", "vi"),
    )


def test_an_agreement_is_not_signed_before_its_decision(lifecycle: Lifecycle) -> None:
    agreement_id = lifecycle.submit_new()
    lifecycle.consult_all(agreement_id)
    lifecycle.approve(agreement_id)
    lifecycle.wait_tasks("officer@ha-noi", agreement_id, "SIGNING")
    for kind, lang, name, content in dossier_files():
        if kind == "DRAFT_TEXT":
            signed = content + agreement_id.encode()
            lifecycle.upload("officer@ha-noi", agreement_id, "SIGNED_TEXT", lang, name, signed)
    decided_on = datetime.fromisoformat(lifecycle.agreement(agreement_id)["decided_at"])
    decided_on_local = decided_on.astimezone(TZ).date()
    r = _sign(lifecycle, agreement_id, signed_on=(decided_on_local - timedelta(days=3)).isoformat())
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert (error["field"], error["rule"]) == ("signed_on", "signed_before_decision")
    assert decided_on_local.isoformat() in error["message"]
    r = _sign(lifecycle, agreement_id, signed_on=(today() + timedelta(days=1)).isoformat())
    assert r.status_code == 422, r.text
    assert {e["rule"] for e in r.json()["errors"]} == {"date_in_future"}
    assert _sign(lifecycle, agreement_id).status_code == 200


def test_every_language_is_signed_and_a_re_export_with_the_same_words_passes(
    lifecycle: Lifecycle,
) -> None:
    vi = text_pdf("Dieu 1. Hai ben hop tac ve giao duc. Dieu 2. Thoi han ba nam.")
    ko = text_pdf("Article 1. Education cooperation. Article 2. Three years.")
    agreement_id = _approved_with_texts(lifecycle, vi, ko)
    # Only the Vietnamese version signed: the Korean one is missing.
    rescanned = text_pdf(
        "Dieu 1. Hai ben hop tac ve giao duc.  Dieu 2. Thoi han ba nam.", creator="scanner"
    )
    lifecycle.upload("officer@ha-noi", agreement_id, "SIGNED_TEXT", "vi", "ky-vi.pdf", rescanned)
    r = _sign(lifecycle, agreement_id)
    assert r.status_code == 422, r.text
    assert {(e["field"], e["rule"]) for e in r.json()["errors"]} == {
        ("documents", "signed_text_missing")
    }
    # The Korean version signed as approved, byte for byte (the upload carried the id too).
    same = ko + agreement_id.encode()
    lifecycle.upload("officer@ha-noi", agreement_id, "SIGNED_TEXT", "ko", "ky-ko.pdf", same)
    r = _sign(lifecycle, agreement_id)
    assert r.status_code == 200, r.text
    events = lifecycle.events(agreement_id, last="agreement.signed")
    [signed] = [e for e in events if e.name == "agreement.signed"]
    assert signed.data["text_matches"] == {"vi": "SAME_TEXT", "ko": "IDENTICAL"}


def test_a_signed_version_with_other_words_is_refused_naming_its_language(
    lifecycle: Lifecycle,
) -> None:
    vi = text_pdf("Dieu 1. Hai ben hop tac ve giao duc. Dieu 2. Thoi han ba nam.")
    ko = text_pdf("Article 1. Education cooperation. Article 2. Three years.")
    agreement_id = _approved_with_texts(lifecycle, vi, ko)
    changed = text_pdf("Article 1. Education cooperation. Article 2. Five years.", creator="x")
    lifecycle.upload("officer@ha-noi", agreement_id, "SIGNED_TEXT", "vi", "ky-vi.pdf", vi)
    lifecycle.upload("officer@ha-noi", agreement_id, "SIGNED_TEXT", "ko", "ky-ko.pdf", changed)
    r = _sign(lifecycle, agreement_id)
    assert r.status_code == 409, r.text
    errors = r.json()["errors"]
    assert [(e["field"], e["rule"]) for e in errors] == [
        ("documents.SIGNED_TEXT.ko", "text_different")
    ]
    # Acknowledged: back to consultation, on the changed text.
    r = _sign(lifecycle, agreement_id, acknowledge_text_changed=True)
    assert r.status_code == 200, r.text
    lifecycle.wait_status(agreement_id, "IN_CONSULTATION")


def test_a_changed_draft_text_is_consulted_again_by_every_body_that_gave_its_opinion(
    lifecycle: Lifecycle,
) -> None:
    aid = lifecycle.submit_new(signatory_level="DEPARTMENT", touches=["investment"])
    tasks = {
        t["assignee"]["org"]: t
        for t in lifecycle.wait_tasks("admin@system", aid, "CONSULTATION", 2)
    }
    # The foreign-affairs body agrees; the Ministry of Finance asks for a supplement.
    body = "ha-noi.foreign-affairs"
    r = lifecycle.decide(f"reviewer@{body}", tasks[body]["id"], "AGREE", "Nhất trí")
    assert r.status_code == 200, r.text
    r = lifecycle.decide("reviewer@mof", tasks["mof"]["id"], "REQUEST_SUPPLEMENT", "Bổ sung")
    assert r.status_code == 200, r.text
    lifecycle.wait_status(aid, "RETURNED")
    # The province changes the Vietnamese draft text and resubmits.
    lifecycle.upload("officer@ha-noi", aid, "DRAFT_TEXT", "vi", "du-thao-2.pdf", PDF + b"v2")
    lifecycle.submit("officer@ha-noi", aid)
    asked = {
        t["assignee"]["org"]: t
        for t in lifecycle.wait_tasks("admin@system", aid, "CONSULTATION", 2)
        if t["round"] == 2
    }
    # Both are asked again on the new text, the one that had agreed too.
    assert set(asked) == {body, "mof"}
    assert asked[body]["id"] != tasks[body]["id"]
    steps = lifecycle.client.get(
        f"/v1/agreements/{aid}/timeline", headers=lifecycle.login("officer@ha-noi", "en")
    ).json()["steps"]
    earlier = [s for s in steps if s["event"] == "consultation.answered" and s["body"] == body]
    assert earlier and earlier[0]["detail"].get("earlier_text") is True


def test_a_provincial_agreement_owes_a_report_to_the_prime_minister_with_its_copy(
    lifecycle: Lifecycle,
) -> None:
    aid = lifecycle.submit_new()
    lifecycle.consult_all(aid)
    lifecycle.approve(aid)
    lifecycle.wait_tasks("officer@ha-noi", aid, "SIGNING")
    assert lifecycle.sign(aid).status_code == 200
    duties = {t["duty"]: t for t in lifecycle.wait_tasks("officer@ha-noi", aid, "COPY_DELIVERY", 2)}
    assert set(duties) == {"COPY", "REPORT"}
    assert duties["REPORT"]["due_at"] == duties["COPY"]["due_at"]
    # With two duties owed, the delivery must say which.
    r = lifecycle.client.post(
        f"/v1/agreements/{aid}/copy-delivered",
        json={"note": "Công văn 1"},
        headers=lifecycle.login("officer@ha-noi", "vi"),
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "duty"
    r = lifecycle.client.post(
        f"/v1/agreements/{aid}/copy-delivered",
        json={"duty": "REPORT", "note": "Báo cáo số 12/BC-UBND"},
        headers=lifecycle.login("officer@ha-noi"),
    )
    assert r.status_code == 200, r.text
    receipt = r.json()["receipt"]
    assert receipt["assignee"]["org"] == "pm-office" and receipt["duty"] == "REPORT"
    # The Prime Minister's office acknowledges it from its own inbox.
    [task] = lifecycle.wait_tasks("pm@office", aid, "COPY_RECEIPT")
    r = lifecycle.decide("pm@office", task["id"], "RECEIVED")
    assert r.status_code == 200, r.text
    names = lifecycle.event_names(aid, "agreement.copy_received")
    received = [
        e
        for e in lifecycle.events(aid, last="agreement.copy_received")
        if e.name == "agreement.copy_received"
    ]
    assert [e.data["duty"] for e in received] == ["REPORT"]
    assert "agreement.copy_delivered" in names
    # The copy is still owed to the Ministry.
    assert [t["duty"] for t in lifecycle.tasks("officer@ha-noi", aid, kind="COPY_DELIVERY")] == [
        "COPY"
    ]


def test_a_department_s_agreement_owes_no_report_to_the_prime_minister(
    lifecycle: Lifecycle,
) -> None:
    aid = lifecycle.submit_new(signatory_level="DEPARTMENT")
    lifecycle.consult_all(aid)
    lifecycle.approve(aid)
    lifecycle.wait_tasks("officer@ha-noi", aid, "SIGNING")
    assert lifecycle.sign(aid).status_code == 200
    [copy] = lifecycle.wait_tasks("officer@ha-noi", aid, "COPY_DELIVERY")
    assert copy["duty"] == "COPY"


def _in_force(lifecycle: Lifecycle, **draft: Any) -> str:
    aid = lifecycle.submit_new(signatory_level="DEPARTMENT", **draft)
    lifecycle.consult_all(aid)
    lifecycle.approve(aid)
    lifecycle.wait_tasks("officer@ha-noi", aid, "SIGNING")
    assert lifecycle.sign(aid, effective_from=today().isoformat()).status_code == 200
    lifecycle.wait_status(aid, "IN_FORCE")
    return aid


def _run_case(lifecycle: Lifecycle, aid: str, kind: str, summary: str) -> str:
    r = lifecycle.client.post(
        f"/v1/agreements/{aid}/terminations",
        json={"kind": kind, "effective_on": today().isoformat(), "summary": summary},
        headers=lifecycle.login("officer@ha-noi"),
    )
    assert r.status_code == 201, r.text
    case = r.json()["id"]
    lifecycle.upload("officer@ha-noi", case, "PROPOSAL", "vi", "to-trinh.pdf", PDF + kind.encode())
    lifecycle.submit("officer@ha-noi", case)
    lifecycle.consult_all(case)
    lifecycle.approve(case)
    return str(case)


def test_a_suspension_ends_by_a_resumption_and_the_agreement_is_in_force_again(
    lifecycle: Lifecycle,
) -> None:
    aid = _in_force(lifecycle)
    _run_case(lifecycle, aid, "SUSPENSION", "Tạm dừng do dịch bệnh")
    lifecycle.wait_status(aid, "SUSPENDED")
    # A resumption is open on a suspended agreement only: the same decider decides it.
    resumption = _run_case(lifecycle, aid, "RESUMPTION", "Dịch bệnh đã được kiểm soát")
    lifecycle.wait_status(aid, "IN_FORCE")
    assert lifecycle.agreement(resumption)["case_kind"] == "RESUMPTION"
    names = lifecycle.event_names(aid, "agreement.resumed")
    assert names.index("agreement.terminated") < names.index("agreement.resumed")
    # The resumption owes the Ministry its notice, like the suspension it ends.
    [notice] = lifecycle.wait_tasks("officer@ha-noi", resumption, "COPY_DELIVERY")
    assert notice["duty"] == "NOTICE"


def test_a_mandatory_termination_is_opened_by_the_ministry_with_its_reason(
    lifecycle: Lifecycle,
) -> None:
    aid = _in_force(lifecycle)
    body = {
        "kind": "TERMINATION",
        "effective_on": today().isoformat(),
        "summary": "Việc thực hiện vi phạm nguyên tắc của Luật Thỏa thuận quốc tế (Điều 34)",
        "mandatory": True,
    }
    # The province's officer may end it, but not as the mandatory termination of Art. 34.
    r = lifecycle.client.post(
        f"/v1/agreements/{aid}/terminations", json=body, headers=lifecycle.login("officer@ha-noi")
    )
    assert r.status_code == 403, r.text
    # Another province's leader learns nothing of it.
    r = lifecycle.client.post(
        f"/v1/agreements/{aid}/terminations", json=body, headers=lifecycle.login("leader@da-nang")
    )
    assert r.status_code == 404, r.text
    r = lifecycle.client.post(
        f"/v1/agreements/{aid}/terminations", json=body, headers=lifecycle.login("reviewer@mofa")
    )
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["mandatory"] is True and case["status"] == "SUBMITTED"
    assert case["created_by"] == "reviewer@mofa" and "Điều 34" in case["summary"]
    # It runs the procedure at once: consultation, then the decider.
    lifecycle.consult_all(case["id"])
    lifecycle.approve(case["id"])
    lifecycle.wait_status(aid, "TERMINATED")
