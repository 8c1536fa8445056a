"""A supplier user's records: a token narrows to one linked and active record only, and the
buyer organisations are listed as a person reads them."""

import uuid
from datetime import UTC, datetime

import pytest

from gateway.domain.model import SupplierAccess, SupplierOrganisation, User, in_display_order
from shared.errors import NotFound

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def supplier_user(*supplier_ids: uuid.UUID) -> User:
    return User.register(
        email="sales@acme.example",
        name="Acme",
        role="supplier",
        password_hash="x",
        supplier_ids=set(supplier_ids),
        now=NOW,
    )


def test_a_narrowed_principal_is_the_same_user_with_that_one_record() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    user = supplier_user(first, second)
    narrowed = user.principal_for_supplier(second, SupplierAccess({first, second}, set()))
    assert (narrowed.user_id, narrowed.role, narrowed.email) == (user.id, "supplier", user.email)
    assert narrowed.supplier_ids == frozenset({second})


def test_a_record_not_linked_or_not_active_is_not_found() -> None:
    linked, inactive, foreign = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    user = supplier_user(linked, inactive)
    for supplier_id in (inactive, foreign):
        with pytest.raises(NotFound):
            user.principal_for_supplier(supplier_id, SupplierAccess({linked, foreign}, set()))


def organisation(buyer_name: str, supplier_name: str) -> SupplierOrganisation:
    return SupplierOrganisation(
        supplier_id=uuid.uuid4(),
        supplier_name=supplier_name,
        tenant_id=uuid.uuid4(),
        buyer_name=buyer_name,
        invoice_issue_date_required=False,
    )


def test_organisations_are_listed_by_buyer_then_supplier_name_in_any_case() -> None:
    listed = [
        organisation("zeta Buying", "Alpha"),
        organisation("Beta Buying", "parts"),
        organisation("Beta Buying", "Other"),
        organisation("alpha Buying", "Zed"),
    ]
    assert [(o.buyer_name, o.supplier_name) for o in in_display_order(listed)] == [
        ("alpha Buying", "Zed"),
        ("Beta Buying", "Other"),
        ("Beta Buying", "parts"),
        ("zeta Buying", "Alpha"),
    ]
