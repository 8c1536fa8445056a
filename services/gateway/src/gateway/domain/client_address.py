"""Whose request it is: the client's address as the gateway takes it for its sign-in limits.

The connection's peer is the client, unless the peer is a trusted proxy (``GATEWAY_TRUSTED_PROXIES``:
a load balancer, the web portal): then the proxy header's hops are read from right to left, past
every trusted one, and the first address that is not trusted is the client. A header from a peer
that is not trusted is ignored, and so is whatever a client wrote into it before the first proxy.
"""

from __future__ import annotations

from collections.abc import Sequence

from shared.networks import Networks, parse_address


def client_address(peer: str | None, hops: Sequence[str], trusted: Networks) -> str | None:
    """The client's address (normalised), the peer's when it is no address at all, or None."""
    address = parse_address(peer)
    if address is None:
        return peer
    for hop in reversed(hops):
        if address not in trusted:
            break
        # A hop that is no address (a proxy's "unknown", an obfuscated name) ends the walk: the
        # trusted proxy that wrote it is the last address known.
        if (before := parse_address(hop)) is None:
            break
        address = before
    return str(address)
