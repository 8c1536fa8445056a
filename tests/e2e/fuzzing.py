"""Schemathesis against the gateway's OpenAPI document, on a running stack, with real tokens.

Every operation of the document gets generated requests, valid ones and (in the negative mode)
invalid ones, and every answer is checked by schemathesis: no 5xx, a documented status code,
the documented content type and headers, a body that matches the documented schema. Path, query
and body parameters that name a document draw, half of the time, from the real documents of a
party (``PartyA``: a supplier with a sent PO, an approved invoice, an RFP with a proposal,
comments and attachments), so that requests reach the handlers behind the 404s. The caller's
token is the document's bearer security scheme, kept in invalid requests too (a request without
it tests nothing but the 401). ``fuzz_stateful`` is schemathesis' stateful phase: sequences of
calls that feed one answer's ids to the next.

Generation is deterministic (fixed seeds, no example database): a failure comes again on the
next run, reported with a ``curl`` line that reproduces it.

The operations are run one by one here rather than through schemathesis' pytest plugin: its
fixture-based loader (needed for a stack started by a fixture) does not run on pytest 9.2.
"""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import requests
import schemathesis
from hypothesis.errors import Flaky, Unsatisfiable
from hypothesis.stateful import get_state_machine_test
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.schemas import APIOperation, BaseSchema

from portal_dev.stack import Stack
from tests.e2e.attackers import PartyA

SEED = 20261123
CHECKS_RUN = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)


@dataclass(frozen=True)
class FuzzSize:
    """How much to generate: examples per operation and mode, shrinking, stateful scenarios."""

    max_examples: int
    shrink: bool  # shrink a failure to a minimal request (more requests, a clearer report)
    stateful_scenarios: int
    stateful_steps: int
    extra_checks: tuple[str, ...] = ()


QUICK = FuzzSize(max_examples=2, shrink=False, stateful_scenarios=4, stateful_steps=8)
# ignored_auth: an operation that documents a bearer token refuses the same request without it.
FULL = FuzzSize(max_examples=25, shrink=True, stateful_scenarios=40, stateful_steps=20, extra_checks=("ignored_auth",))


@dataclass
class Outcome:
    """What a run sent and what came back; ``failures`` maps an operation to schemathesis' report."""

    operations: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)
    not_generated: list[str] = field(default_factory=list)
    scenarios: int = 0  # stateful: scenarios run, and runs restarted after a Flaky
    restarts: int = 0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def summary(self) -> dict[str, Any]:
        return {
            "operations": len(self.operations),
            "requests": self.requests,
            "statuses": dict(sorted(self.statuses.items())),
            "failures": len(self.failures),
        } | ({"scenarios": self.scenarios, "restarts": self.restarts} if self.scenarios else {})

    def report(self) -> str:
        return "\n\n".join(f"== {label}\n{text}" for label, text in sorted(self.failures.items()))


def seeded(party: PartyA, probability: float = 0.5) -> dict[str, Any]:
    """Dictionaries of the party's real ids, bound to the parameters that carry such ids."""
    ids = {
        "suppliers": [party.supplier_id, party.sibling_id],
        "orders": [party.order["id"]],
        "invoices": [party.invoice["id"]],
        "rfps": [party.rfp["id"]],
        "proposals": [party.proposal["id"]],
        "attachments": [
            party.order_attachment_id,
            party.invoice_attachment_id,
            party.proposal_attachment_id,
            party.rfp_document_id,
        ],
        "field_keys": [party.field_key],
        "users": [party.admin_id, party.supplier_user_id],
    }
    bindings = {
        "path.supplier_id": "suppliers",
        "query.supplier_id": "suppliers",
        "body.supplier_id": "suppliers",
        "body.supplier_ids[*]": "suppliers",
        "path.order_id": "orders",
        "body.purchase_order_id": "orders",
        "path.invoice_id": "invoices",
        "path.rfp_id": "rfps",
        "path.proposal_id": "proposals",
        "body.proposal_id": "proposals",
        "path.attachment_id": "attachments",
        "path.key": "field_keys",
        "path.user_id": "users",
    }
    return {
        "dictionaries": {name: {"values": values} for name, values in ids.items()},
        "parameters": {key: {"dictionary": name, "probability": probability} for key, name in bindings.items()},
    }


# Operations that change what every other test of a shared stack relies on (see the callers).
SIGN_IN = ("POST", "/api/v1/auth/token")
# Signing out ends the very token the fuzzer sends: every later request would answer 401.
SIGN_OUT = ("POST", "/api/v1/auth/logout")
SHARED_STATE = (
    SIGN_IN,
    SIGN_OUT,
    ("PATCH", "/api/v1/settings"),
    ("POST", "/api/v1/supplier-custom-fields"),
    ("PATCH", "/api/v1/supplier-custom-fields/{key}"),
    # A wrong current password counts against the account's sign-in limit (the stack's admin),
    # a reset request against the client address's (every test's, from this machine).
    ("POST", "/api/v1/me/password"),
    ("POST", "/api/v1/me/email"),
    ("POST", "/api/v1/auth/password-reset"),
    # Ends the party's supplier access on the next request: the supplier user's run would see nothing.
    ("POST", "/api/v1/suppliers/{supplier_id}/portal/deactivate"),
)


