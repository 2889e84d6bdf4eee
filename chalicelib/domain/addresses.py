"""Which IP addresses a webhook may reach: public unicast only (no I/O here).

Python's ``is_global`` follows the IANA registries, which call the NAT64 prefix
64:ff9b::/96 and the 6to4 prefix 2002::/16 globally reachable; but both carry an IPv4
address inside (64:ff9b::7f00:1 is 127.0.0.1 through a NAT64 gateway, 2002:a9fe:a9fe:: is
169.254.169.254 through a 6to4 relay). So the IPv4 address an IPv6 address embeds — NAT64,
6to4, IPv4-mapped, IPv4-compatible — is judged instead, and Teredo (whose client address
is obfuscated) is refused outright.
"""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052 well-known prefix
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215 local-use
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d
_TEREDO = ipaddress.ip_network("2001::/32")


def parse(text: str) -> IPAddress:
    """An address as getaddrinfo gives it (an IPv6 scope id after % is dropped)."""
    return ipaddress.ip_address(text.split("%", 1)[0])


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if address.version == 4:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: IPAddress) -> bool:
    """True for a public unicast address, judging any IPv4 address an IPv6 one embeds."""
    if address.version == 6:
        if address in _TEREDO or address in _NAT64_LOCAL:
            return False
        inner = embedded_ipv4(address)
        if inner is not None:
            return is_public(inner)
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_unspecified
    )


def is_loopback(address: IPAddress) -> bool:
    inner = embedded_ipv4(address)
    return address.is_loopback or (inner is not None and inner.is_loopback)
