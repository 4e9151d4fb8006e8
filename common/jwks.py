"""The signing keys of an external token issuer, from its JWKS endpoint.

The keys are kept in memory and fetched again after `cache_s`, or when a token names a key id
the kept set lacks (the issuer rotated its keys), at most once per `min_refresh_s` so that
tokens with made-up key ids cannot make the service hammer the issuer. Fetching is blocking
I/O: the async verification path runs it in a worker thread (`needs_fetch` tells when), never
on the event loop.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import httpx
import jwt

log = logging.getLogger(__name__)


class JwksKeys:
    def __init__(self, url: str, *, cache_s: float, min_refresh_s: float, timeout_s: float = 5.0):
        self.url = url
        self.cache_s = cache_s
        self.min_refresh_s = min_refresh_s
        self.timeout_s = timeout_s
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None  # monotonic time of the last successful fetch
        self._tried_at: float | None = None  # of the last attempt, successful or not
        self._lock = threading.Lock()
        self.fetches = 0

    def key_for(self, kid: str | None) -> Any | None:
        """The key for a token's `kid` (the only key, when the token names none)."""
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    def needs_fetch(self, kid: str | None) -> bool:
        now = time.monotonic()
        if self._fetched_at is None or now - self._fetched_at > self.cache_s:
            return self._tried_at is None or now - self._tried_at >= self.min_refresh_s
        if self.key_for(kid) is not None:
            return False
        return self._tried_at is None or now - self._tried_at >= self.min_refresh_s

    def fetch(self, kid: str | None = None) -> None:
        """Fetch the set (blocking). A failure keeps the keys already known."""
        with self._lock:
            if not self.needs_fetch(kid):  # another thread fetched meanwhile
                return
            self._tried_at = time.monotonic()
            try:
                response = httpx.get(self.url, timeout=self.timeout_s)
                response.raise_for_status()
                keys = {
                    key.key_id or "": key.key
                    for key in jwt.PyJWKSet.from_dict(response.json()).keys
                    if key.public_key_use in (None, "sig")
                }
            except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
                log.warning("JWKS fetch from %s failed: %s", self.url, exc)
                return
            self._keys = keys
            self._fetched_at = time.monotonic()
            self.fetches += 1
