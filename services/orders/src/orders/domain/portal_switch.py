"""What a supplier user keeps of a buyer that has switched its supplier portal off.

The buyer still owes the supplier for what it ordered: the supplier keeps the orders that are
still to invoice (sent, acknowledged, partly invoiced), reads them and invoices what remains.
Everything else of that buyer is closed to it while the switch is off: orders fully invoiced
(whatever the status of their invoices: orders counts every live invoice, submitted or
decided), canceled or closed, the buyer's RFPs, and new comments, files and acknowledgements.

Which records are restricted the caller's token says (``Principal.restricted_supplier_ids``,
restated by the gateway on every request), so the rule holds from the moment the switch moves.
"""

from __future__ import annotations

from uuid import UUID

from orders.domain.model import OPEN_STATUSES
from shared.auth import Principal
from shared.errors import Conflict

# The statuses of the orders a restricted supplier still sees: those with something left to invoice.
SHOWN_WHILE_SWITCHED_OFF = OPEN_STATUSES


class SupplierPortalSwitchedOff(Conflict):
    """The buyer switched its supplier portal off: only invoicing what is still owed remains open."""

    def __init__(self, action: str) -> None:
        super().__init__(
            f"the buyer has switched its supplier portal off: you can no longer {action};"
            " only invoicing what is still owed on open orders remains possible until the buyer switches it on"
        )


def ensure_portal_on(caller: Principal, supplier_id: UUID, action: str) -> None:
    """Refuse ``action`` to a supplier user on a record whose buyer switched the portal off."""
    if caller.is_restricted(supplier_id):
        raise SupplierPortalSwitchedOff(action)


def unrestricted_supplier_ids(caller: Principal) -> frozenset[UUID]:
    """The caller's supplier records that reach the whole portal (the switch of their buyer is on)."""
    return caller.supplier_ids - caller.restricted_supplier_ids
