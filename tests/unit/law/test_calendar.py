"""Working days and consultation deadlines (domain.md §2.3) on the real Vietnamese calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from common.law.calendar import TZ, WorkingDayCalendar, default_calendar
from common.law.deadlines import working_days_deadline


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def close_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59, 999999), tzinfo=TZ)


@pytest.fixture(scope="module")
def cal() -> WorkingDayCalendar:
    return default_calendar()


def write_overrides(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "overrides.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_seven_working_day_deadline_skips_tet_2025(cal: WorkingDayCalendar) -> None:
    # Received Thursday 23/1/2025; Tết Ất Tỵ closes offices from Saturday 25/1 to Sunday 2/2.
    # Working days: Fri 24/1, then Mon 3/2 .. Fri 7/2, then Mon 10/2.
    deadline = working_days_deadline(cal, local(2025, 1, 23, 10, 0), 7)
    assert deadline == close_of(date(2025, 2, 10))


def test_seven_working_day_deadline_skips_tet_2026(cal: WorkingDayCalendar) -> None:
    # Tết Bính Ngọ: offices closed Saturday 14/2 to Sunday 22/2/2026.
    # Working days after Wed 11/2: Thu 12, Fri 13, then Mon 23 .. Fri 27 (7th).
    deadline = working_days_deadline(cal, local(2026, 2, 11, 15, 30), 7)
    assert deadline == close_of(date(2026, 2, 27))


def test_make_up_saturday_counts_as_a_working_day(cal: WorkingDayCalendar) -> None:
    # Saturday 26/4/2025 was worked in exchange for Friday 2/5/2025.
    assert cal.is_working_day(date(2025, 4, 26))
    assert not cal.is_working_day(date(2025, 5, 2))
    # Received Wed 23/4: Thu 24, Fri 25, Sat 26 -> the reduced deadline ends on the Saturday.
    assert working_days_deadline(cal, local(2025, 4, 23, 9, 0), 3) == close_of(date(2025, 4, 26))
    # The full 7 days: ..., Mon 28, Tue 29, (30/4, 1/5, 2/5 off), Mon 5/5, Tue 6/5.
    assert working_days_deadline(cal, local(2025, 4, 23, 9, 0), 7) == close_of(date(2025, 5, 6))


def test_reduced_procedure_deadline_is_three_working_days(cal: WorkingDayCalendar) -> None:
    assert working_days_deadline(cal, local(2025, 3, 10, 8, 0), 3) == close_of(date(2025, 3, 13))


def test_dossier_received_on_a_weekend_counts_from_monday(cal: WorkingDayCalendar) -> None:
    received = local(2025, 3, 8, 15, 0)  # Saturday
    assert working_days_deadline(cal, received, 3) == close_of(date(2025, 3, 12))
    assert working_days_deadline(cal, received, 7) == close_of(date(2025, 3, 18))


def test_received_date_is_taken_in_vietnam_time(cal: WorkingDayCalendar) -> None:
    # Friday 17:30 UTC is already Saturday 00:30 in Hà Nội: same deadline as a weekend receipt.
    received = datetime(2025, 3, 7, 17, 30, tzinfo=UTC)
    assert working_days_deadline(cal, received, 3) == close_of(date(2025, 3, 12))


def test_deadline_is_close_of_day_in_vietnam_time(cal: WorkingDayCalendar) -> None:
    deadline = working_days_deadline(cal, local(2025, 3, 10, 8, 0), 1)
    assert deadline.astimezone(TZ).time() == time.max
    assert deadline.astimezone(UTC) == datetime(2025, 3, 11, 16, 59, 59, 999999, tzinfo=UTC)


def test_naive_datetime_is_refused(cal: WorkingDayCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        working_days_deadline(cal, datetime(2025, 3, 10, 8, 0), 7)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.working_days_between(datetime(2025, 3, 10), local(2025, 3, 12))


def test_at_least_one_working_day_is_required(cal: WorkingDayCalendar) -> None:
    with pytest.raises(ValueError):
        cal.add_working_days(date(2025, 3, 10), 0)


def test_start_day_never_counts(cal: WorkingDayCalendar) -> None:
    assert cal.add_working_days(date(2025, 3, 10), 1) == date(2025, 3, 11)


def test_a_datetime_is_not_accepted_as_a_day(cal: WorkingDayCalendar) -> None:
    with pytest.raises(TypeError):
        cal.is_working_day(local(2025, 1, 29, 10, 0))


def test_packaged_overrides_hold_the_announced_swaps(cal: WorkingDayCalendar) -> None:
    assert not cal.is_working_day(date(2024, 4, 29))
    assert cal.is_working_day(date(2024, 5, 4))
    assert "hoán đổi" in (cal.holiday_name(date(2024, 4, 29)) or "")
    assert cal.holiday_name(date(2024, 5, 4)) is None


def test_holiday_names_in_both_languages(cal: WorkingDayCalendar) -> None:
    assert cal.holiday_name(date(2025, 1, 29)) == "Tết Nguyên Đán"
    assert cal.holiday_name(date(2025, 1, 29), "en") == "Lunar New Year"
    assert cal.holiday_name(date(2025, 9, 2), "en") == "National Day"
    assert cal.holiday_name(date(2025, 3, 12)) is None
    with pytest.raises(ValueError):
        cal.holiday_name(date(2025, 1, 29), "fr")


def test_override_file_wins_over_the_library(tmp_path: Path) -> None:
    path = write_overrides(
        tmp_path,
        """
