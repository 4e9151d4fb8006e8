"""Webhooks cannot reach inside: every spelling of a loopback, private, link-local, multicast,
reserved or unspecified address is refused, as written and as resolved (the C library's
resolver reads the numeric spellings offline, as the delivery does)."""

from __future__ import annotations

import ipaddress

import pytest

from services.notifications.delivery.targets import (
    Resolver,
    TargetRefused,
    resolve_target,
    system_resolver,
)
from services.notifications.domain.addresses import embedded_ipv4, is_blocked
from services.notifications.errors import InvalidInput
from services.notifications.subscriptions import check_webhook_url

INSIDE = [
    # IPv4 loopback in every spelling inet_aton accepts
    "127.0.0.1",
    "127.1",
    "127.0.1",
    "2130706433",
    "0x7f000001",
    "0x7f.1",
    "0177.0.0.1",
    "0177.1",
    "127.255.255.254",
    # names of this machine
    "localhost",
    "localhost.",
    "LOCALHOST",
    "LocalHost.",
    "api.localhost",
    # private, shared, link-local (cloud metadata), unspecified, multicast, reserved, broadcast
    "10.0.0.1",
    "012.0.0.1",
    "167772161",
    "172.16.0.1",
    "192.168.1.1",
    "0xc0a80101",
    "100.64.0.1",
    "169.254.169.254",
    "0.0.0.0",
    "0",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.1",
    "198.18.0.1",
    # IPv6 and IPv4 carried in IPv6
    "[::1]",
    "[0:0:0:0:0:0:0:1]",
    "[0000::0001]",
    "[::]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[::FFFF:127.0.0.1]",
    "[::ffff:10.0.0.1]",
    "[::ffff:169.254.169.254]",
    "[::127.0.0.1]",
    "[64:ff9b::7f00:1]",
    "[64:ff9b::a9fe:a9fe]",
    "[2002:7f00:1::1]",
    "[2002:a00:1::1]",
    "[fe80::1]",
    "[fc00::1]",
    "[fd12:3456:789a::1]",
    "[fec0::1]",
    "[ff02::1]",
    "[100::1]",
    "[2001:db8::1]",
]
OUTSIDE = ["93.184.215.14", "8.8.8.8", "[2606:4700:4700::1111]", "[2001:4860:4860::8888]"]


@pytest.mark.parametrize("host", INSIDE)
def test_every_spelling_of_an_inside_address_is_refused(host: str) -> None:
    url = f"https://{host}/hook"
    with pytest.raises(TargetRefused) as refused:
        resolve_target(url, allow_private=False, resolve=system_resolver)
    assert refused.value.category == "blocked address"
    with pytest.raises(InvalidInput) as invalid:
        check_webhook_url(url, allow_private=False, resolve=system_resolver)
    assert [rule for _, rule, _ in invalid.value.errors] == ["url_private"]


@pytest.mark.parametrize("host", OUTSIDE)
def test_public_addresses_pass_and_are_the_ones_connected_to(host: str) -> None:
    target = resolve_target(
        f"https://{host}:8443/a?b=c", allow_private=False, resolve=system_resolver
    )
    assert str(target.address) == host.strip("[]")
    assert target.pinned_url.endswith(":8443/a?b=c")
    check_webhook_url(f"https://{host}/hook", allow_private=False, resolve=system_resolver)


def fake(answers: dict[str, list[str]]) -> Resolver:
    def resolve(host: str, port: int) -> list[str]:
        if host not in answers:
            raise OSError("Name or service not known")
        return answers[host]

    return resolve


def test_names_are_judged_by_every_address_they_resolve_to() -> None:
    resolve = fake(
        {
            "hooks.example.vn": ["203.0.113.80"],  # TEST-NET-3: not global either
            "public.example.vn": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
            "rebind.example.vn": ["93.184.215.14", "127.0.0.1"],
            "metadata.example.vn": ["169.254.169.254"],
            "mapped.example.vn": ["::ffff:10.1.2.3"],
        }
    )
    target = resolve_target("https://public.example.vn/x", allow_private=False, resolve=resolve)
    assert str(target.address) == "93.184.215.14"
    assert target.host_header == "public.example.vn"
    for name in ("hooks", "rebind", "metadata", "mapped"):
        with pytest.raises(TargetRefused, match="blocked address"):
            resolve_target(f"https://{name}.example.vn/x", allow_private=False, resolve=resolve)
    with pytest.raises(TargetRefused, match="unresolvable host"):
        resolve_target("https://nowhere.example.vn/x", allow_private=False, resolve=resolve)
    with pytest.raises(InvalidInput) as invalid:
        check_webhook_url("https://nowhere.example.vn/x", allow_private=False, resolve=resolve)
    assert [rule for _, rule, _ in invalid.value.errors] == ["url_unresolvable"]
    # In development (or when allowed) the address is still pinned, not refused.
    local = resolve_target("http://rebind.example.vn:9000/x", allow_private=True, resolve=resolve)
    assert local.pinned_url == "http://93.184.215.14:9000/x"
    assert local.host_header == "rebind.example.vn:9000"


def test_ipv6_carrying_ipv4_is_judged_by_the_ipv4_it_carries() -> None:
    assert embedded_ipv4(ipaddress.IPv6Address("::ffff:127.0.0.1")) == [
        ipaddress.IPv4Address("127.0.0.1")
    ]
    assert embedded_ipv4(ipaddress.IPv6Address("64:ff9b::808:808")) == [
        ipaddress.IPv4Address("8.8.8.8")
    ]
    # NAT64 sits in ::/8, which `ipaddress` counts reserved: refused whatever it carries.
    assert is_blocked(ipaddress.IPv6Address("64:ff9b::808:808"))
    assert not is_blocked(ipaddress.IPv6Address("2606:4700:4700::1111"))
    assert is_blocked(ipaddress.IPv6Address("2001:0:4136:e378:8000:63bf:3fff:fdd2"))  # Teredo
