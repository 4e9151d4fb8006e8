"""Bad input gets a clear 4xx problem detail naming the field and the rule; never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import PDF, draft_body

pytestmark = pytest.mark.integration


def _post(stack: Any, body: Any, lang: str = "en") -> Any:
    return stack.client.post(
        "/v1/agreements", json=body, headers=stack.login("officer@ha-noi", lang)
    )


def _rules(response: Any) -> set[tuple[str, str]]:
    return {(e["field"], e["rule"]) for e in response.json().get("errors", [])}


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"title": None}, "title", "type"),
        ({"form": "TREATY"}, "form", "enum"),
        ({"signatory_level": "MINISTRY"}, "signatory_level", "enum"),
        ({"fields": ["astrology"]}, "fields.0", "enum"),
        ({"fields": []}, "fields", "min_items"),
        ({"touches": ["weather"]}, "touches.0", "enum"),
        ({"term_months": 0}, "term_months", "minimum"),
        ({"unexpected": 1}, "unexpected", "unknown_field"),
        ({"province": "sai-gon"}, "province", "unknown_province"),
        ({"related_bodies": ["nasa"]}, "related_bodies.0", "unknown_body"),
        ({"related_bodies": ["da-nang.police"]}, "related_bodies.0", "body_of_other_province"),
        (
            {"foreign_party": {"name": "X", "country": "ZZ", "type": "STATE"}},
            "foreign_party.country",
            "unknown_country",
        ),
        ({"languages": ["xx"]}, "languages.0", "unknown_language"),
        ({"title": "Hiệp định hợp tác kinh tế"}, "title", "forbidden_treaty_name"),
        ({"title": "Cong uoc ve hop tac"}, "title", "forbidden_treaty_name"),
        ({"form": "OTHER", "form_name": "Hiệp ước"}, "form_name", "forbidden_treaty_name"),
        ({"form": "OTHER"}, "form_name", "form_name_required"),
        ({"procedure": "REDUCED"}, "reduced_reason", "reduced_reason_required"),
        ({"category": "PPP_CONTRACT"}, "category", "out_of_scope"),
        (
            {"signatory_level": "BORDER_COMMUNE"},
            "foreign_party.country",
            "border_commune_partner_country",
        ),
    ],
)
def test_invalid_draft_gets_422_naming_field_and_rule(
    stack: Any, change: dict[str, Any], field: str, rule: str
) -> None:
    r = _post(stack, draft_body(**change))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert (field, rule) in _rules(r), r.json()
    assert r.json()["detail"]


def test_missing_fields_are_each_named(stack: Any) -> None:
    r = _post(stack, {"title": "Chỉ có tiêu đề"})
    assert r.status_code == 422
    fields = {f for f, rule in _rules(r) if rule == "required"}
    assert {"form", "signatory_level", "province", "foreign_party", "fields", "languages"} <= fields


def test_messages_follow_accept_language(stack: Any) -> None:
    vi = _post(stack, draft_body(title="Hiệp định thương mại"), lang="vi").json()
    en = _post(stack, draft_body(title="Hiệp định thương mại"), lang="en").json()
    assert "Không được dùng tên gọi" in vi["errors"][0]["message"]
    assert "treaty name" in en["errors"][0]["message"]
    assert vi["title"] == "Dữ liệu không hợp lệ" and en["title"] == "Invalid request"


@pytest.mark.parametrize(
    "payload", [b"{not json", b"", b"[]", b'"a string"', b"null", '{"title": "\u00e9'.encode()]
)
def test_garbage_json_gets_4xx_not_500(stack: Any, payload: bytes) -> None:
    r = stack.client.post(
        "/v1/agreements",
        content=payload,
        headers=stack.login("officer@ha-noi") | {"Content-Type": "application/json"},
    )
    assert 400 <= r.status_code < 500, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_bad_query_parameters_get_422(stack: Any) -> None:
    headers = stack.login("officer@ha-noi")
    for params in (
        {"status": "FLYING"},
        {"limit": 0},
        {"limit": "many"},
        {"province": "atlantis"},
        {"field": "astrology"},
        {"country": "KOR"},
    ):
        r = stack.client.get("/v1/agreements", params=params, headers=headers)
        assert r.status_code == 422, (params, r.text)


def test_if_match_garbage_is_refused_clearly(stack: Any) -> None:
    aid = _post(stack, draft_body()).json()["id"]
    r = stack.client.patch(
        f"/v1/agreements/{aid}",
        json={"summary": "x"},
        headers=stack.login("officer@ha-noi") | {"If-Match": "yesterday"},
    )
    assert r.status_code == 422
    assert "If-Match" in r.json()["detail"]


def test_patch_cannot_break_the_rules(stack: Any) -> None:
    aid = _post(stack, draft_body()).json()["id"]
    headers = stack.login("officer@ha-noi") | {"If-Match": '"1"'}
    r = stack.client.patch(
        f"/v1/agreements/{aid}", json={"title": "Hiệp định mới"}, headers=headers
    )
    assert r.status_code == 422 and ("title", "forbidden_treaty_name") in _rules(r)
    r = stack.client.patch(f"/v1/agreements/{aid}", json={"title": None}, headers=headers)
    assert r.status_code == 422


class TestDocuments:
    @pytest.fixture()
    def aid(self, stack: Any) -> str:
        return str(_post(stack, draft_body()).json()["id"])

    def _upload(self, stack: Any, aid: str, **kw: Any) -> Any:
        data = {"kind": kw.pop("kind", "PROPOSAL"), "language": kw.pop("language", "vi")}
        files = {"file": kw.pop("file", ("a.pdf", PDF, "application/pdf"))}
        return stack.client.post(
            f"/v1/agreements/{aid}/documents",
            data=data,
            files=files,
            headers=stack.login("officer@ha-noi"),
        )

    def test_oversized_file_gets_413(self, stack: Any, aid: str) -> None:
        big = PDF + b"0" * (stack.settings.max_document_bytes + 10)
        r = self._upload(stack, aid, file=("big.pdf", big, "application/pdf"))
        assert r.status_code == 413
        assert "MB" in r.json()["detail"]

    def test_wrong_media_type_gets_415(self, stack: Any, aid: str) -> None:
        r = self._upload(stack, aid, file=("x.exe", b"MZ\x90\x00", "application/x-msdownload"))
        assert r.status_code == 415

    def test_content_not_matching_its_type_gets_415(self, stack: Any, aid: str) -> None:
        r = self._upload(
            stack, aid, file=("fake.pdf", b"<html>not a pdf</html>", "application/pdf")
        )
        assert r.status_code == 415
        assert "application/pdf" in r.json()["detail"]

    def test_unknown_kind_and_language_get_422(self, stack: Any, aid: str) -> None:
        assert self._upload(stack, aid, kind="PHOTO").status_code == 422
        r = self._upload(stack, aid, language="zz")
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "language"

    def test_missing_file_and_empty_file_get_422(self, stack: Any, aid: str) -> None:
        r = stack.client.post(
            f"/v1/agreements/{aid}/documents",
            data={"kind": "PROPOSAL", "language": "vi"},
            headers=stack.login("officer@ha-noi"),
        )
        assert r.status_code == 422
        assert self._upload(stack, aid, file=("e.txt", b"", "text/plain")).status_code == 422
