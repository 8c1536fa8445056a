"""Fault points: armed only where the environment allows it, exact about where and when they fire,
and inert when nothing is armed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from shared import faults
from shared.settings import ServiceSettings


@pytest.fixture(autouse=True)
def nothing_armed() -> Iterator[None]:
    faults.disarm()
    yield
    faults.disarm()


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays a fault point sleeps (recorded, not slept)."""
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr(faults.asyncio, "sleep", sleep)
    return delays


def test_a_spec_names_points_with_scope_hit_and_delay() -> None:
    [relay, consumer] = faults.parse(
        " relay.before_publish:hit=3 , consumer.before_handler@invoicing.invoice.v1:hit=2:delay=7.5"
    )
    assert (relay.point, relay.scope, relay.hit, relay.delay_s) == ("relay.before_publish", None, 3, None)
    assert (consumer.point, consumer.scope, consumer.hit, consumer.delay_s) == (
        "consumer.before_handler",
        "invoicing.invoice.v1",
        2,
        7.5,
    )
    assert faults.parse("") == []


@pytest.mark.parametrize(
    "spec",
    [
        "relay.before_publsh",  # a typo must not silently arm nothing
        "consumer.before_ack:hit=0",
        "consumer.before_ack:hit=two",
        "consumer.before_ack:delay=-1",
        "consumer.before_ack:times=2",
        "consumer.before_ack@",
        "CONSUMER.BEFORE_ACK",
    ],
)
def test_a_malformed_spec_is_refused(spec: str) -> None:
    with pytest.raises(faults.FaultPointsRefused):
        faults.parse(spec)


@pytest.mark.parametrize("environment", ["production", "staging", "prod", ""])
def test_fault_points_are_refused_outside_development_and_test(environment: str) -> None:
    with pytest.raises(faults.FaultPointsRefused, match="PORTAL_ENVIRONMENT"):
        faults.arm("consumer.before_ack", environment=environment)
    assert faults.check("", environment) == []  # nothing armed is fine anywhere


def test_settings_default_to_production_and_refuse_fault_points_there(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORTAL_ENVIRONMENT", raising=False)
    monkeypatch.setenv("PORTAL_FAULT_POINTS", "relay.before_publish")
    with pytest.raises(ValidationError, match="PORTAL_ENVIRONMENT"):
        ServiceSettings()
    monkeypatch.setenv("PORTAL_ENVIRONMENT", "test")
    assert ServiceSettings().fault_points == "relay.before_publish"
    monkeypatch.delenv("PORTAL_FAULT_POINTS")
    monkeypatch.delenv("PORTAL_ENVIRONMENT")
    assert ServiceSettings().environment == "production"


def test_a_service_with_fault_points_in_production_refuses_to_start() -> None:
    env = {**os.environ, "PORTAL_FAULT_POINTS": "consumer.before_ack", "PORTAL_ENVIRONMENT": "production"}
    result = subprocess.run(
        [sys.executable, "-m", "matching.main"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "fault points can only be armed" in result.stderr


async def test_an_unarmed_point_does_nothing(slept: list[float]) -> None:
    faults.arm("", environment="production")
    for point in faults.POINTS:
        await faults.reached(point, "any-scope")
    assert slept == []


async def test_a_delay_fires_once_on_the_given_hit_within_its_scope(slept: list[float]) -> None:
    faults.arm("consumer.before_handler@InvoiceSubmitted:hit=2:delay=4", environment="test")
    await faults.reached("consumer.before_handler", "matching.invoices", "InvoiceSubmitted")  # hit 1
    await faults.reached("consumer.before_handler", "matching.invoices", "InvoiceApproved")  # out of scope
    await faults.reached("consumer.before_ack", "matching.invoices", "InvoiceSubmitted")  # another point
    assert slept == []
    await faults.reached("consumer.before_handler", "matching.invoices", "InvoiceSubmitted")  # hit 2
    assert slept == [4.0]
    await faults.reached("consumer.before_handler", "matching.invoices", "InvoiceSubmitted")  # hit 3
    assert slept == [4.0]


async def test_a_scope_of_several_parts_fires_only_where_all_of_them_hold(slept: list[float]) -> None:
    faults.arm("consumer.before_ack@notifier.invoices+InvoiceApproved:delay=2", environment="test")
    await faults.reached("consumer.before_ack", "notifier.reminder-invoices", "invoicing.invoice.v1", "InvoiceApproved")
    await faults.reached("consumer.before_ack", "notifier.invoices", "invoicing.invoice.v1", "InvoiceSubmitted")
    assert slept == []
    await faults.reached("consumer.before_ack", "notifier.invoices", "invoicing.invoice.v1", "InvoiceApproved")
    assert slept == [2.0]


def test_a_kill_point_sigkills_its_own_process_on_the_given_hit() -> None:
    program = (
        "import asyncio\n"
        "from shared import faults\n"
        "faults.arm('relay.before_publish@invoicing.invoice.v1:hit=2', environment='test')\n"
        "async def main():\n"
        "    await faults.reached('relay.before_publish', 'orders.purchase-order.v1')\n"
        "    print('out of scope passed', flush=True)\n"
        "    await faults.reached('relay.before_publish', 'invoicing.invoice.v1')\n"
        "    print('first hit passed', flush=True)\n"
        "    await faults.reached('relay.before_publish', 'invoicing.invoice.v1')\n"
        "    print('second hit passed', flush=True)\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert result.returncode == -signal.SIGKILL
    printed = [line for line in result.stdout.splitlines() if "passed" in line]
    assert printed == ["out of scope passed", "first hit passed"]
    assert "fault point reached; killing the process" in result.stdout + result.stderr


def test_arming_again_replaces_the_points(slept: list[float]) -> None:
    faults.arm("consumer.before_ack:delay=1", environment="development")
    faults.arm("", environment="development")
    asyncio.run(faults.reached("consumer.before_ack", "x"))
    assert slept == []
