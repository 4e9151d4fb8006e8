"""The working-day calendar of Vietnamese administrations, its time zone and its hours.

A working day (ngày làm việc) is Monday to Friday, except public holidays and the days off the
Government announces, plus the make-up Saturdays (ngày làm bù) it announces. Holidays come from
the `holidays` library; announced swaps also come from ``data/working_day_overrides.toml``,
which wins over the library. Working days are counted here and nowhere else; the deadlines
built on them are in `deadlines.py`.
"""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import holidays

# Vietnam keeps UTC+7 all year: every local date and deadline of the procedure is in it.
TZ: Final = ZoneInfo("Asia/Ho_Chi_Minh")
# Reminders and escalations go out at the start of the office day.
REMINDER_TIME: Final = time(8, 0)
OVERRIDES_PATH: Final = Path(__file__).resolve().parents[1] / "data" / "working_day_overrides.toml"

# The library's language codes for the two labels the product shows.
_LIB_LANGUAGES: Final = {"vi": "vi", "en": "en_US"}
_EXTRA_DAY_OFF_NAME: Final = ("Ngày nghỉ bổ sung", "Additional day off")
_OVERRIDE_KINDS: Final = ("day_off", "working_day")
_OVERRIDE_KEYS: Final = ("date", "reason_vi", "reason_en", "source")
_ANNOUNCED: Final = "announced"
# The years for which the library knows Vietnam's public holidays (lunar ones included).
FIRST_YEAR: Final = holidays.Vietnam.start_year
LAST_YEAR: Final = holidays.Vietnam.end_year


class CalendarUnknown(ValueError):
    """A date outside the years whose public holidays are known: refusing beats a calendar
    that silently has no holidays."""


@dataclass(frozen=True)
class _YearDays:
    """One calendar year, already merged: library, then override file, then constructor extras."""

    days_off: Mapping[date, tuple[str, str]]  # (vi, en) name of every non-working holiday
    working_days: frozenset[date]  # announced working days, whatever their weekday


class WorkingDayCalendar:
    """Answers "is this a working day" and "when does N working days from now end".

    Deadlines end at the *close of day*: 23:59:59.999999 local time of the last working day.
    The law counts whole days ("within 7 working days"), not office hours, so an opinion sent
    any time on that day is on time.
    """

    def __init__(
        self,
        overrides_path: Path | None = None,
        extra_day_off: Iterable[date] = (),
        extra_working_day: Iterable[date] = (),
    ) -> None:
        """`overrides_path` defaults to the packaged override file, so that a calendar built
        without arguments is the correct one; pass another file in tests. The extras are for
        ad-hoc days (e.g. a province's own day off) and win over both the file and the library.
        """
        self._file_off, self._file_working, announced = _load_overrides(
            overrides_path or OVERRIDES_PATH
        )
        # The last year whose swaps the Government has announced (and the file records).
        self.announced_through: int | None = max(announced, default=None)
        extra_off = frozenset(extra_day_off)
        self._extra_working = frozenset(extra_working_day)
        if clash := extra_off & self._extra_working:
            raise ValueError(f"dates both day off and working day: {sorted(clash)}")
        self._extra_off = {d: _EXTRA_DAY_OFF_NAME for d in extra_off}
        self._years: dict[int, _YearDays] = {}
        # Building a year calls the library twice; the lock keeps concurrent first calls from
        # doing it more than once. Reads of an already built year never take it.
        self._lock = threading.Lock()

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday unless a holiday or announced day off, or an announced working day."""
        year = self._year(_as_date(day).year)
        if day in year.working_days:
            return True
        if day in year.days_off:
            return False
        return day.weekday() < 5

    def is_provisional(self, day: date) -> bool:
        """Whether a deadline on `day` may still move: its year's swaps (make-up Saturdays,
        bridged days) are not announced yet, so people should see it as provisional."""
        last = self.announced_through
        return last is not None and _as_date(day).year > last

    def holiday_name(self, day: date, lang: str = "vi") -> str | None:
        """The holiday or announced day off falling on `day`, in "vi" or "en"; None on a
        working day (including a cancelled holiday) and on an ordinary weekend."""
        index = _language_index(lang)
        year = self._year(_as_date(day).year)
        if day in year.working_days:
            return None
        names = year.days_off.get(day)
        return None if names is None else names[index]

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start`; `start` itself never counts, even if working."""
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        day = _as_date(start)
        while n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days after `start`'s local date up to and including `end`'s local date;
        0 when `end` falls on or before `start`'s day. With start = now and end = a deadline
        this is "working days left"; with start = received and end = answered it is the
        working days an opinion took."""
        first = _local_date(start, "start")
        last = _local_date(end, "end")
        count = 0
        day = first + timedelta(days=1)
        while day <= last:
            if self.is_working_day(day):
                count += 1
            day += timedelta(days=1)
        return count

    def _year(self, year: int) -> _YearDays:
        built = self._years.get(year)
        if built is not None:
            return built
        with self._lock:
            built = self._years.get(year)
            if built is None:
                built = self._build_year(year)
                self._years[year] = built
            return built

    def _build_year(self, year: int) -> _YearDays:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise CalendarUnknown(
                f"Vietnam's public holidays are known for {FIRST_YEAR}-{LAST_YEAR} only, "
                f"not for {year}: no working day can be counted then"
            )
        # Neighbouring years are populated too: a make-up Saturday in late December can belong
        # to a swap declared for the next January (the library files it under that year).
        years = range(year - 1, year + 2)
        vi = holidays.Vietnam(years=years, language=_LIB_LANGUAGES["vi"])
        en = holidays.Vietnam(years=years, language=_LIB_LANGUAGES["en"])
        days_off: dict[date, tuple[str, str]] = {
            d: (name, en.get(d) or name) for d, name in vi.items() if d.year == year
        }
        working = {d for d in vi.weekend_workdays if d.year == year}

        # Later layers win: library < override file < constructor extras.
        for layer_off, layer_working in (
            (self._file_off, self._file_working),
            (self._extra_off, self._extra_working),
        ):
            for d, names in layer_off.items():
                if d.year == year:
                    days_off[d] = names
                    working.discard(d)
            for d in layer_working:
                if d.year == year:
                    days_off.pop(d, None)
                    working.add(d)
        return _YearDays(days_off=days_off, working_days=frozenset(working))


@cache
def default_calendar() -> WorkingDayCalendar:
    """The one calendar every service uses: library holidays plus the packaged override file."""
    return WorkingDayCalendar(OVERRIDES_PATH)


def local_date(moment: datetime) -> date:
    """The day in Vietnam on which `moment` falls; a naive moment is refused."""
    return _local_date(moment, "moment")


def start_of_day(day: date) -> datetime:
    """00:00 in Vietnam on `day`, in UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=TZ).astimezone(UTC)


