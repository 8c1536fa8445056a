"""Files a supplier attaches to its proposal (datasheets, offers as PDF).

The bytes are kept by id; the display name was cleaned by ``shared.uploads`` and is never a path.
A supplier attaches while the RFP takes proposals; the buyer reads the files of answers it sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from orders.domain.rfp import Rfp
from orders.domain.rfp_proposal import Proposal


@dataclass(frozen=True)
class ProposalAttachment:
    id: UUID
    proposal_id: UUID
    filename: str
    content_type: str
    size: int
    uploaded_by: UUID
    created_at: datetime
    content: bytes | None = None  # left out of listings


def attach(
    rfp: Rfp, proposal: Proposal, *, filename: str, content_type: str, content: bytes, uploaded_by: UUID, now: datetime
) -> ProposalAttachment:
    """A new file on the proposal; like the answer itself, only while the RFP takes proposals."""
    rfp.ensure_accepts_proposals(now)
    proposal.ensure_changeable()
    return ProposalAttachment(
        id=uuid4(),
        proposal_id=proposal.id,
        filename=filename,
        content_type=content_type,
        size=len(content),
        uploaded_by=uploaded_by,
        created_at=now,
        content=content,
    )
