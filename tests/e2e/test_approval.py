"""The procedure end to end, through HTTP, Kafka and the real Temporal dev server."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Lifecycle, today

pytestmark = pytest.mark.integration

# Each signatory level with a draft that is valid for it, and the bodies the law consults.
LEVELS: dict[str, tuple[str, dict[str, Any], list[str]]] = {
    "PROVINCIAL_COMMITTEE": ("officer@ha-noi", {}, ["mofa"]),
    "PROVINCIAL_COUNCIL": ("officer@ha-noi", {"touches": ["defence"]}, ["mofa", "mod"]),
    "DEPARTMENT": (
        "officer@ha-noi",
        {"touches": ["investment"], "related_bodies": ["moet"]},
        ["ha-noi.foreign-affairs", "mof", "moet"],
    ),
    "BORDER_COMMUNE": (
        "officer@lang-son",
        {
            "foreign_party": {
                "name": "Nhân dân trấn Hữu Nghị Quan",
                "country": "CN",
                "type": "LOCAL_GOVERNMENT",
            },
            "languages": ["vi", "zh"],
        },
        [
            "lang-son.foreign-affairs",
            "lang-son.police",
            "lang-son.military",
            "lang-son.border-guard",
        ],
    ),
    "PROVINCIAL_ORG": ("officer@ha-noi", {}, ["ha-noi.foreign-affairs"]),
}


@pytest.mark.parametrize("level", list(LEVELS))
def test_standard_approval_runs_from_submission_to_force_for_each_level(
    lifecycle: Lifecycle, level: str
) -> None:
    officer, draft, bodies = LEVELS[level]
    province = officer.split("@")[1]
    aid = lifecycle.submit_new(officer, signatory_level=level, **draft)

    tasks = lifecycle.wait_tasks("admin@system", aid, "CONSULTATION", len(bodies))
    assert sorted(t["assignee"]["org"] for t in tasks) == sorted(bodies)
    assert all(t["due_at"] and t["working_days_left"] == 7 for t in tasks)
    assert lifecycle.agreement(aid)["status"] == "IN_CONSULTATION"

    lifecycle.consult_all(aid, count=len(bodies))
    decider = "council" if level == "PROVINCIAL_COUNCIL" else "leader"
    lifecycle.approve(aid, province, decider)
    assert lifecycle.wait_tasks(officer, aid, "SIGNING")
    r = lifecycle.sign(aid, officer, effective_from=today().isoformat(), term_months=24)
    assert r.status_code == 200, r.text
    # Effective today: the in-force step may already have followed the signing.
    assert r.json()["status"] in ("SIGNED", "IN_FORCE")
    assert r.json()["signed_on"] == today().isoformat()
    assert r.json()["copy_due_on"]

    delivered = lifecycle.deliver_copy(aid, officer, "COPY")
    provincial = level in ("PROVINCIAL_COMMITTEE", "PROVINCIAL_COUNCIL")
    if provincial:  # the report to the Prime Minister, owed with the copy (Art. 19)
        report = lifecycle.deliver_copy(aid, officer, "REPORT")
        assert report["receipt"]["assignee"]["org"] == "pm-office"
        r = lifecycle.decide("pm@office", report["receipt"]["id"], "RECEIVED")
        assert r.status_code == 200, r.text
    recipient = "mofa-registry" if provincial else f"{province}.foreign-affairs"
    assert delivered["receipt"]["assignee"]["org"] == recipient
    receiver = "registry@mofa" if recipient == "mofa-registry" else f"reviewer@{recipient}"
    r = lifecycle.decide(receiver, delivered["receipt"]["id"], "RECEIVED")
    assert r.status_code == 200, r.text
    assert lifecycle.wait_status(aid, "IN_FORCE")["copy_received_at"]

    names = lifecycle.event_names(aid, "agreement.copy_received")
    assert names.count("consultation.requested") == len(bodies)
    assert names.count("consultation.answered") == len(bodies)
    for step in (
        "agreement.submitted",
        "decision.requested",
        "agreement.approved",
        "agreement.signed",
        "agreement.in_force",
    ):
        assert names.count(step) == 1, (step, names)
    assert names.count("agreement.copy_delivered") == (2 if provincial else 1)
    assert names.index("agreement.approved") < names.index("agreement.signed")
    lifecycle.record_history(aid, f"approval-{level.lower()}")
