"""RFP emails: invited suppliers hear of a published request for proposals, and every supplier
that answered hears the outcome.

The suppliers that lost are never told who won: their email is drafted from the RFP's number
and title alone, so no template can show the winner to them by mistake.
"""

from __future__ import annotations

from uuid import UUID

from notifier.domain.directory import SupplierContact
from notifier.domain.excerpts import collapse_whitespace
from notifier.domain.messages import EmailDraft
from notifier.domain.pages import rfp_page
from shared.contracts.rfps import RfpAwarded, RfpPublished

# The subject column holds 500 characters; a title may hold 300, kept shorter in a subject.
_SUBJECT_TITLE_LIMIT = 200


def _subject_title(title: str) -> str:
    # A line break in a header would make the message invalid.
    title = collapse_whitespace(title)
    return title if len(title) <= _SUBJECT_TITLE_LIMIT else title[: _SUBJECT_TITLE_LIMIT - 1].rstrip() + "…"


def rfp_published(rfp: RfpPublished, supplier: SupplierContact) -> EmailDraft:
    return EmailDraft(
        template="rfp_published",
        recipient=supplier.email,
        subject=f"Request for proposals {rfp.number}: {_subject_title(rfp.title)}",
        context={"rfp": rfp, "supplier_name": supplier.name},
        page=rfp_page(rfp.rfp_id),
    )


def rfp_participants(rfp: RfpAwarded) -> list[UUID]:
    """Every supplier that answered, once each, the winner first (even if the list missed it).

    First, because one address gets one email per event: should the winner share an address
    with a losing supplier, that address must hear of the win.
    """
    winner = [rfp.awarded_supplier_id] if rfp.awarded_supplier_id else []
    return list(dict.fromkeys([*winner, *rfp.participant_ids]))


def rfp_outcome(rfp: RfpAwarded, supplier: SupplierContact) -> EmailDraft:
    """ "You won" to the awarded supplier; to the others only that another supplier won."""
    facts = {"number": rfp.number, "title": rfp.title, "supplier_name": supplier.name}
    if supplier.supplier_id == rfp.awarded_supplier_id:
        return EmailDraft(
            template="rfp_won",
            recipient=supplier.email,
            subject=f"You won {rfp.number}",
            context={**facts, "purchase_order_follows": rfp.purchase_order_id is not None},
            page=rfp_page(rfp.rfp_id),
        )
    return EmailDraft(
        template="rfp_lost",
        recipient=supplier.email,
        subject=f"{rfp.number} was awarded to another supplier",
        context=facts,
        page=rfp_page(rfp.rfp_id),
    )
