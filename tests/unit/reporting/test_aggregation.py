"""What an agreement or a consultation counts towards, and how counts become figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from common.law.cycles import DEFAULT_CONFERENCES, ConferenceCalendar
from services.reporting.domain import aggregation as agg
from services.reporting.domain.summary import CycleCounts, DatedFigures, build_summary, figure

SIGNED = agg.AgreementFacts(
    case_kind="CONCLUSION",
    status="IN_FORCE",
    province="an-giang",
    historical_unit="kien-giang",
    partner_country="KR",
    partner_type="LOCAL_GOVERNMENT",
    form="MEMORANDUM_OF_UNDERSTANDING",
    signatory_level="PROVINCIAL_COMMITTEE",
    fields=("education", "trade", "education"),
    occasion="Meet Korea",
    signed_cycle=21,
    pipeline_cycle=21,
    copy_due=True,
    copy_on_time=True,
)


def test_a_signed_conclusion_counts_once_in_each_breakdown_and_once_per_field() -> None:
    counts = agg.agreement_contributions(SIGNED)
    dims = [(d, k) for _, _, d, k in counts]
    assert dims.count(("signed", "")) == 1
    assert ("historical_unit", "kien-giang") in dims and ("province", "an-giang") in dims
    assert dims.count(("field", "education")) == 1 and ("field", "trade") in dims
    assert ("copy", "on_time") in dims and ("pipeline", "IN_FORCE") in dims
    assert all(cycle == 21 and province == "an-giang" for cycle, province, _, _ in counts)


def test_change_cases_and_unsigned_drafts_are_not_agreements_signed() -> None:
    amendment = replace(SIGNED, case_kind="AMENDMENT")
    assert agg.agreement_contributions(amendment) == []
    draft = replace(SIGNED, status="DRAFT", signed_cycle=None, pipeline_cycle=22)
    assert agg.agreement_contributions(draft) == [(22, "an-giang", "pipeline", "DRAFT")]


def test_a_change_moves_counts_from_the_old_keys_to_the_new() -> None:
    before = agg.agreement_contributions(SIGNED)
    after = agg.agreement_contributions(replace(SIGNED, status="TERMINATED"))
    change = agg.delta(before, after)
    assert change == {
        (21, "an-giang", "status_now", "IN_FORCE"): -1,
        (21, "an-giang", "status_now", "TERMINATED"): 1,
        (21, "an-giang", "pipeline", "IN_FORCE"): -1,
        (21, "an-giang", "pipeline", "TERMINATED"): 1,
    }
    assert agg.delta(before, before) == {}


def test_former_unit_is_the_named_one_or_the_only_predecessor() -> None:
    assert agg.reporting_unit("kien-giang", "an-giang") == "kien-giang"
    assert agg.reporting_unit(None, "ha-noi") == "ha-noi"  # unchanged by the merger
    assert agg.reporting_unit(None, "an-giang") == agg.UNATTRIBUTED  # merged: cannot tell


def test_consultation_counts_its_answer_and_days() -> None:
    answered = agg.ConsultationFacts(21, "hue", "mofa", True, False, 9)
    assert agg.consultation_contributions(answered) == [
        (21, "hue", "sla_requested", "mofa"),
        (21, "hue", "sla_answered", "mofa"),
        (21, "hue", "sla_days", "mofa|9"),
    ]


def test_median_from_a_histogram() -> None:
    assert agg.median_from_histogram({}) is None
    assert agg.median_from_histogram({3: 1, 5: 1, 9: 1}) == 5.0
    assert agg.median_from_histogram({2: 2, 6: 2}) == 4.0


def test_figure_carries_previous_value_and_change() -> None:
    assert figure(10, 7) == {"value": 10, "previous": 7, "change": 3}
    assert figure(10, None) == {"value": 10, "previous": None, "change": None}
    assert figure(0.75, 0.5, share=True)["change"] == 0.25


def _counts(rows: list[agg.Contribution], cycle: int) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for c, _, d, k in rows:
        if c == cycle:
            out[(d, k)] = out.get((d, k), 0) + 1
    return out


def test_summary_finds_new_partner_countries_and_compliance_share() -> None:
    calendar = ConferenceCalendar(DEFAULT_CONFERENCES)
    today = date(2026, 1, 1)
    now = agg.agreement_contributions(SIGNED) + agg.agreement_contributions(
        replace(SIGNED, partner_country="JP", copy_on_time=False)
    )
    before = agg.agreement_contributions(replace(SIGNED, signed_cycle=20, pipeline_cycle=20))
    summary = build_summary(
        cycle=calendar.cycle(21, today),  # type: ignore[arg-type]
        previous_cycle=calendar.cycle(20, today),
        current=CycleCounts(_counts(now, 21), DatedFigures(copies_not_yet_due=0)),
        previous=CycleCounts(_counts(before, 20), DatedFigures()),
        countries_before_previous={"KR"},
        filters={},
        as_of=today,
        lang="en",
    )
    assert [c["key"] for c in summary["new_partner_countries"]] == ["JP"]
    assert summary["headline"]["new_partner_countries"] == {
        "label": "New partner countries",
        "value": 1,
        "previous": 0,
        "change": 1,
    }
    compliance = summary["post_signing_compliance"]
    assert compliance["on_time_share"]["value"] == 0.5
    assert compliance["on_time_share"]["previous"] == 1.0
    assert len(summary["by_province"]) == 34
    assert {r["key"] for r in summary["by_region"]} == {"142"}
    assert summary["by_region"][0]["label"] == "Asia"


def test_contributions_are_stored_once_per_scope_of_the_agreement() -> None:
    assert agg.scopes(("trade", "health", "trade"), "JP") == [
        "",
        "field:trade",
        "field:health",
        "country:JP",
    ]
    stored = agg.scoped([(21, "hue", "signed", "")], ["", "country:JP"])
    assert stored == [(21, "", "hue", "signed", ""), (21, "country:JP", "hue", "signed", "")]


def test_international_organisations_are_a_group_of_their_own_not_a_country() -> None:
    calendar = ConferenceCalendar(DEFAULT_CONFERENCES)
    today = date(2026, 1, 1)
    organisation = replace(SIGNED, partner_type="INTERNATIONAL_ORGANISATION", partner_country="")
    # A register may name a country for one: it still counts with the organisations.
    named = replace(organisation, partner_country="CH")
    without_country = replace(SIGNED, partner_country="")
    now = [
        c
        for a in (SIGNED, organisation, named, without_country)
        for c in agg.agreement_contributions(a)
    ]
    before = agg.agreement_contributions(replace(organisation, signed_cycle=20, pipeline_cycle=20))
    summary = build_summary(
        cycle=calendar.cycle(21, today),  # type: ignore[arg-type]
        previous_cycle=calendar.cycle(20, today),
        current=CycleCounts(_counts(now, 21), DatedFigures()),
        previous=CycleCounts(_counts(before, 20), DatedFigures()),
        countries_before_previous={"JP"},
        filters={},
        as_of=today,
        lang="vi",
    )
    group = agg.INTERNATIONAL_GROUP
    by_country = {r["key"]: r for r in summary["by_country"]}
    assert {k: r["value"] for k, r in by_country.items()} == {group: 3, "KR": 1}
    assert by_country[group]["label"] == "Tổ chức quốc tế"
    assert by_country[group]["previous"] == 1
    regions = {r["key"]: r["value"] for r in summary["by_region"]}
    assert regions == {group: 3, "142": 1}
    assert {r["key"]: r["value"] for r in summary["by_sub_region"]} == {group: 3, "030": 1}
    # Countries only: Korea is new, the group is not a partner country.
    assert [c["key"] for c in summary["new_partner_countries"]] == ["KR"]
    assert summary["headline"]["partner_countries"]["value"] == 1
    assert summary["headline"]["partner_countries"]["previous"] == 0
    assert summary["headline"]["new_partner_countries"]["previous"] == 0
