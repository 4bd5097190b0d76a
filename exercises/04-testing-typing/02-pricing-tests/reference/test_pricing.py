"""Tests of the checkout's pricing: what a reviewer would ask of it before a release."""

from __future__ import annotations

from decimal import Decimal
from unittest.mock import Mock

import pytest

from pricing import Line, RateSource, coupon_discount, in_currency, line_total, order_total


@pytest.fixture
def mug() -> Line:
    """A single line under the free-shipping threshold."""
    return Line("MUG-01", Decimal("12.50"), 1)


@pytest.fixture
def rates() -> Mock:
    """A rate source that answers 1.10 for any currency and records how it was asked."""
    source = Mock(spec=RateSource)
    source.rate.return_value = Decimal("1.10")
    return source


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (1, Decimal("2.00")),
        (9, Decimal("18.00")),
        (10, Decimal("19.00")),  # 5% off from ten items on
        (11, Decimal("20.90")),
    ],
)
def test_line_total_applies_the_bulk_discount_from_ten_items(
    quantity: int, expected: Decimal
) -> None:
    assert line_total(Line("PEN-02", Decimal("2.00"), quantity)) == expected


def test_line_total_rounds_half_up_to_the_cent() -> None:
    assert line_total(Line("CLIP-03", Decimal("0.7825"), 2)) == Decimal("1.57")


@pytest.mark.parametrize("quantity", [0, -1])
def test_a_quantity_below_one_is_refused(quantity: int) -> None:
    with pytest.raises(ValueError, match="quantity"):
        line_total(Line("PEN-02", Decimal("2.00"), quantity))


def test_a_negative_price_is_refused() -> None:
    with pytest.raises(ValueError, match="unit price"):
        line_total(Line("PEN-02", Decimal("-0.01"), 1))


@pytest.mark.parametrize(
    ("code", "subtotal", "expected"),
    [
        ("SAVE10", Decimal("40.00"), Decimal("4.00")),
        ("save10", Decimal("0.25"), Decimal("0.03")),
        (" FiveOff ", Decimal("40.00"), Decimal("5.00")),
        ("FIVEOFF", Decimal("3.20"), Decimal("3.20")),
    ],
)
def test_coupons_take_their_share_off(code: str, subtotal: Decimal, expected: Decimal) -> None:
    assert coupon_discount(code, subtotal) == expected


def test_an_unknown_coupon_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown coupon"):
        coupon_discount("FREEBIE", Decimal("10.00"))


def test_a_small_order_pays_shipping(mug: Line) -> None:
    assert order_total([mug]) == Decimal("17.45")


@pytest.mark.parametrize(
    ("price", "expected"),
    [(Decimal("49.99"), Decimal("54.94")), (Decimal("50.00"), Decimal("50.00"))],
)
def test_shipping_is_free_from_fifty(price: Decimal, expected: Decimal) -> None:
    assert order_total([Line("LAMP-04", price, 1)]) == expected


def test_the_coupon_comes_off_before_shipping_is_decided() -> None:
    lamp = Line("LAMP-04", Decimal("52.00"), 1)
    assert order_total([lamp], coupon="SAVE10") == Decimal("46.80") + Decimal("4.95")


def test_lines_add_up(mug: Line) -> None:
    pens = Line("PEN-02", Decimal("2.00"), 10)
    assert order_total([mug, pens], coupon="fiveoff") == Decimal("26.50") + Decimal("4.95")


def test_an_empty_order_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one line"):
        order_total([])


def test_euros_are_returned_without_asking_for_a_rate(rates: Mock) -> None:
    assert in_currency(Decimal("10.00"), "EUR", rates) == Decimal("10.00")
    rates.rate.assert_not_called()


def test_other_currencies_are_converted_at_the_rate_and_rounded(rates: Mock) -> None:
    assert in_currency(Decimal("10.05"), "USD", rates) == Decimal("11.06")
    rates.rate.assert_called_once_with("USD")


@pytest.mark.parametrize("rate", [Decimal("0"), Decimal("-1.2")])
def test_a_rate_that_is_not_positive_is_refused(rates: Mock, rate: Decimal) -> None:
    rates.rate.return_value = rate
    with pytest.raises(ValueError, match="positive"):
        in_currency(Decimal("1.00"), "GBP", rates)
