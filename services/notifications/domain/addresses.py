"""Which network addresses a webhook may reach: Python's `ipaddress` decides.

Refused: loopback, private, link-local, multicast, reserved, unspecified, shared (CGNAT),
site-local and every other address that is not globally reachable, and the same inside an IPv6
address that carries an IPv4 one (IPv4-mapped `::ffff:127.0.0.1`, IPv4-compatible, 6to4,
Teredo, NAT64 `64:ff9b::/96`). Host names are decided by what they resolve to, except the
`localhost` names, refused as they are written whatever the resolver says.
"""

from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv6Address

IPAddress = IPv4Address | IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def embedded_ipv4(address: IPv6Address) -> list[IPv4Address]:
    """The IPv4 addresses an IPv6 address carries, by each standard way of carrying one."""
    found: list[IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        found.append(IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def is_blocked(address: IPAddress) -> bool:
    """True for any address a webhook must not reach (see the module's text)."""
    if (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    ):
        return True
    if isinstance(address, IPv6Address):
        if address.is_site_local:
            return True
        return any(is_blocked(inner) for inner in embedded_ipv4(address))
    return False


def normalise_host(host: str) -> str:
    """Lower case, without brackets or the trailing dot of a fully qualified name."""
    return host.strip().strip("[]").rstrip(".").lower()


def is_localhost_name(host: str) -> bool:
    name = normalise_host(host)
    return name in ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback") or (
        name.endswith(".localhost")
    )
