"""A webhook's host resolved and checked, and the address every connection is made to.

Outside development a subscription's host is resolved when it is made and again at every
delivery; every address it resolves to must pass `domain/addresses.py` (one that does not
refuses the whole host, so a name answering a public and a private address cannot be played),
and the connection goes to the address that was checked (a second lookup by the HTTP client
could answer differently: DNS rebinding). Numeric hosts go through the same resolver, which
reads them as the C library does (`127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1` are all
127.0.0.1), so no spelling gets past the check.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import SplitResult, urlsplit

from services.notifications.domain.addresses import (
    IPAddress,
    is_blocked,
    is_localhost_name,
    normalise_host,
)

# host, port -> the addresses it resolves to (as text)
Resolver = Callable[[str, int], list[str]]

Refusal = Literal["blocked address", "unresolvable host"]


class TargetRefused(Exception):
    def __init__(self, category: Refusal) -> None:
        super().__init__(category)
        self.category: Refusal = category


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]).split("%", 1)[0] for info in infos]


@dataclass(frozen=True)
class Target:
    """Where to connect (`address`) for a URL whose host is `host`."""

    parts: SplitResult
    host: str
    port: int
    address: IPAddress

    @property
    def pinned_url(self) -> str:
        """The URL with the checked address in place of the host name."""
        literal = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return self.parts._replace(netloc=f"{literal}:{self.port}").geturl()

    @property
    def host_header(self) -> str:
        default = 443 if self.parts.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def resolve_target(url: str, *, allow_private: bool, resolve: Resolver) -> Target:
    """The URL's host resolved; TargetRefused when it resolves to nothing, or (unless private
    targets are allowed) when it names localhost or any address it resolves to is refused."""
    parts = urlsplit(url.strip())
    if not parts.hostname:
        raise TargetRefused("unresolvable host")
    host = normalise_host(parts.hostname)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise TargetRefused("unresolvable host") from exc
    if not allow_private and is_localhost_name(host):
        raise TargetRefused("blocked address")
    try:
        addresses = [ipaddress.ip_address(a) for a in resolve(host, port)]
    except (OSError, UnicodeError, ValueError) as exc:
        raise TargetRefused("unresolvable host") from exc
    if not addresses:
        raise TargetRefused("unresolvable host")
    if not allow_private and any(is_blocked(a) for a in addresses):
        raise TargetRefused("blocked address")
    return Target(parts=parts, host=host, port=port, address=addresses[0])
