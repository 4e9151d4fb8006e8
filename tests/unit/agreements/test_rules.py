"""Every rule of the law on a draft and its dossier, without servers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from common.law.drafting import (
    DocumentFacts,
    DraftFacts,
    Violation,
    check_dossier,
    check_draft,
    check_submitter,
    forbidden_name_in,
)
from common.law.messages import MESSAGES, describe
from common.law.vocabulary import (
    AgreementForm,
    Category,
    DocumentKind,
    PartnerType,
    Procedure,
    ReducedGround,
    SignatoryLevel,
)

DRAFT = DraftFacts(
    title="Bản ghi nhớ hợp tác giáo dục",
    form=AgreementForm.MEMORANDUM_OF_UNDERSTANDING,
    form_name=None,
    category=Category.INTERNATIONAL_AGREEMENT,
    signatory_level=SignatoryLevel.PROVINCIAL_COMMITTEE,
    province="ha-noi",
    partner_country="KR",
    partner_type=PartnerType.LOCAL_GOVERNMENT,
    languages=("vi", "ko"),
    procedure=Procedure.STANDARD,
    reduced_reason=None,
    related_bodies=(),
)
FULL_DOSSIER = [
    DocumentFacts(DocumentKind.PROPOSAL, "vi"),
    DocumentFacts(DocumentKind.IMPLEMENTATION_PLAN, "vi"),
    DocumentFacts(DocumentKind.DRAFT_TEXT, "vi"),
    DocumentFacts(DocumentKind.DRAFT_TEXT, "ko"),
]


def rules(violations: list[Violation]) -> set[str]:
    return {v.rule for v in violations}


def test_a_correct_draft_and_dossier_break_no_rule() -> None:
    assert check_draft(DRAFT) == []
    assert check_dossier(DRAFT, FULL_DOSSIER) == []
    assert check_submitter(DRAFT, "ha-noi") == []


@pytest.mark.parametrize(
    "title",
    [
        "Hiệp định hợp tác",
        "HIỆP ĐỊNH về thương mại",
        "Công ước khung",
        "Hiệp ước hữu nghị",
        "Định ước biên giới",
        "hiep dinh khong dau",
        "1. Hiệp định",
        "Treaty of friendship",
        "Friendship treaty with Busan",
        "Dự thảo Hiệp định hợp tác kinh tế",
        "DỰ THẢO: Công ước khu vực",
        "Bản ghi nhớ (Hiệp định) hợp tác giáo dục",
        "“Hiệp định” hợp tác du lịch",
        "[Hiệp ước] hữu nghị",
        "Thỏa thuận hợp tác – Hiệp định khung 2026",
        "12/2026 Hiệp định thương mại",
        "Convention on twin cities",
        "Covenant of friendship between Huế and Kyoto",
    ],
)
def test_treaty_names_are_forbidden_in_titles(title: str) -> None:
    assert "forbidden_treaty_name" in rules(check_draft(replace(DRAFT, title=title)))


@pytest.mark.parametrize(
    "title",
    [
        "Bản ghi nhớ thực thi Hiệp định EVFTA tại địa phương",
        "Bản ghi nhớ về thực hiện Hiệp định Đối tác Toàn diện và Tiến bộ xuyên Thái Bình Dương",
        "Kế hoạch hợp tác triển khai Công ước về quyền trẻ em",
        "Thỏa thuận hợp tác trong khuôn khổ Hiệp định RCEP",
        "MoU on implementing the Convention on Biological Diversity",
        "Bản ghi nhớ hợp tác với Trung tâm Hội nghị (Convention Centre) Busan",
        "Thỏa thuận hợp tác giáo dục",
        "Memorandum of Understanding on tourism",
        "Kế hoạch hợp tác định kỳ",
    ],
)
def test_mentioning_a_treaty_is_not_naming_the_agreement_one(title: str) -> None:
    assert check_draft(replace(DRAFT, title=title)) == []


def test_form_name_is_required_for_other_and_may_not_be_a_treaty_name() -> None:
    other = replace(DRAFT, form=AgreementForm.OTHER)
    assert rules(check_draft(other)) == {"form_name_required"}
    assert rules(check_draft(replace(other, form_name="Bản cam kết"))) == set()
    assert rules(check_draft(replace(other, form_name="Hiệp định khung"))) == {
        "forbidden_treaty_name"
    }
    assert forbidden_name_in("Văn kiện kiểu công ước", as_title=False) == "Công ước"
    assert forbidden_name_in("Văn kiện về công ước", as_title=False) == "Công ước"


@pytest.mark.parametrize(
    "category", [c for c in Category if c is not Category.INTERNATIONAL_AGREEMENT]
)
def test_out_of_scope_categories_are_refused(category: Category) -> None:
    assert rules(check_draft(replace(DRAFT, category=category))) == {"out_of_scope"}


def test_reduced_procedure_needs_a_ground_of_the_law_and_an_explanation() -> None:
    reduced = replace(DRAFT, procedure=Procedure.REDUCED)
    assert rules(check_draft(reduced)) == {"reduced_ground_required", "reduced_reason_required"}
    grounded = replace(reduced, reduced_ground=ReducedGround.HIGH_LEVEL_VISIT)
    assert rules(check_draft(grounded)) == {"reduced_reason_required"}
    assert rules(check_draft(replace(grounded, reduced_reason="   "))) == {
        "reduced_reason_required"
    }
    # Free text alone is not a ground.
    explained = replace(reduced, reduced_reason="Chuyến thăm cấp cao tháng 12")
    assert rules(check_draft(explained)) == {"reduced_ground_required"}
    assert check_draft(replace(grounded, reduced_reason="Chuyến thăm cấp cao tháng 12")) == []


@pytest.mark.parametrize("level", ["PROVINCIAL_COUNCIL", "PROVINCIAL_COMMITTEE", "DEPARTMENT"])
def test_provincial_state_bodies_may_use_the_reduced_procedure(level: str) -> None:
    draft = replace(
        DRAFT,
        signatory_level=SignatoryLevel(level),
        procedure=Procedure.REDUCED,
        reduced_ground=ReducedGround.DISASTER_RECOVERY,
        reduced_reason="Khắc phục hậu quả bão số 3",
    )
    assert check_draft(draft) == []


@pytest.mark.parametrize("level", ["BORDER_COMMUNE", "PROVINCIAL_ORG"])
def test_communes_and_bodies_of_organisations_may_not_use_the_reduced_procedure(
    level: str,
) -> None:
    draft = replace(
        DRAFT,
        signatory_level=SignatoryLevel(level),
        province="lang-son",
        partner_country="CN",
        procedure=Procedure.REDUCED,
        reduced_ground=ReducedGround.POLITICAL_URGENCY,
        reduced_reason="Yêu cầu cấp bách",
    )
    assert "reduced_not_allowed" in rules(check_draft(draft))


def test_an_international_organisation_needs_no_country_but_others_do() -> None:
    org = replace(DRAFT, partner_type=PartnerType.INTERNATIONAL_ORGANISATION, partner_country="")
    assert check_draft(org) == []
    assert rules(check_draft(replace(DRAFT, partner_country=""))) == {"country_required"}


def test_border_commune_signs_only_with_local_authority_across_its_border() -> None:
    commune = replace(
        DRAFT,
        signatory_level=SignatoryLevel.BORDER_COMMUNE,
        province="lang-son",
        partner_country="CN",
        languages=("vi", "zh"),
    )
    assert check_draft(commune) == []
    assert rules(check_draft(replace(commune, partner_type=PartnerType.STATE))) == {
        "border_commune_partner_type"
    }
    assert rules(check_draft(replace(commune, partner_country="LA"))) == {
        "border_commune_partner_country"
    }
    # Hà Nội has no land border at all.
    assert "border_commune_partner_country" in rules(
        check_draft(replace(commune, province="ha-noi"))
    )


def test_codes_must_exist() -> None:
    assert rules(check_draft(replace(DRAFT, province="sai-gon"))) >= {"unknown_province"}
    assert rules(check_draft(replace(DRAFT, partner_country="XX"))) == {"unknown_country"}
    assert rules(check_draft(replace(DRAFT, partner_country="VN"))) == {"partner_not_foreign"}
    assert rules(check_draft(replace(DRAFT, languages=("vi", "qq")))) == {"unknown_language"}
    assert rules(check_draft(replace(DRAFT, languages=()))) == {"languages_required"}
    assert rules(check_draft(replace(DRAFT, related_bodies=("mofa", "moh")))) == set()
    assert rules(check_draft(replace(DRAFT, related_bodies=("nasa",)))) == {"unknown_body"}
    assert rules(check_draft(replace(DRAFT, related_bodies=("ha-noi.police",)))) == set()
    assert rules(check_draft(replace(DRAFT, related_bodies=("hue.police",)))) == {
        "body_of_other_province"
    }


def test_dossier_needs_proposal_plan_and_draft_text_in_each_language() -> None:
    assert rules(check_dossier(DRAFT, [])) == {
        "proposal_required",
        "implementation_plan_required",
        "draft_text_required",
    }
    missing_ko = [d for d in FULL_DOSSIER if d.language != "ko"]
    (violation,) = check_dossier(DRAFT, missing_ko)
    assert violation.rule == "draft_text_required" and violation.params == {"language": "ko"}


def test_foreign_text_only_needs_a_vietnamese_translation() -> None:
    foreign_only = replace(DRAFT, languages=("en",))
    docs = [
        DocumentFacts(DocumentKind.PROPOSAL, "vi"),
        DocumentFacts(DocumentKind.IMPLEMENTATION_PLAN, "vi"),
        DocumentFacts(DocumentKind.DRAFT_TEXT, "en"),
    ]
    assert rules(check_dossier(foreign_only, docs)) == {"vietnamese_translation_required"}
    docs.append(DocumentFacts(DocumentKind.TRANSLATION, "vi"))
    assert check_dossier(foreign_only, docs) == []


def test_only_the_own_province_submits() -> None:
    assert rules(check_submitter(DRAFT, "da-nang")) == {"not_own_province"}
    assert rules(check_submitter(DRAFT, None)) == {"not_own_province"}


def test_every_rule_has_a_vietnamese_and_an_english_message() -> None:
    everything = (
        check_draft(
            replace(
                DRAFT,
                title="Hiệp định",
                province="x",
                partner_country="ZZ",
                form=AgreementForm.OTHER,
                category=Category.PPP_CONTRACT,
                procedure=Procedure.REDUCED,
                languages=(),
                related_bodies=("nasa",),
            )
        )
        + check_dossier(replace(DRAFT, languages=("en",)), [])
        + check_submitter(DRAFT, None)
    )
    for lang in ("vi", "en"):
        for error in describe(everything, lang):
            assert error.message and "{" not in error.message
    for vi, en in MESSAGES.values():
        assert vi != en
