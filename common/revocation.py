"""Which tokens no longer count, as every service checks on every request.

The agreements service owns sessions and their revocations (logout, an administrator's
revocation, a sign-in showing a changed role). Every service keeps the recent revocations in
memory and checks each verified token against them, a dictionary lookup: a session's tokens
(`sid`), or every token of a subject issued before a cut-off (external tokens included).
The list is brought up to date by a background task: the agreements service reads its own
table every `revocation_poll_seconds`; the other services ask its API
(`GET /v1/auth/revocations?since=<time>&newer_than=<time>&wait=<s>`, with a service token),
which holds the question until the agreements service's list gains a revocation, or `wait`
seconds pass (a long poll: an idle system asks twice a minute instead of every poll
interval). So a revocation holds at once in the process that made it, at once in the other
services when that process is the agreements API they ask, and within one poll interval
everywhere else. Each round
asks again for the last minute it has already seen: a revocation committed late (its
transaction began before another's that committed first) is still picked up, and applying one
twice changes nothing.

Outside development a list that could not be brought up to date for longer than
`revocation_max_staleness_seconds` refuses tokens (503) instead of accepting ones it can no
longer check; in development and tests it accepts them (the services may run alone).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import anyio
import httpx

log = logging.getLogger(__name__)

# Each round reads back this far before the newest revocation it has seen.
OVERLAP_S = 60.0
# How long the other services' question to the feed may be held (a long poll): well within
# the staleness bound, and under the usual 30-60 s idle timeouts of proxies on the way.
WAIT_S = 20.0
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
        # Long polls of the feed waiting for this list to gain an entry: their loop and event.
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        # How many times the list gained an entry: a long poll that read the table at one
        # count and waits at another has news already.
        self.gains = 0
        _LISTS.add(self)

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
        return not self.synced_lately(self.max_staleness_s)

    def synced_lately(self, within_s: float) -> bool:
        synced = self._synced_at
        return synced is not None and time.monotonic() - synced <= within_s

    # -- updating --

    @property
    def since(self) -> float:
        """What the next round asks for: from a minute before the newest entry seen."""
        return max(0.0, self.newest - OVERLAP_S)

    def add(self, entries: Iterable[RevocationEntry]) -> None:
        """Effective at once in this process (the one that revoked); the owner's feed will
        bring the same entries again, which changes nothing."""
        with self._lock:
            gained = any([self._record(entry) for entry in entries])
            self.gains += gained
        if gained:
            self.wake_waiters()

    def _record(self, entry: RevocationEntry) -> bool:
        """Whether the entry was new to the list."""
        table = {"session": self._sessions, "token": self._tokens}.get(entry.kind, self._subjects)
        known = table.get(entry.value)
        if known is not None and known >= entry.revoked_at:
            return False
        table[entry.value] = entry.revoked_at
        return True

    def apply(self, entries: Iterable[RevocationEntry]) -> None:
        """Entries since `since`, from the owner; marks the list up to date."""
        gained = False
        with self._lock:
            for entry in entries:
                gained = self._record(entry) or gained
                self.newest = max(self.newest, entry.revoked_at)
            self.gains += gained
            forget_before = time.time() - RETENTION_S
            for table in (self._sessions, self._tokens, self._subjects):
                for key in [k for k, at in table.items() if at < forget_before]:
                    del table[key]
            self._synced_at = time.monotonic()
        if self._was_stale:
            log.info("revocation list up to date again")
            self._was_stale = False
        if gained:
            self.wake_waiters()

    # -- the feed's long polls (asyncio, in the agreements service) --

    async def gained_entry(self, timeout_s: float, *, after: int | None = None) -> None:
        """Returns when this list gains an entry (from any thread), at once when it gained one
        since its count of gains was `after`, when the process stops serving
        (`stop_waiting`), or after `timeout_s`."""
        if _stopping.is_set():
            return
        waiter = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            if after is not None and self.gains != after:
                return
            self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter[1].wait(), timeout_s)
        except TimeoutError:
            pass
        finally:
            with self._lock:
                self._waiters.discard(waiter)

    def wake_waiters(self) -> None:
        with self._lock:
            waiters = list(self._waiters)
        for loop, event in waiters:
            with contextlib.suppress(RuntimeError):  # its loop closed meanwhile
                loop.call_soon_threadsafe(event.set)

    def failed(self, error: BaseException) -> None:
        if not self._was_stale and self.stale():
            log.warning("revocation list cannot be brought up to date: %s", error)
            self._was_stale = True


_LISTS: weakref.WeakSet[Revocations] = weakref.WeakSet()
_stopping = threading.Event()


def stop_waiting() -> None:
    """The process stops serving: every long poll answers now rather than hold the server's
    graceful shutdown for up to `WAIT_S`."""
    _stopping.set()
    for revocations in list(_LISTS):
        revocations.wake_waiters()


Fetch = Callable[[float], list[RevocationEntry]]


def sync_once(revocations: Revocations, fetch: Fetch) -> None:
    """One blocking round: fetch what was revoked since `since` and apply it."""
    try:
        entries = fetch(revocations.since)
    except Exception as exc:  # any failure only delays the list; it is retried next round
        revocations.failed(exc)
        return
    revocations.apply(entries)


async def keep_in_sync(
    revocations: Revocations, fetch: Fetch, every_s: float, *, long_poll: bool = False
) -> None:
    """Runs until cancelled: one round in a worker thread every `every_s` seconds. With
    `long_poll` (a fetch the feed holds until there is news), the next round follows a
    successful one at once, but rounds never start more often than every `every_s`: a feed
    that answers at once (one that knows no long poll) is asked no more than before."""
    while True:
        started = time.monotonic()
        await anyio.to_thread.run_sync(sync_once, revocations, fetch)
        if long_poll and revocations.synced_lately(every_s):
            await asyncio.sleep(max(0.0, started + every_s - time.monotonic()))
        else:
            await asyncio.sleep(every_s)


def http_fetch(
    base_url: str, token: Callable[[], str], timeout_s: float = 5.0, wait_s: float = WAIT_S
) -> Fetch:
    """The agreements service's feed, read with a fresh service token each round, each
    question held up to `wait_s` until there is a revocation this list has not seen."""
    client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s + wait_s)
    newest = 0.0  # of the entries this feed gave

    def fetch(since: float) -> list[RevocationEntry]:
        nonlocal newest
        response = client.get(
            "/v1/auth/revocations",
            params={"since": since, "newer_than": newest, "wait": wait_s},
            headers={"Authorization": f"Bearer {token()}"},
        )
        response.raise_for_status()
        entries = [
            RevocationEntry(
                kind=row["kind"],
                value=str(row["value"]),
                revoked_at=float(row["revoked_at"]),
            )
            for row in response.json()["data"]
        ]
        newest = max([newest, *(e.revoked_at for e in entries)])
        return entries

    return fetch