[[working_day]]
date = 2025-01-31
reason_vi = "Hủy ngày nghỉ (thử nghiệm)"
reason_en = "Holiday cancelled (test)"
source = "test"

[[day_off]]
date = 2025-03-12
reason_vi = "Nghỉ đột xuất (thử nghiệm)"
reason_en = "Ad-hoc day off (test)"
source = "test"

[[day_off]]
date = 2025-04-26
reason_vi = "Không làm bù (thử nghiệm)"
reason_en = "No make-up day (test)"
source = "test"
""",
    )
    cal = WorkingDayCalendar(path)
    # A library holiday turned into a working day.
    assert cal.is_working_day(date(2025, 1, 31))
    assert cal.holiday_name(date(2025, 1, 31)) is None
    # An ordinary Wednesday turned into a day off, named by the override.
    assert not cal.is_working_day(date(2025, 3, 12))
    assert cal.holiday_name(date(2025, 3, 12), "en") == "Ad-hoc day off (test)"
    # A make-up Saturday known to the library taken away.
    assert not cal.is_working_day(date(2025, 4, 26))
    # Deadlines follow: Tue 11/3 + 3 working days skips Wed 12/3.
    assert working_days_deadline(cal, local(2025, 3, 11, 9, 0), 3) == close_of(date(2025, 3, 17))


def test_constructor_extras_win_over_the_override_file(tmp_path: Path) -> None:
    path = write_overrides(tmp_path, "")
    cal = WorkingDayCalendar(
        path, extra_day_off=[date(2025, 3, 12)], extra_working_day=[date(2025, 3, 15)]
    )
    assert not cal.is_working_day(date(2025, 3, 12))
    assert cal.is_working_day(date(2025, 3, 15))
    assert cal.holiday_name(date(2025, 3, 12)) == "Ngày nghỉ bổ sung"


@pytest.mark.parametrize(
    "text",
    [
        '[[days_off]]\ndate = 2025-03-12\nreason_vi = "x"\nreason_en = "x"\nsource = "x"\n',
        '[[day_off]]\ndate = 2025-03-12\nreason_vi = "x"\nreason_en = "x"\n',
        '[[day_off]]\ndate = "2025-03-12"\nreason_vi = "x"\nreason_en = "x"\nsource = "x"\n',
        '[[day_off]]\ndate = 2025-03-12\nreason_vi = "x"\nreason_en = "x"\nsource = "x"\n'
        '[[working_day]]\ndate = 2025-03-12\nreason_vi = "x"\nreason_en = "x"\nsource = "x"\n',
    ],
    ids=["unknown-table", "missing-source", "date-as-string", "both-kinds"],
)
def test_malformed_override_file_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(ValueError):
        WorkingDayCalendar(write_overrides(tmp_path, text))


def test_working_days_between(cal: WorkingDayCalendar) -> None:
    received = local(2025, 1, 23, 10, 0)
    # Same span as the Tết deadline: exactly 7 working days.
    assert cal.working_days_between(received, local(2025, 2, 10, 9, 0)) == 7
    # Across Tết, only Friday 24/1 is a working day.
    assert cal.working_days_between(received, local(2025, 2, 2, 12, 0)) == 1
    # Friday to Monday: one.
    assert cal.working_days_between(local(2025, 2, 7, 16, 0), local(2025, 2, 10, 8, 0)) == 1
    # Same day, or end before start: none.
    assert cal.working_days_between(received, local(2025, 1, 23, 17, 0)) == 0
    assert cal.working_days_between(received, local(2025, 1, 20, 9, 0)) == 0


def test_default_calendar_is_shared() -> None:
    assert default_calendar() is default_calendar()
