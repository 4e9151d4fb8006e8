"""Conference cycles: which signing dates each conference reviews."""

from __future__ import annotations

from datetime import date

import pytest

from common.law.cycles import DEFAULT_CONFERENCES, ConferenceCalendar, cycle_heading

TODAY = date(2026, 11, 23)


def test_a_cycle_runs_from_the_day_after_the_previous_conference_to_its_own_day() -> None:
    calendar = ConferenceCalendar(DEFAULT_CONFERENCES)
    assert calendar.number_of(date(2021, 12, 13)) == 20
    assert calendar.number_of(date(2021, 12, 14)) == 21
    assert calendar.number_of(date(2023, 12, 18)) == 21
    cycle = calendar.cycle(21, TODAY)
    assert cycle is not None
    assert (cycle.start_after, cycle.end, cycle.is_open) == (
        date(2021, 12, 13),
        date(2023, 12, 18),
        False,
    )
    assert cycle.contains(date(2021, 12, 14)) and not cycle.contains(date(2021, 12, 13))


def test_the_cycle_after_the_last_conference_is_open_and_runs_to_today() -> None:
    calendar = ConferenceCalendar(DEFAULT_CONFERENCES)
    assert calendar.open_number == 22
    assert calendar.number_of(date(2025, 1, 1)) == 22
    cycle = calendar.cycle(22, TODAY)
    assert cycle is not None and cycle.is_open and cycle.end == TODAY
    assert cycle.conference_on is None


def test_a_signing_on_or_before_the_earliest_conference_belongs_to_no_cycle() -> None:
    calendar = ConferenceCalendar(DEFAULT_CONFERENCES)
    assert calendar.number_of(date(2001, 1, 1)) is None
    assert calendar.number_of(date(2016, 8, 21)) is None
    assert calendar.number_of(date(2016, 8, 22)) == 19
    assert calendar.first_number == 19
    assert calendar.cycle(18, TODAY) is None and calendar.cycle(23, TODAY) is None
    assert [c.number for c in calendar.cycles(TODAY)] == [19, 20, 21, 22]


def test_an_earlier_conference_date_gives_the_18th_cycle_its_start() -> None:
    calendar = ConferenceCalendar({**DEFAULT_CONFERENCES, 17: date(2014, 12, 10)})
    assert calendar.number_of(date(2015, 6, 1)) == 18
    assert calendar.number_of(date(2014, 12, 10)) is None
    first = calendar.cycle(18, TODAY)
    assert first is not None and first.start_after == date(2014, 12, 10)


def test_the_cycle_heading_names_the_conference_in_each_language() -> None:
    assert cycle_heading(21, "vi") == "Kỳ Hội nghị Ngoại vụ toàn quốc lần thứ 21"
    assert cycle_heading(22, "en") == "Cycle of the 22nd National Conference on External Affairs"
    assert cycle_heading(None, "en") == "Outside the configured conference cycles"


def test_setting_the_22nd_conference_closes_its_cycle_and_opens_the_23rd() -> None:
    calendar = ConferenceCalendar({**DEFAULT_CONFERENCES, 22: date(2025, 12, 20)})
    assert calendar.number_of(date(2025, 12, 20)) == 22
    assert calendar.number_of(date(2025, 12, 21)) == 23
    assert calendar.open_number == 23
    assert calendar.fingerprint() != ConferenceCalendar(DEFAULT_CONFERENCES).fingerprint()


def test_conference_dates_must_follow_one_another() -> None:
    with pytest.raises(ValueError, match="increase"):
        ConferenceCalendar({**DEFAULT_CONFERENCES, 22: date(2020, 1, 1)})
    with pytest.raises(ValueError, match="follow"):
        ConferenceCalendar({**DEFAULT_CONFERENCES, 24: date(2030, 1, 1)})
