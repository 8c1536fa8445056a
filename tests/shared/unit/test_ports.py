"""Ports for the embedded servers: free, never the same twice, and outside the range the OS gives
outgoing connections (a client socket could take such a port before the server binds it)."""

from __future__ import annotations

import socket

from portal_dev.ports import LISTEN_PORTS, free_port


def test_free_ports_are_distinct_bindable_and_below_the_ephemeral_range() -> None:
    ports = [free_port() for _ in range(50)]
    assert len(set(ports)) == len(ports)
    assert all(port in LISTEN_PORTS and port < 32_768 for port in ports)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", ports[-1]))


def test_a_port_something_listens_on_is_never_handed_out() -> None:
    listeners = []
    try:
        for port in LISTEN_PORTS[:200]:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                sock.close()
                continue
            sock.listen()
            listeners.append(sock)
        taken = {sock.getsockname()[1] for sock in listeners}
        assert not taken & {free_port() for _ in range(100)}
    finally:
        for sock in listeners:
            sock.close()
