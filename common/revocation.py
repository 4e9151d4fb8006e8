"""Which tokens no longer count, as every service checks on every request.

The agreements service owns sessions and their revocations (logout, an administrator's
revocation, a sign-in showing a changed role). Every service keeps the recent revocations in
memory and checks each verified token against them, a dictionary lookup: a session's tokens
(`sid`), or every token of a subject issued before a cut-off (external tokens included).
The list is brought up to date every `revocation_poll_seconds` by a background task: the
agreements service from its own table, the other services from its API
(`GET /v1/auth/revocations?since=<time>`, with a service token). So a revocation holds at
once in the process that made it and within one poll interval everywhere else. Each round
asks again for the last minute it has already seen: a revocation committed late (its
transaction began before another's that committed first) is still picked up, and applying one
twice changes nothing.

Outside development a list that could not be brought up to date for longer than
`revocation_max_staleness_seconds` refuses tokens (503) instead of accepting ones it can no
longer check; in development and tests it accepts them (the services may run alone).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import anyio
import httpx

log = logging.getLogger(__name__)

# Each round reads back this far before the newest revocation it has seen.
OVERLAP_S = 60.0
# A revocation is kept this long: past it, every token it could refuse has expired (own tokens
# live minutes; an external issuer's tokens are taken to live at most a day).
RETENTION_S = 24 * 3600.0


class RevocationsUnavailable(Exception):
    """The list could not be brought up to date lately: a token cannot be checked."""


@dataclass(frozen=True)
class RevocationEntry:
    kind: Literal["session", "token", "subject"]
    value: str
    revoked_at: float  # epoch seconds


class Revocations:
    def __init__(self, *, strict: bool, max_staleness_s: float) -> None:
        self.strict = strict
        self.max_staleness_s = max_staleness_s
        self.newest = 0.0  # revoked_at of the newest entry received
        self._sessions: dict[str, float] = {}
        self._tokens: dict[str, float] = {}
        self._subjects: dict[str, float] = {}
        self._synced_at: float | None = None  # monotonic
        self._lock = threading.Lock()
        self._was_stale = False

    # -- checking (every request) --

    def is_revoked(
        self, *, sid: str | None, jti: str | None, subject: str, issued_at: float
    ) -> bool:
        """Raises RevocationsUnavailable when the list is too old to answer (strict mode)."""
        if self.strict and self.stale():
            raise RevocationsUnavailable()
        if sid is not None and sid in self._sessions:
            return True
        if jti is not None and jti in self._tokens:
            return True
        cutoff = self._subjects.get(subject)
        return cutoff is not None and issued_at <= cutoff

    def stale(self) -> bool:
        synced = self._synced_at
        return synced is None or time.monotonic() - synced > self.max_staleness_s

    # -- updating --

    @property
    def since(self) -> float:
        """What the next round asks for: from a minute before the newest entry seen."""
        return max(0.0, self.newest - OVERLAP_S)

    def add(self, entries: Iterable[RevocationEntry]) -> None:
        """Effective at once in this process (the one that revoked); the owner's feed will
        bring the same entries again, which changes nothing."""
        with self._lock:
            for entry in entries:
                self._record(entry)

    def _record(self, entry: RevocationEntry) -> None:
        if entry.kind == "session":
            self._sessions[entry.value] = entry.revoked_at
        elif entry.kind == "token":
            self._tokens[entry.value] = entry.revoked_at
        else:
            self._subjects[entry.value] = max(entry.revoked_at, self._subjects.get(entry.value, 0))

    def apply(self, entries: Iterable[RevocationEntry]) -> None:
        """Entries since `since`, from the owner; marks the list up to date."""
        with self._lock:
            for entry in entries:
                self._record(entry)
                self.newest = max(self.newest, entry.revoked_at)
            forget_before = time.time() - RETENTION_S
            for table in (self._sessions, self._tokens, self._subjects):
                for key in [k for k, at in table.items() if at < forget_before]:
                    del table[key]
            self._synced_at = time.monotonic()
        if self._was_stale:
            log.info("revocation list up to date again")
            self._was_stale = False

    def failed(self, error: BaseException) -> None:
        if not self._was_stale and self.stale():
            log.warning("revocation list cannot be brought up to date: %s", error)
            self._was_stale = True


Fetch = Callable[[float], list[RevocationEntry]]


def sync_once(revocations: Revocations, fetch: Fetch) -> None:
    """One blocking round: fetch what was revoked since `since` and apply it."""
    try:
        entries = fetch(revocations.since)
    except Exception as exc:  # any failure only delays the list; it is retried next round
        revocations.failed(exc)
        return
    revocations.apply(entries)


async def keep_in_sync(revocations: Revocations, fetch: Fetch, every_s: float) -> None:
    """Runs until cancelled: one round in a worker thread every `every_s` seconds."""
    while True:
        await anyio.to_thread.run_sync(sync_once, revocations, fetch)
        await asyncio.sleep(every_s)


def http_fetch(base_url: str, token: Callable[[], str], timeout_s: float = 5.0) -> Fetch:
    """The agreements service's feed, read with a fresh service token each round."""
    client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s)

    def fetch(since: float) -> list[RevocationEntry]:
        response = client.get(
            "/v1/auth/revocations",
            params={"since": since},
            headers={"Authorization": f"Bearer {token()}"},
        )
        response.raise_for_status()
        return [
            RevocationEntry(
                kind=row["kind"],
                value=str(row["value"]),
                revoked_at=float(row["revoked_at"]),
            )
            for row in response.json()["data"]
        ]

    return fetch
