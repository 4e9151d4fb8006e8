"""Webhooks out: POST the CloudEvent of a delivery to its subscriber, signed with the
subscription's secret."""

from __future__ import annotations

import time

import httpx

from services.notifications.domain.signing import SIGNATURE_HEADER, sign
from services.notifications.models import Delivery

USER_AGENT = "vn-intl-agreements-notifications/1.0"


class WebhookClient:
    """POSTs the CloudEvent, signed; any 2xx is success, anything else (redirects included)
    a failure to retry."""

    def __init__(self, timeout_s: float) -> None:
        self.client = httpx.Client(
            timeout=timeout_s, follow_redirects=False, headers={"User-Agent": USER_AGENT}
        )

    def send(self, delivery: Delivery, secret: str, attempt: int) -> tuple[bool, int, str | None]:
        body = delivery.body.encode()
        headers = {
            "Content-Type": "application/cloudevents+json; charset=utf-8",
            SIGNATURE_HEADER: sign(secret, int(time.time()), body),
            "X-Agreements-Delivery": delivery.id,
            "X-Agreements-Event-Id": delivery.event_id,
            "X-Agreements-Event-Type": delivery.event_type,
            "X-Agreements-Attempt": str(attempt),
        }
        response = self.client.post(delivery.target, content=body, headers=headers)
        ok = 200 <= response.status_code < 300
        return ok, response.status_code, None if ok else f"HTTP {response.status_code}"

    def close(self) -> None:
        self.client.close()
