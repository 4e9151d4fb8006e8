"""Webhook signatures: HMAC-SHA256 over the timestamp and the body, checkable by receivers."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Agreements-Signature"
# Receivers should refuse a signature older than this, so a captured request cannot be
# replayed later.
DEFAULT_TOLERANCE_S = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`: the timestamp is signed
    with the body, so neither can be changed or replayed alone."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(
    secret: str, header: str, body: bytes, now: int, tolerance_s: int = DEFAULT_TOLERANCE_S
) -> bool:
    """What a receiver does: parse the header, check the age, compare in constant time."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)
