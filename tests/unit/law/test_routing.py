"""The procedure's pure rules (domain.md §2.2): who is consulted, when the PM is asked, who
decides, who receives the copy."""

from __future__ import annotations

import pytest

from common.auth import Role
from common.law.routing import (
    Assignee,
    consulted_bodies,
    copy_recipient,
    decider,
    needs_pm_opinion,
)
from common.law.vocabulary import COMMENT_REQUIRED, OUTCOMES, Outcome, TaskKind


def test_provincial_level_always_consults_the_ministry_of_foreign_affairs() -> None:
    for level in ("PROVINCIAL_COUNCIL", "PROVINCIAL_COMMITTEE"):
        assert consulted_bodies(signatory_level=level, province="ha-noi") == ["mofa"]


@pytest.mark.parametrize(
    ("touches", "expected"),
    [
        (["security"], ["mofa", "mps"]),
        (["defence"], ["mofa", "mod"]),
        (["border"], ["mofa", "mps", "mod"]),
        (["investment"], ["mofa"]),
        (["security", "defence"], ["mofa", "mps", "mod"]),
    ],
)
def test_provincial_level_adds_security_ministries_for_security_defence_border(
    touches: list[str], expected: list[str]
) -> None:
    got = consulted_bodies(
        signatory_level="PROVINCIAL_COMMITTEE", province="ha-noi", touches=touches
    )
    assert got == expected


def test_department_goes_to_the_provincial_foreign_affairs_body_and_by_content() -> None:
    got = consulted_bodies(
        signatory_level="DEPARTMENT",
        province="da-nang",
        touches=["security", "investment", "sensitive"],
    )
    assert got == ["da-nang.foreign-affairs", "mps", "mof", "mofa"]
    assert consulted_bodies(signatory_level="PROVINCIAL_ORG", province="hue") == [
        "hue.foreign-affairs"
    ]


def test_border_commune_consults_police_military_and_border_guard_through_foreign_affairs() -> None:
    assert consulted_bodies(signatory_level="BORDER_COMMUNE", province="lao-cai") == [
        "lao-cai.foreign-affairs",
        "lao-cai.police",
        "lao-cai.military",
        "lao-cai.border-guard",
    ]


def test_related_bodies_are_added_once_and_unknown_ones_refused() -> None:
    got = consulted_bodies(
        signatory_level="PROVINCIAL_COMMITTEE",
        province="ha-noi",
        related_bodies=["moet", "mofa", "moet"],
    )
    assert got == ["mofa", "moet"]
    with pytest.raises(ValueError, match="unknown consulted bodies"):
        consulted_bodies(signatory_level="DEPARTMENT", province="nowhere")


def test_only_a_provincial_level_disagreement_goes_to_the_prime_minister() -> None:
    assert needs_pm_opinion("PROVINCIAL_COMMITTEE", ["AGREE", "DISAGREE"])
    assert needs_pm_opinion("PROVINCIAL_COUNCIL", [Outcome.DISAGREE])
    assert not needs_pm_opinion("PROVINCIAL_COMMITTEE", ["AGREE", "AGREE_WITH_COMMENTS"])
    for level in ("DEPARTMENT", "BORDER_COMMUNE", "PROVINCIAL_ORG"):
        assert not needs_pm_opinion(level, ["DISAGREE"])


def test_each_level_has_its_decider_and_copies_go_by_level() -> None:
    # The Council's Chairman decides the Council's own agreements.
    assert decider("PROVINCIAL_COUNCIL", "can-tho") == Assignee(Role.COUNCIL_CHAIR, "can-tho")
    # The Committee's Chairman decides for the Committee, departments and border communes.
    for level in ("PROVINCIAL_COMMITTEE", "DEPARTMENT", "BORDER_COMMUNE", "PROVINCIAL_ORG"):
        assert decider(level, "can-tho") == Assignee(Role.PROVINCIAL_LEADER, "can-tho")
    # Provincial bodies of organisations: whoever the setting names.
    assert decider(
        "PROVINCIAL_ORG", "can-tho", provincial_org_decider=Role.COUNCIL_CHAIR
    ) == Assignee(Role.COUNCIL_CHAIR, "can-tho")
    assert (
        copy_recipient("PROVINCIAL_COMMITTEE", "can-tho", to_mofa_for_all_levels=False).org
        == "mofa-registry"
    )
    assert (
        copy_recipient("DEPARTMENT", "can-tho", to_mofa_for_all_levels=False).org
        == "can-tho.foreign-affairs"
    )
    assert copy_recipient("DEPARTMENT", "can-tho", to_mofa_for_all_levels=True).org == (
        "mofa-registry"
    )


def test_each_task_kind_allows_its_own_outcomes_and_reasons_are_owed() -> None:
    assert OUTCOMES[TaskKind.CONSULTATION] == {
        Outcome.AGREE,
        Outcome.AGREE_WITH_COMMENTS,
        Outcome.DISAGREE,
        Outcome.REQUEST_SUPPLEMENT,
    }
    assert OUTCOMES[TaskKind.PM_OPINION] == {Outcome.CONSENT, Outcome.REFUSE}
    assert OUTCOMES[TaskKind.DECISION] == {Outcome.APPROVE, Outcome.REJECT}
    assert OUTCOMES[TaskKind.COPY_RECEIPT] == {Outcome.RECEIVED}
    assert {Outcome.DISAGREE, Outcome.REJECT, Outcome.REFUSE} <= COMMENT_REQUIRED
    assert Outcome.AGREE not in COMMENT_REQUIRED
