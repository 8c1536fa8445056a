"""Line nets and invoice totals: Decimal, rounded half-up to the currency's minor unit."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from invoicing.domain.lines import LineDraft
from shared.money import line_net
from tests.invoicing.unit.fakes import make_invoice, make_po


def test_line_net_is_rounded_half_up_to_cents() -> None:
    po = make_po(("3", "0.335"), ("1", "0.125"))
    invoice = make_invoice(po)
    assert [ln.net_amount for ln in invoice.lines] == [Decimal("1.01"), Decimal("0.13")]
    assert invoice.net_total == Decimal("1.14")


def test_a_currency_without_minor_unit_has_whole_totals() -> None:
    invoice = make_invoice(make_po(("3", "33.5"), currency="JPY"))
    assert invoice.net_total == Decimal("101")


def test_an_empty_invoice_totals_zero_in_cents() -> None:
    assert str(make_invoice(make_po(), lines=[]).net_total) == "0.00"


lines = st.lists(
    st.tuples(
        st.decimals(min_value="0.001", max_value=1000, places=3),
        st.decimals(min_value=0, max_value=100_000, places=4),
    ),
    min_size=1,
    max_size=8,
)


@given(lines)
def test_net_total_is_the_sum_of_rounded_line_nets(drafts: list[tuple[Decimal, Decimal]]) -> None:
    po = make_po()
    invoice = make_invoice(po, [LineDraft(None, q, p, "item") for q, p in drafts])
    assert invoice.net_total == sum((line_net(q, p, "EUR") for q, p in drafts), Decimal(0))
    assert invoice.net_total.as_tuple().exponent == -2
