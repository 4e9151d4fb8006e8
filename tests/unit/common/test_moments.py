"""Moments as every service reads them: ISO 8601, Vietnam time without an offset, within the
accepted years; anything else a validation error, never an exception of another kind."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ValidationError

from common.moments import MOMENT_NOTE, RANGE_ERROR, Moment, described, parse_moment
from common.problems import translate_validation_errors


class Query(BaseModel):
    at: Moment


def errors_of(value: object) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        Query(at=value)
    return [(e["type"], e["msg"]) for e in caught.value.errors()]


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-01-01T00:00:00", datetime(2025, 12, 31, 17, 0, tzinfo=UTC)),
        ("2026-01-01", datetime(2025, 12, 31, 17, 0, tzinfo=UTC)),
        ("2026-01-01 09:30", datetime(2026, 1, 1, 2, 30, tzinfo=UTC)),
        ("2026-01-01T00:00:00Z", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01T00:00:00+09:00", datetime(2025, 12, 31, 15, 0, tzinfo=UTC)),
        ("2199-12-31T23:59:59+07:00", datetime(2199, 12, 31, 16, 59, 59, tzinfo=UTC)),
    ],
)
def test_a_moment_without_an_offset_is_vietnam_time_and_comes_out_in_utc(
    text: str, utc: datetime
) -> None:
    moment = Query(at=text).at
    assert moment == utc and moment.utcoffset() is not None
    assert parse_moment(text) == utc


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00",
        "9999-12-31T23:59:59",
        "1800-01-01T00:00:00Z",
        "2200-01-01T00:00:00+07:00",
        "2199-12-31T17:00:00Z",
    ],
)
def test_a_moment_outside_the_accepted_years_is_a_range_error(text: str) -> None:
    assert errors_of(text) == [(RANGE_ERROR, "Input should be between 1900-01-01 and 2199-12-31")]
    with pytest.raises(ValueError, match="between 1900-01-01 and 2199-12-31"):
        parse_moment(text)


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "",
        "-1",
        "1e20",
        "1700000000",
        1700000000,
        "2026-13-01T00:00:00",
        "2026-01-01T25:00",
        "2026-01-01T00:00:00+25:00",
        "\x00",
        None,
    ],
)
def test_anything_but_an_iso_moment_is_a_format_error(value: object) -> None:
    [(kind, _)] = errors_of(value)
    assert kind.startswith("datetime_")


def test_both_errors_read_in_both_languages_naming_the_rule() -> None:
    for value, rule in (("9999-12-31T23:59:59-14:00", "date_time_range"), ("-1", "date_time")):
        with pytest.raises(ValidationError) as caught:
            Query(at=value)
        vi = translate_validation_errors(caught.value.errors(), "vi")
        en = translate_validation_errors(caught.value.errors(), "en")
        assert [(e.field, e.rule) for e in vi] == [(e.field, e.rule) for e in en] == [("at", rule)]
        assert "giờ Việt Nam" in vi[0].message and "Vietnam time" in en[0].message


def test_the_description_says_how_a_moment_is_read() -> None:
    assert described("tasks due before").endswith(MOMENT_NOTE)
    assert "Vietnam time" in MOMENT_NOTE and "1900-01-01" in MOMENT_NOTE
