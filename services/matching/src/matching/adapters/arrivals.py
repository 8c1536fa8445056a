"""What matching reads of a submission once it holds its purchase order's row lock, in one
statement: whether its verdict was issued already, its supplier's tolerance, and its position
among the order's submissions, with the hold on its number that the position's statement takes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Row, String, bindparam, exists, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from matching.adapters.tables import invoices, organisation_tolerances, supplier_tolerances, verdicts
from matching.domain.model import DEFAULT_TOLERANCE, Invoice, TolerancePolicy
from shared.driver import driver_rows

# The supplier's tolerance and its organisation's defaults: no row while the supplier is unknown.
_POLICY = (
    select(
        supplier_tolerances.c.supplier_id.label("supplier_known"),
        supplier_tolerances.c.tolerance_rate,
        supplier_tolerances.c.tolerance_amount,
        organisation_tolerances.c.tolerance_rate.label("default_rate"),
        organisation_tolerances.c.tolerance_amount.label("default_amount"),
        organisation_tolerances.c.tenant_id.label("organisation_known"),
    )
    .outerjoin(organisation_tolerances, organisation_tolerances.c.tenant_id == supplier_tolerances.c.tenant_id)
    .where(supplier_tolerances.c.supplier_id == bindparam("supplier_id"))
    .subquery("policy")
)
# The hold on the invoice number: a function scan of one row, from which the policy is joined, so
# that the statement has its one row whether the supplier is known or not. (A ``VALUES`` row
# instead made SQLAlchemy compile the statement on every execution: its data has no cache key.)
_HELD = func.pg_advisory_xact_lock(func.hashtextextended(bindparam("number", type_=String), 0)).table_valued(
    name="held"
)


def _arrival() -> Any:
    """Built once; the values are bound at execution (every submission asks it)."""
    verdict_issued = exists(
        select(verdicts.c.id).where(
            verdicts.c.invoice_id == bindparam("invoice_id"), verdicts.c.submission == bindparam("submission")
        )
    )
    last_received_seq = (
        select(func.coalesce(func.max(invoices.c.received_seq), 0))
        .where(invoices.c.purchase_order_id == bindparam("purchase_order_id"))
        .scalar_subquery()
    )
    return select(
        verdict_issued.label("verdict_issued"),
        last_received_seq.label("last_received_seq"),
        *_POLICY.c,
    ).select_from(_HELD.outerjoin(_POLICY, true()))


_ARRIVAL = _arrival()


@dataclass(frozen=True)
class Arrival:
    verdict_issued: bool
    # The supplier's tolerance, else its organisation's defaults; None while the supplier is unknown.
    tolerance: TolerancePolicy | None
    # The submission's position among its order's submissions.
    received_seq: int


class Arrivals:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of(self, invoice: Invoice, supplier_id: UUID) -> Arrival:
        """The submission as it arrives (callers hold its order's row lock, so no verdict on it and
        no other submission of the order can be committed meanwhile); and, until the transaction
        ends, a hold on the supplier's invoice number, so that two invoices of one number on
        different orders (matched in parallel) are matched one after the other and the second
        sees the first."""
        given = {
            "number": f"matching.invoice-number:{invoice.supplier_id}:{invoice.number_key}",
            "invoice_id": invoice.id,
            "submission": invoice.submission,
            "purchase_order_id": invoice.purchase_order_id,
            "supplier_id": supplier_id,
        }
        (row,) = await driver_rows(self._session, _ARRIVAL, given)
        return Arrival(row.verdict_issued, _policy(row), int(row.last_received_seq) + 1)


def _policy(row: Row[Any]) -> TolerancePolicy | None:
    if row.supplier_known is None:
        return None
    default = DEFAULT_TOLERANCE
    if row.organisation_known is not None:
        default = TolerancePolicy(row.default_rate, row.default_amount)
    return TolerancePolicy(row.tolerance_rate, row.tolerance_amount).or_else(default)
