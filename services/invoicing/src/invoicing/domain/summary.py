"""The caller's invoices counted by status: every status is present, zero when there are none."""

from __future__ import annotations

from collections.abc import Mapping
from typing import get_args

from shared.contracts.invoicing import InvoiceStatus

ALL_STATUSES: tuple[str, ...] = get_args(InvoiceStatus)


def invoices_by_status(counted: Mapping[str, int]) -> dict[str, int]:
    """``counted`` holds only the statuses that occur; the answer names every status."""
    return {status: int(counted.get(status, 0)) for status in ALL_STATUSES}
