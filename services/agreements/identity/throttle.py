"""Failed sign-ins are limited per account and per address.

The counting is the `limits` library's fixed-window strategy; its counters live in the
agreements database (table `login_counters`, a `limits` storage of our own below), so every
process and replica of the service counts the same attempts, and a restart forgets nothing.
An account or address over its limit is refused before its password is even checked, until
its window ends (429 with `Retry-After`). A successful sign-in clears its account's counter,
not its address's.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import case, delete, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select

from common.db import Database
from common.problems import Problem, ServiceError, register_texts
from services.agreements.models import LoginCounter

register_texts(
    {
        "too_many_logins": (
            "Đăng nhập sai quá nhiều lần; vui lòng thử lại sau {minutes} phút.",
            "Too many failed sign-ins; please try again in {minutes} minute(s).",
        ),
    }
)


class TooManyRequests(ServiceError):
    """Refused until `retry_after` seconds have passed (sent as `Retry-After`)."""

    status = 429

    def to_problem(self, lang: str) -> Problem:
        problem = super().to_problem(lang)
        problem.headers = {"Retry-After": str(int(self.params.get("retry_after", 60)))}
        return problem

    @property
    def retry_after(self) -> int:
        return int(self.params.get("retry_after", 60))


COUNTERS = LoginCounter.__table__  # type: ignore[attr-defined]


class DatabaseStorage(Storage):
    """A `limits` storage on the service's database: one row per counter, incremented by an
    upsert so concurrent processes never lose a count."""

    STORAGE_SCHEME = None

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        insert = sqlite_insert if self.db.is_sqlite else pg_insert
        ended = COUNTERS.c.expires_at <= now
        upsert = (
            insert(COUNTERS)
            .values(key=key, count=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[COUNTERS.c.key],
                set_={
                    # A window that ended starts again at this attempt.
                    "count": case((ended, amount), else_=COUNTERS.c.count + amount),
                    "expires_at": case((ended, now + expiry), else_=COUNTERS.c.expires_at),
                },
            )
            .returning(COUNTERS.c.count)
        )
        with self.db.write_session() as session:
            # Counters whose window ended long ago: gone, so the table stays small.
            session.execute(delete(COUNTERS).where(COUNTERS.c.expires_at < now - 3600))
            count = int(session.execute(upsert).scalar_one())
            session.commit()
        return count

    def _row(self, key: str) -> LoginCounter | None:
        with self.db.session() as session:
            row = session.get(LoginCounter, key)
        if row is None or row.expires_at <= time.time():
            return None
        return row

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row is not None else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row is not None else time.time()

    def check(self) -> bool:
        with self.db.session() as session:
            session.exec(select(col(LoginCounter.key)).limit(1)).all()
        return True

    def reset(self) -> int | None:
        with self.db.write_session() as session:
            removed = session.execute(select(func.count()).select_from(LoginCounter)).scalar_one()
            session.execute(delete(COUNTERS))
            session.commit()
        return int(removed)

    def clear(self, key: str) -> None:
        with self.db.write_session() as session:
            session.execute(delete(COUNTERS).where(COUNTERS.c.key == key))
            session.commit()


class LoginThrottle:
    """Per-account and per-address limits on failed sign-ins, e.g. "5 per 15 minutes"."""

    def __init__(self, db: Database, *, per_account: str, per_address: str) -> None:
        self.limiter = FixedWindowRateLimiter(DatabaseStorage(db))
        self.per_account: RateLimitItem = parse(per_account)
        self.per_address: RateLimitItem = parse(per_address)

    @staticmethod
    def _account(username: str) -> str:
        return username.strip().lower()[:200] or "-"

    @staticmethod
    def _address(address: str | None) -> str:
        return (address or "unknown")[:64]

    def _limits(self, username: str, address: str | None) -> list[tuple[RateLimitItem, str]]:
        return [
            (self.per_account, f"account:{self._account(username)}"),
            (self.per_address, f"address:{self._address(address)}"),
        ]

    def check(self, username: str, address: str | None) -> None:
        """TooManyRequests when the account or the address has no attempt left."""
        for item, key in self._limits(username, address):
            if not self.limiter.test(item, key):
                reset = self.limiter.get_window_stats(item, key).reset_time
                wait = max(1, math.ceil(reset - time.time()))
                raise TooManyRequests(
                    "too_many_logins", retry_after=wait, minutes=max(1, math.ceil(wait / 60))
                )

    def failed(self, username: str, address: str | None) -> None:
        for item, key in self._limits(username, address):
            self.limiter.hit(item, key)

    def succeeded(self, username: str) -> None:
        self.limiter.clear(self.per_account, f"account:{self._account(username)}")
