"""Deadlines in calendar days roll over to the next working day (Civil Code Art. 147, 148), and
the calendar says which years' deadlines are still provisional and which it cannot count."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from common.law.calendar import CalendarUnknown, WorkingDayCalendar, default_calendar
from common.law.deadlines import calendar_days_deadline, copy_due_on, notice_due_on


def test_a_period_ending_on_a_working_day_ends_that_day() -> None:
    # Signed Friday 2026-03-06: the 15th day after is Saturday 21 March, so Monday 23 March.
    assert copy_due_on(default_calendar(), date(2026, 3, 6), calendar_days=15) == date(2026, 3, 23)
    # Signed Tuesday 2026-03-03: the 15th day after is Wednesday 18 March.
    assert copy_due_on(default_calendar(), date(2026, 3, 3), calendar_days=15) == date(2026, 3, 18)


def test_a_period_ending_on_a_public_holiday_ends_on_the_next_working_day() -> None:
    # 15 days after 15 April 2026 is 30 April (Reunification Day), then 1 May (Labour Day) and
    # the weekend: the copy is due on Monday 4 May.
    assert copy_due_on(default_calendar(), date(2026, 4, 15), calendar_days=15) == date(2026, 5, 4)
    # A notice whose last day falls in Tết 2027 ends after it.
    due = notice_due_on(default_calendar(), date(2027, 1, 22), calendar_days=15)
    assert default_calendar().is_working_day(due)
    assert due > date(2027, 2, 6)


def test_a_made_up_saturday_is_a_working_day_for_a_period_too() -> None:
    # Saturday 26 April 2025 was a make-up working day.
    assert calendar_days_deadline(default_calendar(), date(2025, 4, 11), 15) == date(2025, 4, 26)


def test_deadlines_in_a_year_without_announced_swaps_are_provisional() -> None:
    cal = default_calendar()
    assert cal.announced_through is not None
    last = cal.announced_through
    assert not cal.is_provisional(date(last, 12, 31))
    assert cal.is_provisional(date(last + 1, 1, 2))


def test_outside_the_years_the_library_knows_the_calendar_refuses() -> None:
    with pytest.raises(CalendarUnknown, match="2101"):
        default_calendar().is_working_day(date(2101, 3, 1))
    with pytest.raises(CalendarUnknown):
        calendar_days_deadline(default_calendar(), date(2100, 12, 25), 15)


def test_an_announcement_needs_a_year_and_its_source(tmp_path: Path) -> None:
    path = tmp_path / "overrides.toml"
    path.write_text("[[announced]]\nyear = 2030\n", encoding="utf-8")
    with pytest.raises(ValueError, match="year and source"):
        WorkingDayCalendar(path)
    path.write_text('[[announced]]\nyear = 2030\nsource = "TB 1/2029"\n', encoding="utf-8")
    assert WorkingDayCalendar(path).announced_through == 2030
