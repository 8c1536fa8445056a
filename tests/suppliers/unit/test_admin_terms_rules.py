"""The supplier's tolerance and payment terms are the buyer admin's: the rule, without a database."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest

from shared.contracts.suppliers import Actor
from suppliers.domain.errors import TermsNeedTheAdmin
from suppliers.domain.model import Supplier
from tests.suppliers.unit.builders import CATALOG, NOW, TENANT, later, supplier

ADMIN = Actor(user_id=uuid4(), role="buyer_admin")
CLERK = Actor(user_id=uuid4(), role="buyer_user")


def test_a_buyer_user_changing_a_term_is_refused_with_every_such_field_named() -> None:
    record = supplier()
    with pytest.raises(TermsNeedTheAdmin) as refused:
        record.update(
            {"name": "New", "tolerance_amount": Decimal(1), "payment_terms_days": 9}, later(), CATALOG, by=CLERK
        )
    assert [e["field"] for e in refused.value.errors] == ["tolerance_amount", "payment_terms_days"]
    assert (record.name, record.revision, record.events) == ("Acme Tools", 1, [])


def test_a_buyer_user_sending_the_terms_unchanged_changes_the_rest() -> None:
    record = supplier()
    record.update(
        {"name": "New", "tolerance_rate": Decimal("5.00"), "tolerance_amount": None}, later(), CATALOG, by=CLERK
    )
    [event] = record.events
    assert (record.name, event.actor) == ("New", CLERK)


def test_the_admin_changes_the_terms_and_the_event_names_it() -> None:
    record = supplier()
    record.update({"tolerance_rate": None, "payment_terms_days": 10}, later(), CATALOG, by=ADMIN)
    assert (record.tolerance_rate, record.payment_terms_days, record.events[0].actor) == (None, 10, ADMIN)


def test_a_buyer_user_registers_a_supplier_only_without_terms_of_its_own() -> None:
    values = {"tenant_id": TENANT, "name": "Globex", "email": "ap@globex.example", "currency": "EUR"}
    with pytest.raises(TermsNeedTheAdmin):
        Supplier.register(**values, now=NOW, catalog=CATALOG, tolerance_rate=Decimal(0), by=CLERK)
    created = Supplier.register(**values, now=NOW, catalog=CATALOG, by=CLERK)
    assert created.events[0].actor == CLERK
