"""A short fuzzing run of the gateway's whole API: as the buyer admin and as a supplier user, every
operation answers no 5xx and only what the OpenAPI document says (status code, content type,
headers, body schema). See ``tests/e2e/fuzzing.py``; ``tests/chaos/test_fuzzing.py`` adds the
stateful scenarios and, with ``CHAOS_FULL=1``, the long run.

The end-to-end tests share one stack, so this run leaves out what would change it for the
others (``fuzzing.SHARED_STATE``); the long run fuzzes those too, on a stack of its own:
- ``POST /auth/token``: failed sign-ins are counted per client address, and the fuzzer's would
  lock every later test out of signing in (429);
- ``PATCH /settings``: the organisation-wide portal switch and issue-date rule;
- ``POST``/``PATCH /supplier-custom-fields``: a required custom field makes every supplier the
  later tests create incomplete.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from portal_dev.stack import Stack
from portal_dev.testing import CLIENT_LIMITS, Mailbox
from tests.e2e.attackers import PartyA, build_party_a
from tests.e2e.conftest import Portal
from tests.e2e.fuzzing import QUICK, SHARED_STATE, Outcome, fuzz, gateway_schema


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def party(stack: Stack, mailbox: Mailbox) -> AsyncIterator[PartyA]:
    async with httpx.AsyncClient(
        base_url=stack.config.gateway_url + "/api/v1", timeout=30, limits=CLIENT_LIMITS
    ) as api:
        yield await build_party_a(api, Portal(api, mailbox))


def fuzzed_as(stack: Stack, headers: dict[str, str], party: PartyA) -> Outcome:
    schema = gateway_schema(stack, headers, party, QUICK, leave_out=SHARED_STATE)
    outcome = fuzz(schema, headers, QUICK)
    assert not outcome.failures, outcome.report()
    # Every operation of the document was sent requests, and some got through to their handlers.
    assert len(outcome.operations) == len(list(schema.get_all_operations())) >= 60, outcome.summary()
    assert sum(n for status, n in outcome.statuses.items() if 200 <= status < 300) >= 20, outcome.summary()
    return outcome


def test_the_buyer_admin_gets_no_server_error_and_only_documented_answers(stack: Stack, party: PartyA) -> None:
    fuzzed_as(stack, party.admin, party)


def test_a_supplier_user_gets_no_server_error_and_only_documented_answers(stack: Stack, party: PartyA) -> None:
    fuzzed_as(stack, party.supplier, party)
