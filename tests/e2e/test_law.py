"""The procedure is right to the law where a legal review found gaps (issue "Right to the
law"): each test acts through the API as the people concerned do."""

from __future__ import annotations

from tests.e2e.conftest import Lifecycle


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
