"""Who sees and changes what: one province never sees another's drafts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import PDF, draft_body

pytestmark = pytest.mark.integration


@pytest.fixture()
def hanoi_draft(stack: Any) -> dict[str, Any]:
    r = stack.client.post(
        "/v1/agreements", json=draft_body(), headers=stack.login("officer@ha-noi")
    )
    assert r.status_code == 201
    return dict(r.json())


def test_officer_of_another_province_gets_404_on_read_change_upload_submit_delete(
    stack: Any, hanoi_draft: dict[str, Any]
) -> None:
    other = stack.login("officer@da-nang")
    aid = hanoi_draft["id"]
    assert stack.client.get(f"/v1/agreements/{aid}", headers=other).status_code == 404
    assert stack.client.get(f"/v1/agreements/{aid}/documents", headers=other).status_code == 404
    patch = stack.client.patch(
        f"/v1/agreements/{aid}",
        json={"title": "Bị sửa trái phép"},
        headers=other | {"If-Match": '"1"'},
    )
    assert patch.status_code == 404
    upload = stack.client.post(
        f"/v1/agreements/{aid}/documents",
        data={"kind": "PROPOSAL", "language": "vi"},
        files={"file": ("x.pdf", PDF, "application/pdf")},
        headers=other,
    )
    assert upload.status_code == 404
    assert stack.client.post(f"/v1/agreements/{aid}/submit", headers=other).status_code == 404
    assert stack.client.delete(f"/v1/agreements/{aid}", headers=other).status_code == 404
    # and the draft is untouched
    own = stack.client.get(f"/v1/agreements/{aid}", headers=stack.login("officer@ha-noi"))
    assert own.json()["version"] == 1


def test_other_province_does_not_see_drafts_in_lists(
    stack: Any, hanoi_draft: dict[str, Any]
) -> None:
    listed = stack.client.get("/v1/agreements?limit=200", headers=stack.login("officer@da-nang"))
    assert listed.status_code == 200
    assert hanoi_draft["id"] not in {a["id"] for a in listed.json()["data"]}
    assert all(a["province"] == "da-nang" for a in listed.json()["data"])


def test_officer_cannot_draft_for_another_province(stack: Any) -> None:
    r = stack.client.post(
        "/v1/agreements", json=draft_body(province="da-nang"), headers=stack.login("officer@ha-noi")
    )
    assert r.status_code == 403
    assert "ha-noi" in r.json()["detail"]


def test_leader_reads_own_province_but_cannot_edit(stack: Any, hanoi_draft: dict[str, Any]) -> None:
    leader = stack.login("leader@ha-noi")
    aid = hanoi_draft["id"]
    assert stack.client.get(f"/v1/agreements/{aid}", headers=leader).status_code == 200
    r = stack.client.patch(
        f"/v1/agreements/{aid}",
        json={"title": "Lãnh đạo sửa"},
        headers=leader | {"If-Match": '"1"'},
    )
    assert r.status_code == 403


@pytest.mark.parametrize("user", ["reviewer@mofa", "pm@office", "registry@mofa", "ops@system"])
def test_reviewers_and_central_roles_read_no_drafts_yet(
    stack: Any, hanoi_draft: dict[str, Any], user: str
) -> None:
    headers = stack.login(user)
    assert (
        stack.client.get(f"/v1/agreements/{hanoi_draft['id']}", headers=headers).status_code == 404
    )
    assert stack.client.get("/v1/agreements", headers=headers).json()["count"] == 0


def test_admin_reads_every_province(stack: Any, hanoi_draft: dict[str, Any]) -> None:
    r = stack.client.get(f"/v1/agreements/{hanoi_draft['id']}", headers=stack.login("admin@system"))
    assert r.status_code == 200


def test_requests_without_a_valid_token_get_401(stack: Any) -> None:
    assert stack.client.get("/v1/agreements").status_code == 401
    bad = stack.client.get("/v1/agreements", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401
    assert bad.headers["content-type"].startswith("application/problem+json")
    wrong = stack.client.post(
        "/v1/auth/token", data={"username": "officer@ha-noi", "password": "x"}
    )
    assert wrong.status_code == 401
