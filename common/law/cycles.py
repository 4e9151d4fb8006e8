"""Conference cycles (domain.md §4): which period of signing each National Conference on
External Affairs (Hội nghị Ngoại vụ toàn quốc) reviews.

Cycle N covers agreements signed after conference N-1's date up to and including conference
N's date. A cycle needs both ends on record: the earliest configured conference only closes the
period before the first cycle, so an agreement signed on or before its date belongs to no cycle
unless an earlier conference's date is configured too. After the last conference with a date,
the next cycle is open and runs to today.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Final

from common.law.labels import ordinal

# The dates on record; the 22nd is set through the settings once it is fixed.
DEFAULT_CONFERENCES: Final[Mapping[int, date]] = MappingProxyType(
    {
        18: date(2016, 8, 21),
        19: date(2018, 8, 12),
        20: date(2021, 12, 13),
        21: date(2023, 12, 18),
    }
)


@dataclass(frozen=True)
class Cycle:
    """Signing period reviewed by conference `number`: (`start_after`, `end`]."""

    number: int
    start_after: date  # the previous conference's date
    end: date  # the conference's date, or today for the open cycle
    conference_on: date | None  # None while the conference has no date
    is_open: bool

    def contains(self, day: date) -> bool:
        return self.start_after < day <= self.end


class ConferenceCalendar:
    """The configured conferences and the cycles they make, as of a given day."""

    def __init__(self, conferences: Mapping[int, date]) -> None:
        numbers = sorted(conferences)
        if not numbers:
            raise ValueError("at least one conference date is needed")
        if numbers != list(range(numbers[0], numbers[-1] + 1)):
            raise ValueError(f"conference numbers must follow one another: {numbers}")
        dates = [conferences[n] for n in numbers]
        if any(b <= a for a, b in itertools.pairwise(dates)):
            raise ValueError("conference dates must increase with their number")
        self.conferences: Mapping[int, date] = MappingProxyType(
            dict(zip(numbers, dates, strict=True))
        )
        self._numbers = numbers
        self._dates = dates

    @property
    def open_number(self) -> int:
        """The cycle whose conference has no date yet."""
        return self._numbers[-1] + 1

    @property
    def first_number(self) -> int:
        """The first cycle with both ends on record."""
        return self._numbers[0] + 1

    def fingerprint(self) -> str:
        """Changes whenever a conference date changes: stored figures keyed by cycle must then
        be recomputed."""
        return ";".join(f"{n}={d.isoformat()}" for n, d in self.conferences.items())

    def number_of(self, day: date) -> int | None:
        """The cycle a signing date falls in (the open cycle after the last conference); None
        on or before the earliest configured conference."""
        index = bisect.bisect_left(self._dates, day)
        if index == 0:
            return None
        if index == len(self._dates):
            return self.open_number
        return self._numbers[index]

    def cycle(self, number: int, today: date) -> Cycle | None:
        """Cycle `number` as of `today`; None when there is no such cycle."""
        if number < self.first_number or number > self.open_number:
            return None
        start_after = self.conferences[number - 1]
        if number == self.open_number:
            return Cycle(number, start_after, max(today, start_after), None, True)
        conference_on = self.conferences[number]
        return Cycle(number, start_after, conference_on, conference_on, False)

    def cycles(self, today: date) -> list[Cycle]:
        out = []
        for number in range(self.first_number, self.open_number + 1):
            cycle = self.cycle(number, today)
            assert cycle is not None
            out.append(cycle)
        return out


def cycle_heading(number: int | None, lang: str) -> str:
    """ "Kỳ Hội nghị Ngoại vụ toàn quốc lần thứ 21" / "Cycle of the 21st National Conference on
    External Affairs"; for None, the words for an agreement outside every cycle."""
    if number is None:
        if lang == "vi":
            return "Ngoài các kỳ Hội nghị Ngoại vụ đã cấu hình"
        return "Outside the configured conference cycles"
    if lang == "vi":
        return f"Kỳ Hội nghị Ngoại vụ toàn quốc lần thứ {number}"
    return f"Cycle of the {ordinal(number, lang)} National Conference on External Affairs"