def gateway_schema(
    stack: Stack,
    headers: dict[str, str],
    party: PartyA,
    size: FuzzSize,
    *,
    leave_out: tuple[tuple[str, str], ...] = (),
    only: tuple[str, str] | None = None,
) -> BaseSchema:
    """The gateway's whole OpenAPI document (its own routes and every service's), as served,
    without the operations ``leave_out`` names (or with ``only`` that one); every request
    schemathesis sends with it carries ``headers`` (the caller's token)."""
    checks = (*CHECKS_RUN, *size.extra_checks)
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "base-url": stack.config.gateway_url,
            # The bearer token as the document's security scheme, so that schemathesis knows it
            # is the credential (ignored_auth sends the same request without it).
            **({"auth": {"openapi": {"HTTPBearer": {"bearer": _bearer(headers)}}}} if headers else {}),
            "request-timeout": 30,
            "generation": {"deterministic": True, "database": "none", "with-security-parameters": False},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in checks}},
            **seeded(party),
        }
    )
    schema = schemathesis.openapi.from_url(stack.config.gateway_url + "/api/v1/openapi.json", config=config)
    for method, path in leave_out:
        schema = schema.exclude(method=method, path=path)
    if only is not None:
        schema = schema.include(method=only[0], path=only[1])
    return schema


def _bearer(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def _settings(size: FuzzSize, max_examples: int, *, stateful: bool = False) -> hypothesis.settings:
    # A scenario depends on what the server answered before, so replaying one to shrink it is
    # not reliable: scenarios are reported as found. (Seeds are explicit: deterministic.)
    shrink = size.shrink and not stateful
    phases = [hypothesis.Phase.generate] + ([hypothesis.Phase.shrink] if shrink else [])
    return hypothesis.settings(
        max_examples=max_examples,
        stateful_step_count=size.stateful_steps,
        phases=phases,
        database=None,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
    )


def _modes(operation: APIOperation) -> list[GenerationMode]:
    """Negative data needs something to make invalid: parameters or a body."""
    has_input = any(True for _ in operation.iter_parameters()) or bool(operation.body)
    return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if has_input else [GenerationMode.POSITIVE]


def fuzz(schema: BaseSchema, headers: dict[str, str], size: FuzzSize) -> Outcome:
    """Every operation of ``schema``, in both modes, as the caller of ``headers``."""
    outcome = Outcome()
    load_all_checks()
    checks = [CHECKS.get_one(name) for name in (*CHECKS_RUN, *size.extra_checks)]
    with requests.Session() as session:
        session.hooks["response"].append(lambda response, *_, **__: outcome.statuses.update([response.status_code]))
        for result in schema.get_all_operations():
            if not isinstance(result, Ok):
                outcome.failures[str(result.err())] = "the operation's definition is not usable"
                continue
            operation = result.ok()
            outcome.operations.append(operation.label)
            for mode in _modes(operation):
                label = f"{operation.label} [{mode.value}]"

                @hypothesis.seed(zlib.crc32(f"{SEED} {label}".encode()))
                @_settings(size, size.max_examples)
                @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
                def run(case: schemathesis.Case) -> None:
                    case.call_and_validate(session=session, checks=checks)

                try:
                    run()
                except FailureGroup as exc:
                    outcome.failures[label] = str(exc)
                except Unsatisfiable:
                    outcome.not_generated.append(label)
    return outcome


def fuzz_stateful(schema: BaseSchema, size: FuzzSize, *, max_rounds: int = 8) -> Outcome:
    """Schemathesis' stateful phase: scenarios of calls linked by the ids one answer gives the next
    (links inferred from the document), every answer checked as above.

    Hypothesis stops a run when a choice it made before leads elsewhere this time (``Flaky``):
    here, because the server's state moved on in between. Schemathesis' own runner takes that as
    the end of the run, not as a failure; this one then starts another run, with the next seed,
    until the scenarios are done."""
    outcome = Outcome()
    scenarios = 0
    with requests.Session() as session:
        session.hooks["response"].append(lambda response, *_, **__: outcome.statuses.update([response.status_code]))

        class Scenarios(schema.as_state_machine()):  # type: ignore[misc]
            def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
                return {"session": session}

            def validate_response(self, response: Any, case: schemathesis.Case, *args: Any, **kwargs: Any) -> None:
                # Recorded, not raised: Hypothesis would replay the scenario to report it, and a
                # replay against a server whose state has moved on is a different scenario.
                try:
                    super().validate_response(response, case, *args, **kwargs)
                except FailureGroup as exc:
                    outcome.failures.setdefault(f"{case.operation.label} [stateful]", str(exc))

            def teardown(self) -> None:
                nonlocal scenarios
                scenarios += 1
                super().teardown()

        for round_ in range(max_rounds):
            settings = _settings(size, size.stateful_scenarios - scenarios, stateful=True)
            run = hypothesis.seed(SEED + round_)(get_state_machine_test(Scenarios, settings=settings, _min_steps=2))
            try:
                run()
                break
            except Flaky:
                outcome.restarts += 1
            if scenarios >= size.stateful_scenarios:
                break
    outcome.operations = ["stateful"]
    outcome.scenarios = scenarios
    return outcome
