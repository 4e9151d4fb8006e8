"""Moments (date-times) as every service accepts them, in a query or a body: ISO 8601, read as
Vietnam time when written without an offset, and only within the years a record can mean.

People here write times as they read them on the wall clock, so a moment without an offset is
taken as Vietnam time rather than refused or guessed as UTC. A moment Python or the databases
cannot hold after conversion (`0001-01-01T00:00:00+14:00` is a day before year 1 in UTC) is a
broken rule of the request, never a server error.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from pydantic import AfterValidator, BeforeValidator, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from common.law.calendar import TZ

# The first and the last day a moment may fall on (Vietnam time, both included): wide enough
# for any historical record and any far expiry, narrow enough for every date arithmetic.
EARLIEST_DAY: Final = "1900-01-01"
LATEST_DAY: Final = "2199-12-31"
_EARLIEST: Final = datetime.fromisoformat(EARLIEST_DAY).replace(tzinfo=TZ)
_AFTER_LATEST: Final = datetime.fromisoformat("2200-01-01").replace(tzinfo=TZ)

# What the OpenAPI description of every date-time parameter and field says.
MOMENT_NOTE: Final = (
    "ISO 8601 date-time, e.g. 2026-03-01T09:30:00+07:00; without an offset it is Vietnam time "
    f"(UTC+07:00). From {EARLIEST_DAY} to {LATEST_DAY}."
)

# The pydantic error types this module raises; common.problems words them for people.
FORMAT_ERROR: Final = "datetime_format"
RANGE_ERROR: Final = "datetime_range"

# A date first: numbers (which pydantic would read as Unix times) and words are not moments.
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}(?:[Tt ]|$)")


def described(what: str) -> str:
    """A parameter's own description followed by the rule every moment follows."""
    return f"{what}. {MOMENT_NOTE}"


def _iso_only(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_START.match(value):
        return value
    raise PydanticCustomError(
        FORMAT_ERROR, "Input should be an ISO 8601 date-time, e.g. 2026-03-01T09:30:00+07:00"
    )


def in_utc(moment: datetime) -> datetime:
    """The moment in UTC: Vietnam time when it has no offset; ValueError (a pydantic error
    when validating) outside EARLIEST_DAY..LATEST_DAY."""
    local = moment if moment.tzinfo is not None else moment.replace(tzinfo=TZ)
    try:
        utc = local.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not _EARLIEST <= utc < _AFTER_LATEST:
        raise PydanticCustomError(
            RANGE_ERROR,
            "Input should be between {earliest} and {latest}",
            {"earliest": EARLIEST_DAY, "latest": LATEST_DAY},
        )
    return utc


# A moment of a query parameter or body field; validated, it is an aware datetime in UTC.
Moment = Annotated[datetime, BeforeValidator(_iso_only), AfterValidator(in_utc)]

_ADAPTER: Final[TypeAdapter[datetime]] = TypeAdapter(Moment)


def parse_moment(text: str) -> datetime:
    """A moment typed on a command line, by the same rules; ValueError with the reason."""
    try:
        return _ADAPTER.validate_python(text.strip())
    except ValidationError as exc:
        raise ValueError(exc.errors()[0]["msg"]) from None
