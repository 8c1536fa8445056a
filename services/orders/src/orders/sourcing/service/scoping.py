"""Which of the caller's supplier records acts on an RFP.

A supplier user may be linked to several supplier records; on one RFP it acts for the record
that was invited. When more than one of its records is invited, it names one (``?supplier_id=``).
"""

from __future__ import annotations

from uuid import UUID

from orders.domain.portal_switch import unrestricted_supplier_ids
from orders.sourcing.domain.errors import InvalidProposal, RfpActionForbidden, RfpNotFound
from orders.sourcing.domain.rfp import Rfp
from shared.auth import Principal


def invited_records(caller: Principal, rfp: Rfp) -> list[UUID]:
    """The caller's supplier records invited to ``rfp``, in invitation order; a record whose
    buyer switched its supplier portal off answers no RFP."""
    mine = unrestricted_supplier_ids(caller)
    return [supplier_id for supplier_id in rfp.supplier_ids if supplier_id in mine]


def acting_supplier(caller: Principal, rfp: Rfp, requested: UUID | None) -> UUID:
    if not caller.is_supplier:
        raise RfpActionForbidden("only an invited supplier answers an RFP")
    mine = invited_records(caller, rfp)
    if requested is not None:
        if requested not in mine:
            raise RfpNotFound()
        return requested
    if not mine:
        raise RfpNotFound()
    if len(mine) > 1:
        raise InvalidProposal(
            "several of your supplier records are invited to this RFP; name one with ?supplier_id=",
            errors=[{"field": "supplier_id", "message": "one of: " + ", ".join(str(s) for s in mine)}],
        )
    return mine[0]
