"""What a submitted invoice costs matching's database, and that the fewer statements find what the
plain ones found: whether its verdict was issued, its supplier's tolerance and its position."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from matching.adapters.arrivals import _ARRIVAL, Arrival, Arrivals
from matching.adapters.repository import (
    InvoiceRepository,
    _earlier_and_namesakes,
    _json_lines,
    _stored_with_earlier_and_namesakes,
    invoice_of,
)
from matching.adapters.tables import invoices
from matching.domain.model import DEFAULT_TOLERANCE, Invoice, TolerancePolicy
from portal_dev.testing import poll_until, statements_sent
from shared.db import make_session_factory, upsert
from shared.fields import values_of
from tests.matching.integration.conftest import Matching
from tests.matching.integration.events import invoice, purchase_order, supplier
from tests.matching.integration.test_matching_flow import WORKED_EXAMPLE
from tests.matching.integration.wire import Wire


async def _handled(matching: Matching, *event_ids: uuid.UUID) -> None:
    async def recorded() -> bool:
        found = await matching.scalar("SELECT count(*) FROM inbox WHERE event_id = ANY(:ids)", ids=list(event_ids))
        return found == len(event_ids)

    await poll_until(recorded, what="the events in matching's inbox")


async def test_a_submission_is_checked_in_one_statement_once_its_order_is_locked(
    matching: Matching, wire: Wire
) -> None:
    vendor = supplier(uuid.uuid4(), tolerance_rate="5")
    po = purchase_order(vendor, *WORKED_EXAMPLE)
    await _handled(matching, (await wire.publish(vendor)).id, (await wire.publish(po)).id)
    billed = invoice(po, (0, "1", "3249.00"), (1, "20", "100.00"))
    with statements_sent(matching.runtime.engine) as sent:
        await wire.publish(billed)
        [verdict] = await wire.verdicts_until(billed.invoice_id)
    assert verdict["data"]["outcome"] == "auto_approved"
    # The inbox, the order locked, the checks, the invoice stored with the earlier invoices read,
    # the verdict and its event.
    assert len(sent) == 6, sent
    [checks] = [statement for statement in sent if "supplier_tolerances" in statement]
    assert "FROM verdicts" in checks and "pg_advisory_xact_lock" in checks and "max(invoices.received_seq)" in checks


def test_the_statements_of_a_submission_are_compiled_once() -> None:
    """SQLAlchemy keeps a statement compiled by its cache key; one without compiles at every use."""
    columns = (*invoices.c.keys(),)
    for statement in (_ARRIVAL, *(_stored_with_earlier_and_namesakes(columns, namesakes=n) for n in (True, False))):
        assert statement._generate_cache_key() is not None


_POLICY = text(
    "SELECT s.tolerance_rate, s.tolerance_amount, o.tolerance_rate AS default_rate,"
    " o.tolerance_amount AS default_amount, o.tenant_id AS organisation_known"
    " FROM supplier_tolerances s LEFT JOIN organisation_tolerances o ON o.tenant_id = s.tenant_id"
    " WHERE s.supplier_id = :supplier_id"
)
_ISSUED = text("SELECT 1 FROM verdicts WHERE invoice_id = :invoice_id AND submission = :submission")
_LAST = text("SELECT coalesce(max(received_seq), 0) FROM invoices WHERE purchase_order_id = :purchase_order_id")


async def _plainly(session: Any, submitted: Invoice, supplier_id: uuid.UUID) -> Arrival:
    """The arrival as three statements of their own give it."""
    row = (await session.execute(_POLICY, {"supplier_id": supplier_id})).first()
    tolerance = None
    if row is not None:
        default = DEFAULT_TOLERANCE
        if row.organisation_known is not None:
            default = TolerancePolicy(row.default_rate, row.default_amount)
        tolerance = TolerancePolicy(row.tolerance_rate, row.tolerance_amount).or_else(default)
    issued = (await session.execute(_ISSUED, {"invoice_id": submitted.id, "submission": submitted.submission})).first()
    last = (await session.execute(_LAST, {"purchase_order_id": submitted.purchase_order_id})).scalar_one()
    return Arrival(issued is not None, tolerance, last + 1)


async def test_the_arrival_finds_what_three_statements_of_their_own_find(matching: Matching) -> None:
    vendor = supplier(uuid.uuid4())
    po = purchase_order(vendor, *WORKED_EXAMPLE)
    submitted = Invoice.of(invoice(po, (0, "1", "3000.00"), submission=2))
    params = {
        "supplier_id": vendor.supplier_id,
        "tenant_id": submitted.tenant_id,
        "invoice_id": submitted.id,
        "purchase_order_id": submitted.purchase_order_id,
    }
    # Each step changes the data, then both ways are asked.
    steps = [
        [],  # the supplier unknown, no invoice, no verdict
        [
            "INSERT INTO supplier_tolerances (supplier_id, tenant_id, revision) VALUES (:supplier_id, :tenant_id, 1)"
        ],  # no tolerance set
        [
            "INSERT INTO organisation_tolerances (tenant_id, tolerance_rate, tolerance_amount, revision)"
            " VALUES (:tenant_id, 2, 50, 1)"
        ],  # the organisation's defaults
        ["UPDATE supplier_tolerances SET tolerance_amount = 10"],  # the supplier's own amount
        ["UPDATE supplier_tolerances SET tolerance_rate = 0"],  # a rate of 0 is set
        [  # invoices of the order received, one of them not matched yet (no position)
            "INSERT INTO invoices (id, tenant_id, purchase_order_id, status, submission, net_total, lines, revision,"
            " received_seq) VALUES (gen_random_uuid(), :tenant_id, :purchase_order_id, 'approved', 1, 1, '[]', 1, 3),"
            " (gen_random_uuid(), :tenant_id, :purchase_order_id, 'matching', 1, 1, '[]', 1, NULL),"
            " (gen_random_uuid(), :tenant_id, gen_random_uuid(), 'matching', 1, 1, '[]', 1, 9)"
        ],
        [  # a verdict on its first submission, not on this one
            "INSERT INTO verdicts (id, tenant_id, invoice_id, purchase_order_id, submission, outcome, issued_at,"
            " document) VALUES (gen_random_uuid(), :tenant_id, :invoice_id, :purchase_order_id, 1, 'approved',"
            " now(), '{}')"
        ],
        [  # and on this one
            "INSERT INTO verdicts (id, tenant_id, invoice_id, purchase_order_id, submission, outcome, issued_at,"
            " document) VALUES (gen_random_uuid(), :tenant_id, :invoice_id, :purchase_order_id, 2, 'approved',"
            " now(), '{}')"
        ],
    ]
    answers = []
    async with make_session_factory(matching.runtime.engine)() as session, session.begin():
        for changes in steps:
            for change in changes:
                await session.execute(text(change), params)
            answer = await Arrivals(session).of(submitted, vendor.supplier_id)
            assert answer == await _plainly(session, submitted, vendor.supplier_id), changes
            answers.append(answer)
        await session.rollback()
    # The data is awkward enough: every case of the tolerance, the position and the verdict.
    assert [answer.tolerance for answer in answers[:5]] == [
        None,
        DEFAULT_TOLERANCE,
        TolerancePolicy(Decimal(2), Decimal(50)),
        TolerancePolicy(None, Decimal(10)),
        TolerancePolicy(Decimal(0), Decimal(10)),
    ]
    assert [answer.received_seq for answer in answers] == [1] * 5 + [4] * 3
    assert [answer.verdict_issued for answer in answers] == [False] * 7 + [True]


async def _stored_then_read(session: Any, submitted: Invoice, received_seq: int) -> tuple[list[Invoice], list[Invoice]]:
    """The submission stored, then the earlier invoices and the namesakes read: two statements."""
    values = values_of(
        invoices.c.keys(), submitted, lines=_json_lines(submitted.lines), number_key=submitted.number_key
    )
    values["received_seq"] = received_seq
    stored = upsert(invoices, tuple(values), keep=("tenant_id",), newer="revision", or_equal=True)
    await session.execute(stored, values)
    query = _earlier_and_namesakes(namesakes=bool(submitted.number_key) and not submitted.is_credit_note)
    found = [invoice_of(row) for row in (await session.execute(query, values)).all()]
    of_po = [other for other in found if other.purchase_order_id == submitted.purchase_order_id]
    return of_po, [other for other in found if other.purchase_order_id != submitted.purchase_order_id]


async def test_a_stored_submission_finds_what_a_read_after_storing_it_finds(matching: Matching) -> None:
    vendor = supplier(uuid.uuid4())
    first_po, second_po = purchase_order(vendor, *WORKED_EXAMPLE), purchase_order(vendor, *WORKED_EXAMPLE)
    a = Invoice.of(invoice(first_po, (0, "1", "3000.00"), number="X-1"))
    b = Invoice.of(invoice(second_po, (0, "1", "3000.00"), number="x 1"))  # the same number key
    c = Invoice.of(invoice(first_po, (1, "2", "100.00")))
    d = replace(Invoice.of(invoice(first_po, (1, "1", "100.00"), number="X1")), kind="credit_note")
    e = Invoice.of(invoice(second_po, (1, "1", "100.00"), number=""))
    steps = [
        (a, 1),
        (b, 1),  # a namesake on the other order
        (c, 2),
        (replace(a, submission=2, revision=5), 3),  # resubmitted: its former position is gone
        (replace(a, submission=2, revision=4), 4),  # older than the stored state: not stored
        (d, 5),  # a credit note looks for no namesake
        (e, 2),  # nor an invoice without a number
    ]
    answers = []
    async with make_session_factory(matching.runtime.engine)() as session, session.begin():
        for submitted, received_seq in steps:
            savepoint = await session.begin_nested()
            plain = await _stored_then_read(session, submitted, received_seq)
            await savepoint.rollback()
            answer = await InvoiceRepository(session).store_submission(submitted, received_seq)
            assert answer == plain, (submitted, received_seq)
            answers.append(answer)
        stored_seq = await session.scalar(text("SELECT received_seq FROM invoices WHERE id = :id"), {"id": a.id})
        await session.rollback()
    assert stored_seq == 3
    # The data is awkward enough: every case gave something to compare.
    assert [([x.id for x in of_po], [x.id for x in others]) for of_po, others in answers] == [
        ([], []),
        ([], [a.id]),
        ([a.id], []),
        ([c.id], [b.id]),
        ([c.id, a.id], [b.id]),
        ([c.id, a.id], []),
        ([b.id], []),
    ]
