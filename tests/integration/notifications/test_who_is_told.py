"""Each event type reaches exactly the right people, once, in their own language, in the
inbox and by e-mail; drafting events reach nobody in the app."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from common.events.types import EventType
from tests.integration.notifications.conftest import Service, wait_until
from tests.unit.notifications.samples import event

pytestmark = pytest.mark.integration

PROVINCE = "lang-son"
BODY = "mofa"
OFFICERS = {f"officer@{PROVINCE}": "vi", f"officer2@{PROVINCE}": "en"}
REVIEWERS = {f"reviewer@{BODY}": "vi", f"reviewer2@{BODY}": "en"}

# The specification (issue #4 and the project's decision), written out independently of
# services/notifications/domain/audience.py.
E = EventType
EXPECTED: dict[str, dict[str, str]] = {
    E.CONSULTATION_REQUESTED: REVIEWERS,
    E.CONSULTATION_REMINDER: REVIEWERS,
    E.CONSULTATION_OVERDUE: REVIEWERS | {f"supervisor@{BODY}": "vi"},
    E.CONSULTATION_ANSWERED: OFFICERS,
    E.AGREEMENT_RETURNED: OFFICERS,
    E.PM_OPINION_REQUESTED: {"pm@office": "vi"},
    E.PM_OPINION_OVERDUE: {"pm@office": "vi"},
    E.PM_OPINION_GIVEN: OFFICERS,
    E.DECISION_REQUESTED: {f"leader@{PROVINCE}": "vi"},
    E.AGREEMENT_APPROVED: OFFICERS,
    E.AGREEMENT_REJECTED: OFFICERS,
    E.AGREEMENT_SIGNED: OFFICERS,
    E.AGREEMENT_COPY_REMINDER: OFFICERS,
    E.AGREEMENT_COPY_DELIVERED: {"registry@mofa": "vi"},
    E.AGREEMENT_COPY_RECEIVED: OFFICERS,
    E.AGREEMENT_COPY_OVERDUE: OFFICERS,
    E.AGREEMENT_IN_FORCE: OFFICERS,
    E.AGREEMENT_PLAN_DUE: OFFICERS,
    E.AGREEMENT_EXPIRING: OFFICERS,
    E.AGREEMENT_EXPIRED: OFFICERS,
    E.AGREEMENT_AMENDED: OFFICERS,
    E.AGREEMENT_TERMINATED: OFFICERS,
    E.AGREEMENT_RESUMED: OFFICERS,
    E.AGREEMENT_DRAFTED: {},
    E.AGREEMENT_UPDATED: {},
    E.AGREEMENT_DELETED: {},
    E.DOCUMENT_ATTACHED: {},
    E.AGREEMENT_IMPORTED: {},
    E.AGREEMENT_SUBMITTED: {},
    E.AGREEMENT_TEXT_CHANGED: {},
}


def test_the_specification_covers_every_event_type() -> None:
    assert set(EXPECTED) == set(EventType)


@pytest.fixture(scope="module")
def people(service: Service) -> Service:
    """A second officer and reviewer who read English, registered by an administrator and
    choosing their language themselves."""
    admin = service.headers("admin@system")
    for subject, role, org in (
        (f"officer2@{PROVINCE}", "province_officer", PROVINCE),
        (f"reviewer2@{BODY}", "reviewer", BODY),
    ):
        r = service.client.put(
            f"/v1/recipients/{subject}",
            json={"role": role, "org": org, "name": subject, "email": f"{subject}.example.test"},
            headers=admin,
        )
        assert r.status_code in (200, 201), r.text
        from common.auth import Principal, Role

        me = service.headers_for(Principal(subject, Role(role), org))
        r = service.client.patch("/v1/preferences", json={"language": "en"}, headers=me)
        assert r.status_code == 200 and r.json()["language"] == "en", r.text
    return service


@pytest.mark.parametrize("event_type", sorted(EXPECTED))
def test_each_event_type_reaches_exactly_the_right_people_once_in_their_language(
    people: Service, event_type: str
) -> None:
    service = people
    ev = event(event_type, province=PROVINCE, body=BODY, title=f"Thỏa thuận {uuid.uuid4().hex}")
    service.publish(ev)
    service.processed(ev.id)

    rows = service.notifications(ev.id)
    expected = EXPECTED[event_type]
    assert {(n.recipient, n.language) for n in rows} == set(expected.items())
    assert len(rows) == len(expected), "someone was told twice"
    title = str(ev.data["agreement"]["title"] if "agreement" in ev.data else ev.data.get("title"))
    for n in rows:
        assert title in n.subject
        assert n.link == f"https://agreements.example.test/ui/agreements/{ev.subject}"
        word = "Thỏa thuận:" if n.language == "vi" else "Agreement:"
        assert word in n.body

    # The same people by e-mail (development addresses), once each, in their language.
    def mails() -> list[Any]:
        found = service.mail.for_event(ev.id)
        return found if len(found) >= len(expected) else []

    if expected:
        messages = wait_until(mails)
        addresses = sorted(str(m["To"]) for m in messages)
        assert addresses == sorted(
            f"{s}.agreements.test" if "2@" not in s else f"{s}.example.test" for s in expected
        )
        for m in messages:
            recipient = str(m["To"]).removesuffix(".agreements.test").removesuffix(".example.test")
            assert m["Content-Language"] == expected[recipient]
            assert title in str(m["Subject"])


def test_a_copy_for_the_provincial_foreign_affairs_body_reaches_its_reviewers(
    service: Service,
) -> None:
    ev = event(
        E.AGREEMENT_COPY_DELIVERED, province=PROVINCE, recipient=f"{PROVINCE}.foreign-affairs"
    )
    service.publish(ev)
    service.processed(ev.id)
    body = f"{PROVINCE}.foreign-affairs"
    assert sorted(n.recipient for n in service.notifications(ev.id)) == [
        f"reviewer2@{body}",  # every reviewer of the body (the development directory has two)
        f"reviewer@{body}",
    ]


def test_a_person_who_turned_email_off_gets_the_inbox_only(service: Service) -> None:
    me = service.headers("leader@hue")
    r = service.client.patch("/v1/preferences", json={"channels": ["inbox"]}, headers=me)
    assert r.status_code == 200 and r.json()["channels"] == ["inbox"]
    ev = event(E.DECISION_REQUESTED, province="hue")
    service.publish(ev)
    service.processed(ev.id)
    assert [n.recipient for n in service.notifications(ev.id)] == ["leader@hue"]
    assert service.mail.for_event(ev.id) == []
