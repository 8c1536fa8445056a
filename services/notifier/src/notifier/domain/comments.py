"""Comment emails: a comment on a purchase order or an invoice is told to the other side.

A supplier's comment goes to the buyer who raised the order (its initiator); a buyer's comment
goes to the supplier. The email quotes a short, link-free excerpt: it must not become a way to
send links in the portal's name. Its one link is the commented document's page in the portal,
built from the notifier's own setting and the document's id, never from what anybody wrote.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from notifier.domain.excerpts import excerpt
from notifier.domain.messages import EmailDraft
from notifier.domain.pages import invoice_page, purchase_order_page
from shared.contracts.invoicing import InvoiceCommentAdded
from shared.contracts.orders import PurchaseOrderCommentAdded

Side = Literal["initiator", "supplier"]
AuthorRole = Literal["buyer_admin", "buyer_user", "supplier"]

_ROLE_NAMES: dict[str, str] = {"buyer_admin": "The buyer", "buyer_user": "The buyer", "supplier": "The supplier"}
_AUTHOR_NAME_LIMIT = 100


def comment_goes_to(author_role: AuthorRole, initiator_id: UUID | None) -> Side | None:
    """The other side of the comment; None when the supplier wrote and nobody raised the document."""
    if author_role == "supplier":
        return "initiator" if initiator_id is not None else None
    return "supplier"


def author_of(author_name: str | None, author_role: str) -> str:
    """Who wrote it, by name when the event has one, else by role.

    The name is the author's own input, so it gets the excerpt's treatment too.
    """
    name = excerpt(author_name or "", _AUTHOR_NAME_LIMIT)
    return name or _ROLE_NAMES.get(author_role, "Someone")


def _context(comment: PurchaseOrderCommentAdded | InvoiceCommentAdded, recipient_name: str) -> dict[str, object]:
    return {
        "recipient_name": recipient_name,
        "author": author_of(comment.author_name, comment.author_role),
        "excerpt": excerpt(comment.body),
        "commented_at": comment.created_at,
    }


def purchase_order_comment(comment: PurchaseOrderCommentAdded, *, recipient: str, recipient_name: str) -> EmailDraft:
    return EmailDraft(
        template="purchase_order_comment",
        recipient=recipient,
        subject=f"New comment on purchase order {comment.number}",
        context={**_context(comment, recipient_name), "document": f"purchase order {comment.number}"},
        page=purchase_order_page(comment.purchase_order_id),
    )


def invoice_comment(comment: InvoiceCommentAdded, *, recipient: str, recipient_name: str) -> EmailDraft:
    return EmailDraft(
        template="invoice_comment",
        recipient=recipient,
        subject=f"New comment on invoice {comment.number} for PO {comment.purchase_order_number}",
        context={
            **_context(comment, recipient_name),
            "document": f"invoice {comment.number} for purchase order {comment.purchase_order_number}",
        },
        page=invoice_page(comment.invoice_id),
    )
