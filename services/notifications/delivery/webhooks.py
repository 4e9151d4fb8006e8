"""Webhooks out: POST the CloudEvent of a delivery to its subscriber, signed with the
subscription's secret, to the address its host was checked to resolve to (targets.py).

The delivery log says what kind of failure happened ("connection refused", "timeout",
"blocked address", "HTTP 503"...), never the exception's text: a subscriber must not learn
from it what answers inside the network. The full error goes to the service's own log.
"""

from __future__ import annotations

import logging
import ssl
import time

import httpx

from services.notifications.delivery.outgoing import Outgoing
from services.notifications.delivery.targets import (
    Resolver,
    TargetRefused,
    resolve_target,
    system_resolver,
)
from services.notifications.domain.signing import SIGNATURE_HEADER, sign
from services.notifications.models import Delivery

USER_AGENT = "vn-intl-agreements-notifications/1.0"

log = logging.getLogger(__name__)


def failure_category(exc: BaseException) -> str:
    """What the delivery log says about a failed POST."""
    if isinstance(exc, TargetRefused):
        return exc.category
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    causes: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(causes) < 10:
        causes.append(current)
        current = current.__cause__ or current.__context__
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection refused"
    if any(isinstance(c, ssl.SSLError) for c in causes):
        return "TLS error"
    if any(isinstance(c, TimeoutError) for c in causes):
        return "timeout"
    if isinstance(exc, httpx.TransportError):
        return "connection failed"
    return "delivery failed"


class WebhookClient:
    """POSTs the CloudEvent, signed; any 2xx is success, anything else (redirects included,
    never followed) a failure to retry."""

    def __init__(
        self,
        timeout_s: float,
        *,
        allow_private: bool = True,
        resolve: Resolver = system_resolver,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.allow_private = allow_private
        self.resolve = resolve
        # No connection is kept for another delivery: it was made to an address checked for
        # one host name, and must not carry another host's request (same address, other
        # certificate).
        self.client = httpx.Client(
            timeout=timeout_s,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            limits=httpx.Limits(max_keepalive_connections=0),
            verify=verify,
            trust_env=False,
        )

    def send(
        self, delivery: Delivery | Outgoing, secret: str, attempt: int
    ) -> tuple[bool, int | None, str | None]:
        """(ok, the HTTP status if any came, what the log says when not ok)."""
        body = delivery.body.encode()
        try:
            target = resolve_target(
                delivery.target, allow_private=self.allow_private, resolve=self.resolve
            )
            headers = {
                "Host": target.host_header,
                "Content-Type": "application/cloudevents+json; charset=utf-8",
                SIGNATURE_HEADER: sign(secret, int(time.time()), body),
                "X-Agreements-Delivery": delivery.id,
                "X-Agreements-Event-Id": delivery.event_id,
                "X-Agreements-Event-Type": delivery.event_type,
                "X-Agreements-Attempt": str(attempt),
            }
            extensions = {"sni_hostname": target.host} if target.parts.scheme == "https" else {}
            request = self.client.build_request(
                "POST", target.pinned_url, content=body, headers=headers, extensions=extensions
            )
            response = self.client.send(request)
        except Exception as exc:  # every failure is a category in the log, the detail here
            category = failure_category(exc)
            log.info("webhook delivery %s failed (%s): %r", delivery.id, category, exc)
            return False, None, category
        ok = 200 <= response.status_code < 300
        if ok:
            return True, response.status_code, None
        if response.is_redirect:
            code = response.status_code
            return False, code, f"redirect not followed (HTTP {code})"
        return False, response.status_code, f"HTTP {response.status_code}"

    def close(self) -> None:
        self.client.close()
