"""When a failed delivery is tried again: exponential backoff with jitter, capped."""

from __future__ import annotations


def backoff_delay(failures: int, *, base_s: float, max_s: float, spread: float) -> float:
    """Seconds to wait after the `failures`-th failed attempt: base, 2x base, 4x base... capped
    at `max_s`. `spread` in [0, 1) moves it by up to +/-20% so that deliveries failing together
    (a receiver's outage) do not all come back in the same second."""
    if failures < 1:
        raise ValueError("failures counts from 1")
    delay = min(max_s, base_s * 2 ** (failures - 1))
    return delay * (0.8 + 0.4 * spread)
