"""Errors of the request-for-proposals rules; ``shared.problems`` maps their bases to problem details."""

from __future__ import annotations

from datetime import datetime

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound


class RfpNotFound(NotFound):
    default_detail = "request for proposals not found"


class ProposalNotFound(NotFound):
    def __init__(self, detail: str = "proposal not found") -> None:
        super().__init__(detail)


class InvalidRfp(InvalidInput):
    pass


class InvalidProposal(InvalidInput):
    pass


class UnknownInvitedSupplier(InvalidRfp):
    def __init__(self, index: int) -> None:
        # Suppliers reach orders through events: one created a moment ago may not be here yet.
        super().__init__(
            f"supplier_ids[{index}] is not a supplier of your organisation (or it was created a moment ago "
            "and has not reached purchase orders yet; try again shortly)",
            errors=[{"field": f"supplier_ids.{index}", "message": "unknown supplier"}],
        )


class RfpStateConflict(Conflict):
    pass


class RfpClosedForProposals(RfpStateConflict):
    def __init__(self, due_date: datetime) -> None:
        super().__init__(f"the RFP closed at {due_date.isoformat()}; proposals can no longer be submitted or changed")


class ProposalStateConflict(Conflict):
    pass


class RfpActionForbidden(Forbidden):
    pass
