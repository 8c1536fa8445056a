"""The unit of work of the RFP use cases: the orders unit of work plus RFPs, proposals, their files
and the portal switch, so that an award writes its purchase order in the same transaction."""

from __future__ import annotations

from orders.service.unit_of_work import UnitOfWork
from orders.sourcing.adapters.attachments import AttachmentRepository
from orders.sourcing.adapters.portal_switches import PortalSwitches
from orders.sourcing.adapters.proposal_repository import ProposalRepository
from orders.sourcing.adapters.repository import RfpRepository
from orders.sourcing.domain.attachment import ProposalAttachment, RfpAttachment
from orders.sourcing.domain.proposal import Proposal
from orders.sourcing.domain.rfp import Rfp


class RfpUnitOfWork(UnitOfWork):
    def _start(self) -> None:
        super()._start()
        self.rfps = RfpRepository(self.session)
        self.proposals = ProposalRepository(self.session)
        self.rfp_attachments = AttachmentRepository(self.session, RfpAttachment)
        self.proposal_attachments = AttachmentRepository(self.session, ProposalAttachment)
        self.portal_switches = PortalSwitches(self.session)

    async def save_rfp(self, rfp: Rfp) -> None:
        """Persist the RFP and move its recorded events to the outbox."""
        await self.rfps.save(rfp)
        self.outbox.take(rfp.events, tenant_id=rfp.tenant_id)

    async def save_proposal(self, proposal: Proposal) -> None:
        await self.proposals.save(proposal)
        self.outbox.take(proposal.events, tenant_id=proposal.tenant_id)
