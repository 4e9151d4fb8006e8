"""The law's rules on a draft, through the API (issue "Right to the law"): the reduced
procedure only where the law allows it, international organisations without a country, treaty
names wherever they present the document as a treaty, and the consulted bodies shown with
their reasons before submitting."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import draft_body

pytestmark = pytest.mark.integration


def _post(stack: Any, lang: str = "en", officer: str = "officer@ha-noi", **draft: Any) -> Any:
    body = draft_body(province=officer.split("@", 1)[1], **draft)
    return stack.client.post("/v1/agreements", json=body, headers=stack.login(officer, lang))


def _rules(response: Any) -> set[tuple[str, str]]:
    return {(e["field"], e["rule"]) for e in response.json().get("errors", [])}


def test_a_border_commune_may_not_use_the_reduced_procedure(stack: Any) -> None:
    r = _post(
        stack,
        "vi",
        officer="officer@lang-son",
        signatory_level="BORDER_COMMUNE",
        foreign_party={"name": "Bằng Tường", "country": "CN", "type": "LOCAL_GOVERNMENT"},
        procedure="REDUCED",
        reduced_ground="EMERGENCY_RELIEF",
        reduced_reason="Cứu trợ lũ lụt",
    )
    assert r.status_code == 422, r.text
    assert ("procedure", "reduced_not_allowed") in _rules(r)
    [error] = [e for e in r.json()["errors"] if e["rule"] == "reduced_not_allowed"]
    assert "Điều 35" in error["message"]


def test_the_reduced_procedure_needs_a_ground_of_the_law_not_free_text_alone(
    stack: Any,
) -> None:
    r = _post(stack, procedure="REDUCED", reduced_reason="Đoàn cấp cao sang thăm")
    assert r.status_code == 422, r.text
    assert _rules(r) == {("reduced_ground", "reduced_ground_required")}
    r = _post(
        stack,
        procedure="REDUCED",
        reduced_ground="HIGH_LEVEL_VISIT",
        reduced_reason="Chuyến thăm của Thủ tướng Hàn Quốc được Thủ tướng Chính phủ cho phép",
    )
    assert r.status_code == 201, r.text
    assert r.json()["reduced_ground"] == "HIGH_LEVEL_VISIT"


def test_an_international_organisation_needs_no_country(stack: Any) -> None:
    r = _post(
        stack,
        foreign_party={"name": "UNICEF", "type": "INTERNATIONAL_ORGANISATION"},
        title="Bản ghi nhớ hợp tác về bảo vệ trẻ em",
    )
    assert r.status_code == 201, r.text
    assert r.json()["foreign_party"]["country"] is None
    r = _post(stack, foreign_party={"name": "Seoul", "type": "LOCAL_GOVERNMENT"})
    assert r.status_code == 422
    assert _rules(r) == {("foreign_party.country", "country_required")}


@pytest.mark.parametrize(
    "title",
    [
        "Dự thảo Hiệp định hợp tác kinh tế",
        "Bản ghi nhớ (Hiệp định) hợp tác giáo dục",
        "“Hiệp ước” hữu nghị",
        "Thỏa thuận hợp tác – Công ước khung",
    ],
)
def test_a_treaty_name_is_refused_wherever_it_names_the_document(stack: Any, title: str) -> None:
    r = _post(stack, title=title)
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert (error["field"], error["rule"]) == ("title", "forbidden_treaty_name")


@pytest.mark.parametrize(
    ("foreign_title", "word"),
    [
        ("Treaty of Friendship between Gyeongju and Huế", "Treaty"),
        ("Draft Convention on Cultural Exchange", "Convention"),
        ("Memorandum (Covenant) on Youth Exchange", "Covenant"),
    ],
)
def test_a_treaty_name_in_the_foreign_title_is_refused(
    stack: Any, foreign_title: str, word: str
) -> None:
    r = _post(stack, foreign_title=foreign_title)
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert (error["field"], error["rule"]) == ("foreign_title", "forbidden_treaty_name")
    assert word in error["message"]
    ok = _post(stack, foreign_title="Memorandum of Understanding on implementing the Convention")
    assert ok.status_code == 201, ok.text
    assert ok.json()["foreign_title"].startswith("Memorandum of Understanding")


def test_a_title_about_an_existing_treaty_is_allowed(stack: Any) -> None:
    r = _post(stack, title="Bản ghi nhớ về thực hiện Hiệp định EVFTA tại Hà Nội")
    assert r.status_code == 201, r.text


def test_the_draft_shows_which_bodies_will_be_consulted_and_why(stack: Any) -> None:
    # Security and border management as a field: the security ministries, though `touches`
    # was left empty.
    r = _post(stack, fields=["security_border", "education"], touches=[])
    assert r.status_code == 201, r.text
    route = {b["body"]: b["reasons"] for b in r.json()["consultation_route"]}
    assert route == {
        "mofa": ["ALWAYS_MOFA"],
        "mps": ["SECURITY_BORDER_FIELD"],
        "mod": ["SECURITY_BORDER_FIELD"],
    }
    # Investment at department level adds the Ministry of Finance.
    r = _post(stack, signatory_level="DEPARTMENT", fields=["investment"])
    route = {b["body"]: b["reasons"] for b in r.json()["consultation_route"]}
    assert route == {
        "ha-noi.foreign-affairs": ["FOREIGN_AFFAIRS_BODY"],
        "mof": ["INVESTMENT_FIELD"],
    }


def test_a_department_s_draft_can_consult_the_province_s_related_departments(
    stack: Any,
) -> None:
    r = _post(
        stack,
        signatory_level="DEPARTMENT",
        fields=["health"],
        related_bodies=["ha-noi.health", "ha-noi.finance"],
    )
    assert r.status_code == 201, r.text
    route = {b["body"]: b["reasons"] for b in r.json()["consultation_route"]}
    assert route["ha-noi.health"] == ["RELATED"]
    assert route["ha-noi.finance"] == ["RELATED"]
    # Another province's department is refused.
    r = _post(stack, signatory_level="DEPARTMENT", related_bodies=["lang-son.health"])
    assert r.status_code == 422
    assert _rules(r) == {("related_bodies.0", "body_of_other_province")}
