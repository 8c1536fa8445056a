"""Invariants of the field ownership rules over generated sequences of edits by both sides."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from suppliers.domain.errors import PortalStateConflict
from suppliers.domain.model import Supplier
from tests.suppliers.unit.builders import CATALOG, later, supplier

settings.register_profile("suppliers", deadline=None, max_examples=200)
settings.load_profile("suppliers")

names = st.sampled_from(["Acme", "Acme Ltd", "Acme GmbH"])
emails = st.sampled_from(["a@acme.example", "b@acme.example", "c@acme.example"])
phones = st.one_of(st.none(), st.sampled_from(["+1", "+2"]))
regions = st.one_of(st.none(), st.sampled_from(["north", "south"]))

buyer_edits = st.one_of(
    st.fixed_dictionaries({"name": names}),
    st.fixed_dictionaries({"email": emails}),
    st.fixed_dictionaries({"phone": phones}),
    st.fixed_dictionaries({"currency": st.sampled_from(["EUR", "USD", "JPY"])}),
    st.fixed_dictionaries({"tolerance_rate": st.decimals(0, 100, places=2)}),
    st.fixed_dictionaries(
        {"custom_fields": st.fixed_dictionaries({}, optional={"region": regions, "rating": st.integers(0, 5)})}
    ),
)
supplier_edits = st.one_of(
    st.fixed_dictionaries({"name": names}),
    st.fixed_dictionaries({"email": emails}),
    st.fixed_dictionaries({"phone": phones}),
    st.fixed_dictionaries({"address": st.one_of(st.none(), st.just("Main St 1"))}),
    st.fixed_dictionaries({"minimum_order_amount": st.decimals(0, 10_000, places=2)}),
    st.fixed_dictionaries({"lead_time_days": st.integers(0, 90)}),
    st.fixed_dictionaries({"custom_fields": st.fixed_dictionaries({"region": regions})}),
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("buyer"), buyer_edits),
        st.tuples(st.just("supplier"), supplier_edits),
        st.tuples(st.just("deactivate"), st.just({})),
        st.tuples(st.just("activate"), st.just({})),
    ),
    max_size=25,
)


def apply(s: Supplier, step: tuple[str, dict[str, Any]], minute: int) -> None:
    who, changes = step
    try:
        if who == "buyer":
            s.update(changes, later(minute), CATALOG)
        elif who == "supplier":
            s.edit_profile(changes, later(minute), CATALOG)
        elif who == "deactivate":
            s.deactivate_portal(later(minute), CATALOG)
        else:
            s.activate_portal(later(minute), CATALOG)
    except PortalStateConflict:
        pass  # a step the portal status does not allow changes nothing


@given(steps)
def test_while_active_the_profile_currency_is_always_the_buyers(sequence: list) -> None:
    s = supplier("active")
    for minute, step in enumerate(sequence, start=10):
        apply(s, step, minute)
        if s.portal_status == "active":
            assert s.profile.currency == s.currency


@given(steps, emails)
def test_a_buyer_email_edit_never_changes_the_profile_while_active(sequence: list, email: str) -> None:
    s = supplier("active")
    for minute, step in enumerate(sequence, start=10):
        apply(s, step, minute)
    if s.portal_status == "active":
        before = s.profile
        s.update({"email": email}, later(100), CATALOG)
        assert s.profile == before
        assert s.email == email


@given(steps)
def test_while_active_name_and_custom_fields_agree_in_both_views(sequence: list) -> None:
    s = supplier("active")
    for minute, step in enumerate(sequence, start=10):
        apply(s, step, minute)
        if s.portal_status == "active":
            assert s.profile.name == s.name
            assert s.profile.custom_fields == s.custom_fields
            assert s.waiting_for_portal == frozenset()


@given(steps)
def test_a_supplier_contact_edit_always_reaches_the_buyer_record(sequence: list) -> None:
    s = supplier("active")
    for minute, step in enumerate(sequence, start=10):
        who, changes = step
        before = s.profile
        apply(s, step, minute)
        if who == "supplier" and s.portal_status == "active":
            # Only a change of the supplier's own value is an edit (re-sending it overrides nothing).
            for name in {n for n in ("email", "phone") if n in changes and changes[n] != getattr(before, n)}:
                assert getattr(s, name) == getattr(s.profile, name) == changes[name]


@given(steps, st.lists(buyer_edits, min_size=1, max_size=5))
def test_reactivation_brings_every_buyer_edit_made_while_inactive(sequence: list, while_inactive: list) -> None:
    s = supplier("active")
    for minute, step in enumerate(sequence, start=10):
        apply(s, step, minute)
    if s.portal_status == "active":
        s.deactivate_portal(later(200), CATALOG)
    terms = (s.profile.address, s.profile.minimum_order_amount, s.profile.lead_time_days)
    edited = set()
    for edit in while_inactive:
        before = s.shared()
        s.update(edit, later(201), CATALOG)
        edited |= {name for name in ("name", "email", "phone", "currency") if getattr(before, name) != getattr(s, name)}
    s.activate_portal(later(202), CATALOG)
    assert s.profile.custom_fields == s.custom_fields
    for name in edited:
        assert getattr(s.profile, name) == getattr(s, name), name
    assert (s.profile.address, s.profile.minimum_order_amount, s.profile.lead_time_days) == terms


def test_decimal_terms_survive_as_given() -> None:
    s = supplier("active")
    s.edit_profile({"minimum_order_amount": Decimal("100.10")}, later(), CATALOG)
    assert s.profile_view(CATALOG.shown_keys)["minimum_order_amount"] == "100.10"
