"""``portal status`` under ``portal up``: how often its supervisor started each process again, a
column for the services and a line for the servers."""

from __future__ import annotations

import signal

from rich.console import Console

from portal_cli.status import ServiceStatus, render, server_line, supervised

STATE = {
    "pid": 4242,
    "children": {
        "postgres": {"pid": 1, "restarts": 0, "state": "running", "last_exit": None},
        "broker": {"pid": 2, "restarts": 1, "state": "running", "last_exit": -signal.SIGKILL},
        "matching": {"pid": 3, "restarts": 2, "state": "restarting", "last_exit": 1},
        "gateway": {"pid": 4, "restarts": 0, "state": "running", "last_exit": None},
        "broken": "not a child",
    },
}


def shown(table: object) -> str:
    console = Console(width=120, record=True, color_system=None)
    console.print(table)
    return console.export_text()


def test_the_services_get_a_restarts_column_and_the_servers_a_line() -> None:
    processes = supervised(STATE)
    assert set(processes) == {"postgres", "broker", "matching", "gateway"}
    services = [ServiceStatus("gateway", "http://g", True), ServiceStatus("matching", "http://m", False)]
    text = shown(render(services, processes=processes))
    assert "restarts" in text
    rows = {line.split("│")[1].strip(): line for line in text.splitlines() if line.count("│") > 3}
    assert rows["gateway"].rstrip(" │").endswith("0")
    assert rows["matching"].rstrip(" │").endswith("2")
    assert server_line(processes, services) == (
        "servers: postgres running · broker running, started again 1 time (last: killed by SIGKILL)"
    )


def test_without_a_supervisor_there_is_no_restarts_column() -> None:
    services = [ServiceStatus("gateway", "http://g", True)]
    assert "restarts" not in shown(render(services, processes=supervised(None)))
    assert server_line({}, services) is None
