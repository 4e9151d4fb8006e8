"""The workflow's real events reach the right people's inboxes, once, in their language."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import until

from .conftest import Lifecycle

pytestmark = pytest.mark.integration


def about(lifecycle: Lifecycle, user: str, aid: str, event: str) -> list[dict[str, Any]]:
    return [
        n for n in lifecycle.inbox(user) if n["agreement_id"] == aid and n["event_type"] == event
    ]


def test_people_are_told_of_their_steps_by_the_real_procedure(lifecycle: Lifecycle) -> None:
    aid = lifecycle.submit_new(title="Bản ghi nhớ hợp tác văn hóa với Busan")
    requested = until(
        lambda: about(lifecycle, "reviewer@mofa", aid, "consultation.requested"),
        20,
        "the consultation request in the Ministry's inbox",
    )
    [note] = requested
    assert note["language"] == "vi"
    assert "Bản ghi nhớ hợp tác văn hóa với Busan" in note["subject"]
    assert note["link"].endswith(f"/ui/agreements/{aid}")
    # Nobody else at another body hears of it.
    assert about(lifecycle, "reviewer@mps", aid, "consultation.requested") == []

    lifecycle.consult_all(aid)
    until(
        lambda: about(lifecycle, "officer@ha-noi", aid, "consultation.answered"),
        20,
        "the opinion in the province's inbox",
    )
    [decision] = until(
        lambda: about(lifecycle, "leader@ha-noi", aid, "decision.requested"),
        20,
        "the decision request in the leader's inbox",
    )
    assert "Busan" in decision["subject"]
    # Once each, however the events travelled.
    assert len(about(lifecycle, "reviewer@mofa", aid, "consultation.requested")) == 1
