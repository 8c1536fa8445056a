"""Schemathesis against the gateway's whole API, as the buyer admin and as a supplier user: no 5xx
and only documented answers (status code, content type, headers, body schema), in single
requests and in stateful scenarios that feed one answer's ids to the next call.

With ``CHAOS_FULL=1`` this is the long run, on a stack of its own: every operation, many examples
each, with shrinking and the ``ignored_auth`` check, then the stateful scenarios, and last the
sign-in endpoint (its failures are counted per client address and may end in 429, so it comes
after every other request of the run). Without it, the single requests are the end-to-end
suite's (``tests/e2e/test_fuzzing.py``); this module adds a few stateful scenarios on the
session's shared stack, without the operations that would change it for the other scenarios
(``fuzzing.SHARED_STATE``), and a few sign-in attempts, far fewer than the per-address limit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio

from portal_dev.stack import Stack
from portal_dev.testing import CLIENT_LIMITS, Mailbox
from tests.chaos.conftest import FULL, Scenario, running_stack
from tests.e2e import fuzzing
from tests.e2e.attackers import PartyA, build_party_a
from tests.e2e.conftest import Portal
from tests.e2e.fuzzing import SHARED_STATE, SIGN_IN, SIGN_OUT, Outcome, fuzz, fuzz_stateful, gateway_schema

SIZE = fuzzing.FULL if FULL else fuzzing.QUICK
# The long run sends thousands of requests per role.
pytestmark = pytest.mark.timeout(2400 if FULL else 300)
EXPECTED = "no 5xx; every answer's status code, content type, headers and body as the OpenAPI document says"


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not FULL:
        yield request.getfixturevalue("shared_stack")
        return
    with running_stack(tmp_path_factory.mktemp("fuzzing-stack")) as running:
        yield running


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def party(stack: Stack) -> AsyncIterator[PartyA]:
    async with httpx.AsyncClient(
        base_url=stack.config.gateway_url + "/api/v1", timeout=30, limits=CLIENT_LIMITS
    ) as api:
        yield await build_party_a(api, Portal(api, Mailbox(stack.config.mail_sink_dir)))


def observed(outcome: Outcome) -> dict[str, object]:
    return outcome.summary() | {"failed": sorted(outcome.failures)}


@pytest.mark.parametrize("role", ["buyer admin", "supplier user"])
def test_the_api_fuzzed_as_each_role_answers_only_as_documented(
    role: str, stack: Stack, party: PartyA, scenario: Scenario
) -> None:
    headers = party.admin if role == "buyer admin" else party.supplier
    # The long run has the stack to itself: everything but the sign-in (fuzzed last, below) and
    # the sign-out (which would end the fuzzer's token).
    leave_out = (SIGN_IN, SIGN_OUT) if FULL else SHARED_STATE
    schema = gateway_schema(stack, headers, party, SIZE, leave_out=leave_out)
    scenarios = f"{SIZE.stateful_scenarios} stateful scenarios of up to {SIZE.stateful_steps} calls"
    scenario.injected = f"schemathesis as the {role}: " + (
        f"every operation with up to {SIZE.max_examples} valid and {SIZE.max_examples} invalid requests, "
        f"then {scenarios}"
        if FULL
        else scenarios
    )
    scenario.expected = EXPECTED
    single = fuzz(schema, headers, SIZE) if FULL else Outcome()
    scenario.observed["single requests"] = observed(single)
    stateful = fuzz_stateful(schema, SIZE)
    scenario.observed["stateful"] = observed(stateful)
    assert not single.failures, single.report()
    assert not stateful.failures, stateful.report()
    assert stateful.requests >= SIZE.stateful_scenarios, stateful.summary()
    if FULL:
        assert len(single.operations) == len(list(schema.get_all_operations())) >= 60, single.summary()


def test_the_sign_in_fuzzed_last_answers_only_as_documented(stack: Stack, party: PartyA, scenario: Scenario) -> None:
    schema = gateway_schema(stack, {}, party, SIZE, only=SIGN_IN)
    scenario.injected = f"schemathesis: up to {SIZE.max_examples} valid and {SIZE.max_examples} invalid sign-ins"
    scenario.expected = EXPECTED + " (401 for a wrong password, 429 once the failures add up)"
    outcome = fuzz(schema, {}, SIZE)
    scenario.observed = observed(outcome)
    assert not outcome.failures, outcome.report()
    assert outcome.operations == ["POST /api/v1/auth/token"] and outcome.statuses[401] >= 1, outcome.summary()
