"""The read path's generated data, once for the bench's unit tests that read it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from bench.read_path_data import Dataset, generate

TENANT = uuid.UUID("00000000-0000-0000-0000-0000000000a1")
ADMIN = uuid.UUID("00000000-0000-0000-0000-0000000000a2")
MEASURED = uuid.UUID("00000000-0000-0000-0000-0000000000a3")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def data() -> Dataset:
    return generate(
        tenant_id=TENANT,
        initiator_id=ADMIN,
        measured=(MEASURED, "Measured"),
        purchase_orders=600,
        invoices=1_200,
        suppliers=20,
        now=NOW,
    )
