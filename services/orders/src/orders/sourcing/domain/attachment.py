"""Files on an RFP, both ways: the buyer's documents on the request (drawings, specifications),
and a supplier's files on its proposal (datasheets, offers as PDF).

The bytes are kept by id; the display name was cleaned by ``shared.uploads`` and is never a path.
The buyer attaches while the request is a draft or open, and the invited suppliers read its
documents once it is published; a supplier attaches while the RFP takes proposals, and the buyer
reads the files of answers it sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from orders.sourcing.domain.proposal import Proposal
from orders.sourcing.domain.rfp import Rfp


@dataclass(frozen=True, kw_only=True)
class _File:
    """What every file of a request for proposals is, whoever owns it."""

    id: UUID
    filename: str
    content_type: str
    size: int
    uploaded_by: UUID
    created_at: datetime
    content: bytes | None = None  # left out of listings


@dataclass(frozen=True, kw_only=True)
class ProposalAttachment(_File):
    proposal_id: UUID


@dataclass(frozen=True, kw_only=True)
class RfpAttachment(_File):
    """A document of the buyer's on the request itself."""

    rfp_id: UUID


def _new(filename: str, content_type: str, content: bytes, uploaded_by: UUID, now: datetime) -> dict[str, Any]:
    return {
        "id": uuid4(),
        "filename": filename,
        "content_type": content_type,
        "size": len(content),
        "uploaded_by": uploaded_by,
        "created_at": now,
        "content": content,
    }


def attach(
    rfp: Rfp, proposal: Proposal, *, filename: str, content_type: str, content: bytes, uploaded_by: UUID, now: datetime
) -> ProposalAttachment:
    """A new file on the proposal; like the answer itself, only while the RFP takes proposals."""
    rfp.ensure_accepts_proposals(now)
    proposal.ensure_changeable()
    return ProposalAttachment(proposal_id=proposal.id, **_new(filename, content_type, content, uploaded_by, now))


def attach_document(
    rfp: Rfp, *, filename: str, content_type: str, content: bytes, uploaded_by: UUID, now: datetime
) -> RfpAttachment:
    """A new document on the request, while the suppliers may still act on it."""
    rfp.ensure_takes_documents(now)
    return RfpAttachment(rfp_id=rfp.id, **_new(filename, content_type, content, uploaded_by, now))
