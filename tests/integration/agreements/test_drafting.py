"""Drafts: create, list with filters, read, update with If-Match, delete; documents."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.helpers import PDF, draft_body

pytestmark = pytest.mark.integration


def _create(stack: Any, **overrides: Any) -> Any:
    return stack.client.post(
        "/v1/agreements", json=draft_body(**overrides), headers=stack.login("officer@ha-noi")
    )


def test_create_returns_the_draft_with_version_etag_and_location(stack: Any) -> None:
    r = _create(stack)
    assert r.status_code == 201
    body = r.json()
    assert body["status"] == "DRAFT" and body["version"] == 1
    assert r.headers["ETag"] == '"1"'
    assert r.headers["Location"] == f"/v1/agreements/{body['id']}"
    assert body["foreign_party"]["country"] == "KR"


def test_patch_with_current_version_bumps_it_and_stale_version_gets_412(stack: Any) -> None:
    aid = _create(stack).json()["id"]
    headers = stack.login("officer@ha-noi")
    ok = stack.client.patch(
        f"/v1/agreements/{aid}",
        json={"summary": "Nội dung mới"},
        headers=headers | {"If-Match": '"1"'},
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["version"] == 2 and ok.headers["ETag"] == '"2"'
    stale = stack.client.patch(
        f"/v1/agreements/{aid}", json={"summary": "Ghi đè"}, headers=headers | {"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert "2" in stale.json()["detail"]
    missing = stack.client.patch(f"/v1/agreements/{aid}", json={"summary": "x"}, headers=headers)
    assert missing.status_code == 428
    events = stack.events_for(aid, expect=2)
    updated = [e for e in events if e.name == "agreement.updated"]
    assert len(updated) == 1 and updated[0].data["changed"] == ["summary"]


def test_list_filters_by_status_country_field_and_text_without_diacritics(stack: Any) -> None:
    marker = "Hợp tác nông nghiệp thông minh Mekong"
    aid = _create(
        stack,
        title=marker,
        fields=["agriculture"],
        foreign_party={"name": "Province of Ubon", "country": "TH", "type": "LOCAL_GOVERNMENT"},
    ).json()["id"]
    headers = stack.login("officer@ha-noi")
    found = stack.client.get(
        "/v1/agreements",
        params={
            "q": "nong nghiep thong minh",
            "country": "TH",
            "field": "agriculture",
            "status": "DRAFT",
        },
        headers=headers,
    ).json()
    assert aid in {a["id"] for a in found["data"]}
    none = stack.client.get(
        "/v1/agreements", params={"q": "nong nghiep thong minh", "field": "health"}, headers=headers
    ).json()
    assert aid not in {a["id"] for a in none["data"]}
    page = stack.client.get("/v1/agreements", params={"limit": 1}, headers=headers).json()
    assert len(page["data"]) == 1 and page["count"] >= 1


def test_delete_removes_a_draft_and_announces_it(stack: Any) -> None:
    aid = _create(stack).json()["id"]
    headers = stack.login("officer@ha-noi")
    assert stack.client.delete(f"/v1/agreements/{aid}", headers=headers).status_code == 204
    assert stack.client.get(f"/v1/agreements/{aid}", headers=headers).status_code == 404
    names = [e.name for e in stack.events_for(aid, expect=2)]
    assert names == ["agreement.drafted", "agreement.deleted"]


def test_a_draft_with_documents_is_deleted_with_them(stack: Any) -> None:
    aid = _create(stack).json()["id"]
    headers = stack.login("officer@ha-noi")
    for kind in ("PROPOSAL", "IMPLEMENTATION_PLAN"):
        r = stack.client.post(
            f"/v1/agreements/{aid}/documents",
            data={"kind": kind, "language": "vi"},
            files={"file": (f"{kind}.pdf", PDF + kind.encode() + aid.encode(), "application/pdf")},
            headers=headers,
        )
        assert r.status_code == 201, r.text
    assert stack.client.delete(f"/v1/agreements/{aid}", headers=headers).status_code == 204
    assert stack.client.get(f"/v1/agreements/{aid}", headers=headers).status_code == 404


def test_document_is_stored_under_its_sha256_and_downloads_intact(stack: Any) -> None:
    aid = _create(stack).json()["id"]
    headers = stack.login("officer@ha-noi")
    content = PDF + b"unique content for hashing"
    r = stack.client.post(
        f"/v1/agreements/{aid}/documents",
        data={"kind": "PROPOSAL", "language": "vi"},
        files={"file": ("tờ trình.pdf", content, "application/pdf")},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["sha256"] == hashlib.sha256(content).hexdigest()
    assert doc["size"] == len(content)
    assert (stack.settings.documents_path / "sha256" / doc["sha256"][:2]).exists()
    listed = stack.client.get(f"/v1/agreements/{aid}/documents", headers=headers).json()
    assert listed["count"] == 1
    download = stack.client.get(
        f"/v1/agreements/{aid}/documents/{doc['id']}/content", headers=headers
    )
    assert download.status_code == 200 and download.content == content
    assert download.headers["Repr-Digest"].startswith("sha-256=:")


def test_health_readiness_and_metrics(stack: Any) -> None:
    assert stack.client.get("/healthz").json() == {"status": "ok"}
    ready = stack.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok", "temporal": "ok"}
    _create(stack)
    metrics = stack.client.get("/metrics").text
    assert "agreements_outbox_backlog" in metrics
    assert "agreements_outbox_oldest_age_seconds" in metrics
    assert "agreements_events_published" in metrics
    assert "agreements_tasks_open" in metrics
    assert "agreements_consultation_answer_working_days_bucket" in metrics
    assert 'http_request_duration_seconds_count{handler="/v1/agreements"' in metrics
