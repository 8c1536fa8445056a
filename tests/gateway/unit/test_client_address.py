"""The client's address behind trusted proxies: the peer's unless it is a trusted proxy, then the
first hop from the right that is not; what the client wrote before the first proxy never counts."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.domain.client_address import client_address
from shared.networks import Networks, forwarded_for, parse_address

TRUSTED = Networks.parse("10.0.0.0/8, ::1")


def test_without_proxies_the_peer_is_the_client_and_its_header_is_ignored() -> None:
    assert client_address("203.0.113.9", [], TRUSTED) == "203.0.113.9"
    assert client_address("203.0.113.9", ["198.51.100.1"], TRUSTED) == "203.0.113.9"


def test_behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client() -> None:
    assert client_address("10.0.0.5", ["192.0.2.66", "198.51.100.1", "10.1.2.3"], TRUSTED) == "198.51.100.1"


def test_when_every_hop_is_trusted_the_first_one_is_the_client() -> None:
    assert client_address("10.0.0.5", ["10.0.0.7"], TRUSTED) == "10.0.0.7"


def test_a_hop_that_is_no_address_ends_the_walk_at_the_proxy_that_wrote_it() -> None:
    assert client_address("10.0.0.5", ["198.51.100.1", "unknown"], TRUSTED) == "10.0.0.5"


def test_addresses_are_normalised() -> None:
    assert client_address("::ffff:10.0.0.5", ["[2001:DB8::1]:443"], TRUSTED) == "2001:db8::1"
    assert client_address("10.0.0.5", ["198.51.100.1:5123"], TRUSTED) == "198.51.100.1"
    assert client_address(None, ["198.51.100.1"], TRUSTED) is None


def test_the_standard_forwarded_header_is_read_for_its_for_parameters() -> None:
    xff, fwd = forwarded_for(
        ["192.0.2.1, 198.51.100.2"], ['for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711"']
    )
    assert xff == ["192.0.2.1", "198.51.100.2"]
    assert [str(parse_address(hop)) for hop in fwd] == ["192.0.2.60", "2001:db8:cafe::17"]


def test_a_setting_that_names_no_network_is_refused() -> None:
    with pytest.raises(ValueError, match="not an address"):
        Networks.parse("10.0.0.0/8, proxy.internal")


addresses = st.ip_addresses(v=4).map(str)
outside = addresses.filter(lambda a: a not in TRUSTED)
inside = st.integers(min_value=0, max_value=2**24 - 1).map(lambda n: str(ipaddress.IPv4Address(0x0A000000 + n)))


@given(st.lists(addresses, max_size=4), outside, st.lists(inside, max_size=4), inside)
def test_nothing_a_client_writes_before_the_proxies_moves_its_address(
    written: list[str], client: str, proxies: list[str], peer: str
) -> None:
    assert client_address(peer, [*written, client, *proxies], TRUSTED) == client


@given(st.lists(addresses, max_size=5), outside)
def test_an_untrusted_peer_is_the_client_whatever_it_claims(claimed: list[str], peer: str) -> None:
    assert client_address(peer, claimed, TRUSTED) == peer
