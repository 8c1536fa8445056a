"""Addresses and lists of networks, as settings name them (``10.0.0.0/8,::1``), and the chain of
client addresses that proxies put in ``X-Forwarded-For`` or ``Forwarded`` (RFC 7239)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

LOOPBACK = "127.0.0.0/8,::1/128"
# Loopback, the private ranges (RFC 1918) and unique local IPv6 (RFC 4193): where a cluster's pods,
# nodes and monitoring live.
PRIVATE = LOOPBACK + ",10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"


def parse_address(text: str | None) -> IpAddress | None:
    """An address as a peer or a proxy header gives it (``[v6]:port``, ``v4:port`` and quotes
    allowed); an IPv4-mapped IPv6 address is its IPv4 address; None for anything else."""
    if not text:
        return None
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class Networks:
    """A list of networks; an address is in it when one of them holds it."""

    def __init__(self, networks: Iterable[IpNetwork]) -> None:
        self.networks = tuple(networks)

    @classmethod
    def parse(cls, text: str) -> Networks:
        """Comma- or space-separated addresses and CIDRs; ValueError names what is not one."""
        found = []
        for item in text.replace(",", " ").split():
            try:
                found.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(f"{item!r} is not an address or a network (CIDR)") from None
        return cls(found)

    def __contains__(self, address: object) -> bool:
        parsed = address if isinstance(address, IpAddress) else parse_address(str(address or ""))
        return parsed is not None and any(parsed in network for network in self.networks)


def forwarded_for(x_forwarded_for: Iterable[str], forwarded: Iterable[str]) -> tuple[list[str], list[str]]:
    """The addresses of ``X-Forwarded-For`` and the ``for=`` of ``Forwarded`` (every header line,
    first hop first), as written."""
    xff = [hop.strip() for line in x_forwarded_for for hop in line.split(",") if hop.strip()]
    fwd = []
    for line in forwarded:
        for element in line.split(","):
            for pair in element.split(";"):
                name, _, value = pair.strip().partition("=")
                if name.lower() == "for":
                    fwd.append(value.strip())
    return xff, fwd


def forwarded_element(address: str) -> str:
    """``for=`` of one hop in ``Forwarded``: an IPv6 address bracketed and quoted."""
    return f'for="[{address}]"' if ":" in address else f"for={address}"


def next_hop_headers(x_forwarded_for: Iterable[str], forwarded: Iterable[str], peer: str | None) -> dict[str, str]:
    """``X-Forwarded-For`` and ``Forwarded`` for a request passed on: the chain it came with (both
    kinds, as written) with this hop's peer appended, so that the receiver, reading from the
    right, finds the client past the proxies it trusts."""
    xff, fwd = list(x_forwarded_for), list(forwarded)
    if not peer:
        return {k: v for k, v in (("x-forwarded-for", ", ".join(xff)), ("forwarded", ", ".join(fwd))) if v}
    return {
        "x-forwarded-for": ", ".join([*xff, peer]),
        "forwarded": ", ".join([*fwd, forwarded_element(peer)]),
    }
