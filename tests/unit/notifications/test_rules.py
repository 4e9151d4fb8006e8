"""Pure rules of the notifications service: who is told, what a subscriber may receive,
signatures, backoff, webhook URLs."""

from __future__ import annotations

import pytest

from common.auth import Role
from common.events.types import EventType
from services.notifications.domain.access import may_receive
from services.notifications.domain.audience import RULES, Audience, audiences, is_reminder
from services.notifications.domain.retry import backoff_delay
from services.notifications.domain.signing import sign, verify
from services.notifications.errors import InvalidInput
from services.notifications.recipients import dev_email
from services.notifications.subscriptions import check_webhook_url
from tests.unit.notifications.samples import parsed

E = EventType
REQUESTED = E.CONSULTATION_REQUESTED.value


def _audience(
    name: str, *, province: str = "ha-noi", body: str = "mofa", recipient: str = "mofa-registry"
) -> set[Audience]:
    return set(audiences(name, parsed(name, province=province, body=body, recipient=recipient)))


def test_every_event_type_has_a_rule() -> None:
    assert set(RULES) == {e.value for e in EventType}


def test_consultation_requests_and_reminders_go_to_the_consulted_bodys_reviewers() -> None:
    for name in (E.CONSULTATION_REQUESTED, E.CONSULTATION_REMINDER):
        assert _audience(name, body="ha-noi.police") == {Audience(Role.REVIEWER, "ha-noi.police")}


def test_an_overdue_consultation_escalates_to_the_supervisor_and_its_reviewers() -> None:
    assert _audience(E.CONSULTATION_OVERDUE, body="mps") == {
        Audience(Role.SUPERVISOR, "mps"),
        Audience(Role.REVIEWER, "mps"),
    }


@pytest.mark.parametrize(
    "name",
    [
        E.CONSULTATION_ANSWERED,
        E.AGREEMENT_RETURNED,
        E.AGREEMENT_APPROVED,
        E.AGREEMENT_REJECTED,
        E.AGREEMENT_COPY_REMINDER,
        E.AGREEMENT_COPY_OVERDUE,
        E.AGREEMENT_COPY_RECEIVED,
        E.AGREEMENT_SIGNED,
        E.AGREEMENT_IN_FORCE,
        E.AGREEMENT_PLAN_DUE,
        E.AGREEMENT_EXPIRING,
        E.AGREEMENT_EXPIRED,
        E.PM_OPINION_GIVEN,
        E.AGREEMENT_AMENDED,
        E.AGREEMENT_TERMINATED,
    ],
)
def test_outcomes_and_duties_go_to_the_provinces_officers(name: str) -> None:
    assert _audience(name, province="an-giang") == {Audience(Role.PROVINCE_OFFICER, "an-giang")}


def test_decisions_go_to_the_leader_and_pm_tasks_to_the_pm_office() -> None:
    assert _audience(E.DECISION_REQUESTED, province="hue") == {
        Audience(Role.PROVINCIAL_LEADER, "hue")
    }
    assert _audience(E.PM_OPINION_REQUESTED) == {Audience(Role.PM_OFFICE, "pm-office")}
    assert _audience(E.PM_OPINION_OVERDUE) == {Audience(Role.PM_OFFICE, "pm-office")}


def test_a_delivered_copy_goes_to_its_recipient() -> None:
    assert _audience(E.AGREEMENT_COPY_DELIVERED, recipient="mofa-registry") == {
        Audience(Role.MOFA_REGISTRY, None)
    }
    assert _audience(E.AGREEMENT_COPY_DELIVERED, recipient="hue.foreign-affairs") == {
        Audience(Role.REVIEWER, "hue.foreign-affairs")
    }


@pytest.mark.parametrize(
    "name",
    [
        E.AGREEMENT_DRAFTED,
        E.AGREEMENT_UPDATED,
        E.AGREEMENT_DELETED,
        E.DOCUMENT_ATTACHED,
        E.AGREEMENT_IMPORTED,
        E.AGREEMENT_SUBMITTED,
        E.AGREEMENT_TEXT_CHANGED,
    ],
)
def test_drafting_events_tell_nobody_in_the_app(name: str) -> None:
    assert _audience(name) == set()


def test_an_event_type_without_a_rule_tells_nobody() -> None:
    assert audiences("agreement.teleported", parsed("agreement.expired", province="hue")) == ()


def test_only_reminders_may_wait_for_a_digest() -> None:
    assert {e for e in EventType if is_reminder(e)} == {
        E.CONSULTATION_REMINDER,
        E.AGREEMENT_COPY_REMINDER,
        E.AGREEMENT_PLAN_DUE,
        E.AGREEMENT_EXPIRING,
    }


