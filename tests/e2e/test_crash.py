"""Workers killed with SIGKILL in the middle of a consultation: after restart the lifecycle
completes, and no task, opinion or event exists twice."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import pytest

from .conftest import Lifecycle, today

pytestmark = pytest.mark.integration


def test_workers_killed_mid_consultation_lose_nothing_and_double_nothing(
    lifecycle: Lifecycle,
) -> None:
    aid = lifecycle.submit_new(touches=["security"])
    tasks = {
        t["assignee"]["org"]: t
        for t in lifecycle.wait_tasks("admin@system", aid, "CONSULTATION", 2)
    }

    # An opinion is on its way through the workflow when the agreements worker (the workflow
    # and its steps, one process) dies.
    answer: dict[str, Any] = {}

    def give_opinion() -> None:
        answer["response"] = lifecycle.decide("reviewer@mofa", tasks["mofa"]["id"], "AGREE")

    sender = threading.Thread(target=give_opinion)
    sender.start()
    time.sleep(0.05)
    lifecycle.kill("activities")
    time.sleep(1)
    lifecycle.start("activities")
    sender.join(60)
    # The request either got its answer, or was told to retry; then a retry is refused as
    # already answered. Either way the opinion is recorded once.
    first = answer["response"]
    if first.status_code != 200:
        assert first.status_code == 503, first.text
        retry = lifecycle.decide("reviewer@mofa", tasks["mofa"]["id"], "AGREE")
        assert retry.status_code in (200, 409), retry.text

    # The other body answers after the restart; the procedure goes on to the end.
    r = lifecycle.decide("reviewer@mps", tasks["mps"]["id"], "AGREE", "Đồng ý")
    assert r.status_code == 200, r.text
    lifecycle.approve(aid)
    assert lifecycle.sign(aid, effective_from=today().isoformat()).status_code == 200
    delivered = lifecycle.deliver_copy(aid, duty="COPY")
    assert (
        lifecycle.decide("registry@mofa", delivered["receipt"]["id"], "RECEIVED").status_code == 200
    )
    lifecycle.wait_status(aid, "IN_FORCE")

    done = lifecycle.tasks("admin@system", aid, status="DONE", limit=50)
    kinds = Counter(t["kind"] for t in done)
    assert kinds == Counter(
        {"CONSULTATION": 2, "DECISION": 1, "SIGNING": 1, "COPY_DELIVERY": 1, "COPY_RECEIPT": 1}
    )
    events = lifecycle.events(aid, last="agreement.copy_received")
    names = Counter(e.name for e in events)
    assert names["consultation.requested"] == 2
    assert names["consultation.answered"] == 2
    for once in ("agreement.submitted", "decision.requested", "agreement.approved"):
        assert names[once] == 1, (once, names)
    assert len({e.id for e in events}) == len(events)


def test_a_submission_the_bridge_never_saw_is_started_by_the_watchdog(
    lifecycle: Lifecycle,
) -> None:
    # The bridge is down (as if the broker had lost the event): nobody starts the workflow...
    lifecycle.stop("bridge")
    try:
        aid = lifecycle.submit_new()
        assert lifecycle.agreement(aid)["status"] == "SUBMITTED"
        # ...until the agreements service's periodic check finds it still SUBMITTED.
        [task] = lifecycle.wait_tasks("reviewer@mofa", aid, "CONSULTATION", timeout_s=30)
        assert task["round"] == 1
        assert lifecycle.agreement(aid)["status"] == "IN_CONSULTATION"
    finally:
        lifecycle.start("bridge")
    # The bridge, back, sees the same submission and changes nothing.
    time.sleep(3)
    names = Counter(e.name for e in lifecycle.events(aid, last="consultation.requested"))
    assert names["consultation.requested"] == 1
