"""Where the goods of an order go: the delivery address the buyer writes, as it is printed.

Several lines of plain text. Line breaks are kept whatever the client sent ("\\r\\n" from a
browser's text area becomes "\\n"); any other control character is refused, because the address
is printed on the order and shown in emails, where a tab or an escape would garble it. An order
without one is delivered to the buyer's address, which documents print in its place.
"""

from __future__ import annotations

import unicodedata

from orders.domain.errors import InvalidPurchaseOrder

MAX_DELIVERY_ADDRESS_LENGTH = 500


def _refused(message: str) -> InvalidPurchaseOrder:
    return InvalidPurchaseOrder(
        f"the delivery address {message}", errors=[{"field": "delivery_address", "message": message}]
    )


def clean_delivery_address(text: str) -> str | None:
    """The address as stored: line endings made "\\n", blanks trimmed around each line and the
    whole; ``None`` for an empty one (the buyer's address then)."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    cleaned = "\n".join(lines).strip("\n")
    if any(unicodedata.category(c) == "Cc" and c != "\n" for c in cleaned):
        raise _refused("must not contain control characters other than line breaks")
    if len(cleaned) > MAX_DELIVERY_ADDRESS_LENGTH:
        raise _refused(f"takes at most {MAX_DELIVERY_ADDRESS_LENGTH} characters")
    return cleaned or None