@pytest.mark.parametrize(
    ("role", "org", "name", "names", "allowed"),
    [
        (Role.PROVINCE_OFFICER, "hue", "agreement.drafted", {"province": "hue"}, True),
        (Role.PROVINCE_OFFICER, "hue", "agreement.drafted", {"province": "da-nang"}, False),
        (Role.PROVINCIAL_LEADER, "hue", "agreement.signed", {"province": "hue"}, True),
        (Role.REVIEWER, "mofa", REQUESTED, {"province": "hue", "body": "mofa"}, True),
        (Role.REVIEWER, "mofa", REQUESTED, {"province": "hue", "body": "mps"}, False),
        (Role.REVIEWER, "mofa", "agreement.drafted", {"province": "hue"}, False),
        (Role.REVIEWER, "hue.foreign-affairs", "agreement.copy_delivered",
         {"province": "hue", "recipient": "hue.foreign-affairs"}, True),
        (Role.SUPERVISOR, "mps", "consultation.overdue", {"province": "hue", "body": "mps"}, True),
        (Role.PM_OFFICE, "pm-office", "pm_opinion.requested", {"province": "hue"}, True),
        (Role.PM_OFFICE, "pm-office", "agreement.drafted", {"province": "hue"}, False),
        (Role.MOFA_REGISTRY, "mofa", "agreement.copy_delivered",
         {"province": "hue", "recipient": "mofa-registry"}, True),
        (Role.MOFA_REGISTRY, "mofa", "agreement.drafted", {"province": "hue"}, False),
        (Role.OPERATOR, "system", "agreement.drafted", {"province": "hue"}, True),
        (Role.ADMIN, "system", "agreement.deleted", {"province": "hue"}, True),
    ],
)  # fmt: skip
def test_a_subscriber_receives_only_what_their_organisation_may_see(
    role: Role, org: str, name: str, names: dict[str, str], allowed: bool
) -> None:
    assert may_receive(role, org, name, parsed(name, **names)) is allowed


def test_a_signature_verifies_and_any_change_breaks_it() -> None:
    body = b'{"id":"e-1"}'
    header = sign("secret-0123456789", 1_700_000_000, body)
    assert header.startswith("t=1700000000,v1=")
    assert verify("secret-0123456789", header, body, now=1_700_000_100)
    assert not verify("secret-0123456789", header, body + b" ", now=1_700_000_100)
    assert not verify("another-secret-000", header, body, now=1_700_000_100)
    forged = header.replace("t=1700000000", "t=1700000050")
    assert not verify("secret-0123456789", forged, body, now=1_700_000_100)
    assert not verify("secret-0123456789", header, body, now=1_700_000_000 + 301)  # replayed late
    assert not verify("secret-0123456789", "garbage", body, now=1_700_000_000)


def test_backoff_doubles_is_capped_and_spread() -> None:
    delays = [backoff_delay(n, base_s=5, max_s=60, spread=0.5) for n in range(1, 7)]
    assert delays == [5, 10, 20, 40, 60, 60]
    assert backoff_delay(1, base_s=10, max_s=60, spread=0.0) == pytest.approx(8.0)
    assert backoff_delay(1, base_s=10, max_s=60, spread=0.999) == pytest.approx(12.0, abs=0.01)
    with pytest.raises(ValueError):
        backoff_delay(0, base_s=1, max_s=1, spread=0)


@pytest.mark.parametrize(
    ("url", "allow_private", "rule"),
    [
        ("https://hooks.example.vn/a", False, None),
        ("http://hooks.example.vn/a", False, "url_scheme"),
        ("http://127.0.0.1:9000/a", True, None),
        ("https://127.0.0.1/a", False, "url_private"),
        ("https://10.1.2.3/a", False, "url_private"),
        ("https://169.254.169.254/latest", False, "url_private"),
        ("https://localhost/a", False, "url_private"),
        ("https://[::1]/a", False, "url_private"),
        ("ftp://example.vn/a", True, "url_scheme"),
        ("https:///nohost", False, "url_host"),
        ("https://user:pw@example.vn/a", False, "url_credentials"),
    ],
)
def test_webhook_urls_must_be_http_with_a_public_host_outside_development(
    url: str, allow_private: bool, rule: str | None
) -> None:
    if rule is None:
        check_webhook_url(url, allow_private=allow_private)
        return
    with pytest.raises(InvalidInput) as refused:
        check_webhook_url(url, allow_private=allow_private)
    assert [r for _, r, _ in refused.value.errors] == [rule]


def test_development_addresses_cannot_reach_anyone_real() -> None:
    assert dev_email("officer@ha-noi", "agreements.test") == "officer@ha-noi.agreements.test"
    assert dev_email("ops", "agreements.test") == "ops@agreements.test"
