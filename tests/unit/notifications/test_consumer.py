"""The consumer tells a database outage (wait, never dead-letter) from a bad event."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from services.notifications.consumer import is_outage


def test_an_unreachable_or_locked_database_is_an_outage_to_wait_out() -> None:
    locked = OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))
    assert is_outage(locked)
    assert is_outage(PoolTimeout("QueuePool limit reached"))


def test_a_duplicate_or_a_bug_is_not_an_outage() -> None:
    duplicate = IntegrityError("INSERT ...", {}, sqlite3.IntegrityError("UNIQUE constraint"))
    assert not is_outage(duplicate)
    assert not is_outage(KeyError("body"))
    assert not is_outage(ValueError("bad template"))
