"""The in-app inbox: a user reads only their own, unread first with the unread count, marks
read one by one or all at once; bad input and missing tokens get problem details."""

from __future__ import annotations

import uuid

import pytest

from common.auth import Principal, Role
from common.events.types import EventType
from tests.integration.notifications.conftest import Service, problem
from tests.unit.notifications.samples import event

pytestmark = pytest.mark.integration


def _fresh_officer(service: Service, name: str) -> tuple[Principal, dict[str, str]]:
    """An officer of their own test province, so that no other test (nor events replayed from
    the topic by the other backend's consumer) adds to their inbox."""
    province = f"test-{name}-{uuid.uuid4().hex[:8]}"
    person = Principal(f"officer@{province}", Role.PROVINCE_OFFICER, province)
    admin = service.headers("admin@system")
    r = service.client.put(
        f"/v1/recipients/{person.subject}",
        json={"role": "province_officer", "org": province, "email": None},
        headers=admin,
    )
    assert r.status_code in (200, 201), r.text
    return person, service.headers_for(person)


def _tell(service: Service, province: str, n: int) -> list[str]:
    ids = []
    for _ in range(n):
        ev = event(EventType.AGREEMENT_IN_FORCE, province=province)
        service.publish(ev)
        ids.append(ev.id)
    for event_id in ids:
        service.processed(event_id)
    return ids


def test_a_user_cannot_read_or_mark_another_users_inbox(service: Service) -> None:
    owner, owner_headers = _fresh_officer(service, "owner")
    _, intruder_headers = _fresh_officer(service, "intruder")
    _tell(service, owner.org, 1)
    [mine] = service.client.get("/v1/inbox", headers=owner_headers).json()["data"]

    theirs = service.client.get("/v1/inbox", headers=intruder_headers).json()
    assert theirs["count"] == 0 and theirs["unread"] == 0
    r = service.client.post(f"/v1/inbox/{mine['id']}/read", headers=intruder_headers)
    assert r.status_code == 404
    assert mine["id"] in problem(r)["detail"]
    service.client.post("/v1/inbox/read-all", headers=intruder_headers)
    # Still unread for its owner.
    again = service.client.get("/v1/inbox", headers=owner_headers).json()
    assert again["unread"] == 1 and again["data"][0]["unread"] is True


def test_inbox_lists_unread_first_counts_them_and_marks_read(service: Service) -> None:
    person, headers = _fresh_officer(service, "reader")
    _tell(service, person.org, 3)
    inbox = service.client.get("/v1/inbox", headers=headers).json()
    assert inbox["count"] == 3 and inbox["unread"] == 3
    oldest = inbox["data"][-1]

    r = service.client.post(f"/v1/inbox/{oldest['id']}/read", headers=headers)
    assert r.status_code == 200 and r.json()["unread"] is False
    first_read_at = r.json()["read_at"]
    repeat = service.client.post(f"/v1/inbox/{oldest['id']}/read", headers=headers)
    assert repeat.json()["read_at"] == first_read_at  # reading again changes nothing

    _tell(service, person.org, 1)
    inbox = service.client.get("/v1/inbox", headers=headers).json()
    assert inbox["unread"] == 3 and inbox["count"] == 4
    assert [n["unread"] for n in inbox["data"]] == [True, True, True, False]
    assert inbox["data"][-1]["id"] == oldest["id"]

    page = service.client.get("/v1/inbox?limit=2&offset=2", headers=headers).json()
    assert len(page["data"]) == 2 and page["count"] == 4
    unread_only = service.client.get("/v1/inbox?unread_only=true", headers=headers).json()
    assert unread_only["count"] == 3 and all(n["unread"] for n in unread_only["data"])

    done = service.client.post("/v1/inbox/read-all", headers=headers)
    assert done.json() == {"marked": 3, "unread": 0}
    assert service.client.post("/v1/inbox/read-all", headers=headers).json()["marked"] == 0
    assert service.client.get("/v1/inbox", headers=headers).json()["unread"] == 0


def test_inbox_needs_a_valid_token(service: Service) -> None:
    r = service.client.get("/v1/inbox")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer"
    assert "Authorization" in problem(r)["detail"]
    bad = service.client.get("/v1/inbox", headers={"Authorization": "Bearer forged"})
    assert bad.status_code == 401


@pytest.mark.parametrize(("lang", "words"), [("vi", "nhỏ hơn hoặc bằng"), ("en", "at most")])
def test_bad_paging_is_a_422_in_the_callers_language(
    service: Service, lang: str, words: str
) -> None:
    r = service.client.get("/v1/inbox?limit=1000", headers=service.headers("officer@hue", lang))
    assert r.status_code == 422
    [error] = problem(r)["errors"]
    assert error["field"] == "limit" and error["rule"] == "maximum" and words in error["message"]


def test_preferences_default_to_vietnamese_and_bad_choices_are_refused(service: Service) -> None:
    headers = service.headers("officer@thai-nguyen", "en")
    prefs = service.client.get("/v1/preferences", headers=headers).json()
    assert prefs == {
        "language": "vi",
        "channels": ["inbox", "email"],
        "reminder_mode": "immediate",
        "email": "officer@thai-nguyen.agreements.test",
    }
    for body, field, rule in (
        ({"language": "fr"}, "language", "enum"),
        ({"channels": []}, "channels", "min_items"),
        ({"channels": ["sms"]}, "channels.0", "enum"),
        ({"channels": ["inbox", "inbox"]}, "channels.1", "duplicate"),
        ({"reminder_mode": "weekly"}, "reminder_mode", "enum"),
    ):
        r = service.client.patch("/v1/preferences", json=body, headers=headers)
        assert r.status_code == 422, (body, r.text)
        assert (field, rule) in [(e["field"], e["rule"]) for e in problem(r)["errors"]], body
    assert service.client.get("/v1/preferences", headers=headers).json() == prefs


def test_only_administrators_manage_the_directory(service: Service) -> None:
    r = service.client.put(
        "/v1/recipients/someone@hue",
        json={"role": "province_officer", "org": "hue"},
        headers=service.headers("officer@hue", "vi"),
    )
    assert r.status_code == 403 and "quản trị" in problem(r)["detail"]
    assert (
        service.client.get("/v1/recipients", headers=service.headers("ops@system")).status_code
        == 403
    )
    bad = service.client.put(
        "/v1/recipients/someone@hue",
        json={"role": "king", "org": "hue", "email": "not-an-address"},
        headers=service.headers("admin@system"),
    )
    assert bad.status_code == 422
    assert {e["field"] for e in problem(bad)["errors"]} == {"role", "email"}
    listed = service.client.get(
        "/v1/recipients?role=pm_office", headers=service.headers("admin@system")
    ).json()
    assert [p["subject"] for p in listed["data"]] == ["pm@office"]
