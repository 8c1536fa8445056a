"""RFP emails: invited suppliers hear of a published request for proposals and of its closing;
every supplier that answered hears the outcome, and an invited one that did not answer hears
that it is over, once (from the closing, or from the award when that came first).

The suppliers that lost are never told who won: their email is drafted from the RFP's number,
title and buyer alone, so no template can show the winner to them by mistake.
"""

from __future__ import annotations

from uuid import UUID

from notifier.domain.excerpts import collapse_whitespace
from notifier.domain.headers import subject_name
from notifier.domain.messages import EmailDraft
from notifier.domain.pages import rfp_page
from notifier.domain.read_models import SupplierContact
from shared.contracts.rfps import RfpAwarded, RfpClosed, RfpPublished

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


def rfp_onlookers(rfp: RfpAwarded) -> list[UUID]:
    """The invited suppliers that did not answer, once each: the award ends the RFP for them too."""
    answered = set(rfp_participants(rfp))
    return [supplier_id for supplier_id in dict.fromkeys(rfp.supplier_ids) if supplier_id not in answered]


def rfp_closed(rfp: RfpClosed, supplier: SupplierContact, buyer_name: str) -> EmailDraft:
    """To every invited supplier: proposals can no longer be submitted or changed."""
    return EmailDraft(
        template="rfp_closed",
        recipient=supplier.email,
        subject=f"Request for proposals {rfp.number} from {subject_name(buyer_name)} has closed",
        context={
            "number": rfp.number,
            "title": rfp.title,
            "due_date": rfp.due_date,
            "supplier_name": supplier.name,
            "buyer_name": buyer_name,
        },
        page=rfp_page(rfp.rfp_id),
    )


def rfp_outcome(rfp: RfpAwarded, supplier: SupplierContact, buyer_name: str) -> EmailDraft:
    """ "You won" to the awarded supplier; to the others only that another supplier won (with
    thanks to those that answered)."""
    facts = {"number": rfp.number, "title": rfp.title, "supplier_name": supplier.name, "buyer_name": buyer_name}
    if supplier.supplier_id == rfp.awarded_supplier_id:
        return EmailDraft(
            template="rfp_won",
            recipient=supplier.email,
            subject=f"You won {rfp.number} from {subject_name(buyer_name)}",
            context={**facts, "purchase_order_follows": rfp.purchase_order_id is not None},
            page=rfp_page(rfp.rfp_id),
        )
    return EmailDraft(
        template="rfp_lost",
        recipient=supplier.email,
        subject=f"{rfp.number} was awarded to another supplier by {subject_name(buyer_name)}",
        context={**facts, "proposal_submitted": supplier.supplier_id in rfp.participant_ids},
        page=rfp_page(rfp.rfp_id),
    )