def morning_of(day: date) -> datetime:
    """The reminder hour (08:00) in Vietnam on `day`, in UTC."""
    return datetime.combine(day, REMINDER_TIME, tzinfo=TZ).astimezone(UTC)


def close_of_day(day: date) -> datetime:
    """The last instant (23:59:59.999999) of `day` in Vietnam, in UTC: a deadline ending on a
    day is met by anything done that day."""
    return datetime.combine(day, time.max, tzinfo=TZ).astimezone(UTC)


def _load_overrides(
    path: Path,
) -> tuple[dict[date, tuple[str, str]], frozenset[date], frozenset[int]]:
    """(day off -> (reason_vi, reason_en), working days, years announced) from an override
    file; refuses malformed entries loudly, since a silently ignored swap shifts every legal
    deadline."""
    with path.open("rb") as f:
        data = tomllib.load(f)
    unknown = set(data) - {*_OVERRIDE_KINDS, _ANNOUNCED}
    if unknown:
        raise ValueError(
            f"{path}: unknown tables {sorted(unknown)}; use [[day_off]], [[working_day]] "
            "or [[announced]]"
        )
    days_off: dict[date, tuple[str, str]] = {}
    working: set[date] = set()
    for kind in _OVERRIDE_KINDS:
        entries = data.get(kind, [])
        if not isinstance(entries, list):
            raise ValueError(f"{path}: {kind} must be an array of tables ([[{kind}]])")
        for i, entry in enumerate(entries):
            day, reason_vi, reason_en = _parse_entry(path, kind, i, entry)
            if kind == "day_off":
                days_off[day] = (reason_vi, reason_en)
            else:
                working.add(day)
    if clash := set(days_off) & working:
        raise ValueError(f"{path}: dates both day off and working day: {sorted(clash)}")
    return days_off, frozenset(working), _load_announced(path, data.get(_ANNOUNCED, []))


def _load_announced(path: Path, entries: Any) -> frozenset[int]:
    """[[announced]] year = 2026, source = "...": the Government's swaps for that year are
    known (recorded above, or already in the library)."""
    if not isinstance(entries, list):
        raise ValueError(f"{path}: announced must be an array of tables ([[announced]])")
    years = set()
    for i, entry in enumerate(entries):
        where = f"{path}: announced[{i}]"
        if not isinstance(entry, dict) or set(entry) != {"year", "source"}:
            raise ValueError(f"{where}: needs exactly year and source")
        if not isinstance(entry["year"], int) or not FIRST_YEAR <= entry["year"] <= LAST_YEAR:
            raise ValueError(f"{where}: year must be a year from {FIRST_YEAR} to {LAST_YEAR}")
        if not isinstance(entry["source"], str) or not entry["source"].strip():
            raise ValueError(f"{where}: source must be a non-empty string")
        years.add(entry["year"])
    return frozenset(years)


def _parse_entry(path: Path, kind: str, index: int, entry: Any) -> tuple[date, str, str]:
    where = f"{path}: {kind}[{index}]"
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: must be a table")
    missing = [key for key in _OVERRIDE_KEYS if key not in entry]
    if missing:
        raise ValueError(f"{where}: missing {missing}")
    day = entry["date"]
    # tomllib gives datetime for date-times, and datetime is a date subclass: refuse it.
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ValueError(f"{where}: date must be a TOML date like 2025-04-26, got {day!r}")
    for key in _OVERRIDE_KEYS[1:]:
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise ValueError(f"{where}: {key} must be a non-empty string")
    return day, entry["reason_vi"], entry["reason_en"]


def _as_date(day: date) -> date:
    # A datetime never equals a date, so it would miss every holiday lookup: refuse it.
    if isinstance(day, datetime):
        raise TypeError("expected a date; convert with .astimezone(TZ).date() first")
    return day


def _local_date(moment: datetime, name: str) -> date:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware; got naive {moment.isoformat()}")
    return moment.astimezone(TZ).date()


def _language_index(lang: str) -> int:
    base = lang.replace("-", "_").split("_")[0].lower()
    if base not in _LIB_LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; use 'vi' or 'en'")
    return 0 if base == "vi" else 1
