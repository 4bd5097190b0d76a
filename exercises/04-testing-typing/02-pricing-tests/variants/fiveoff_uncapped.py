# FIVEOFF takes 5 euros off even a smaller subtotal, making it negative
"""Order pricing for the shop's checkout service.

This is the code under test: read it, then write the tests in test_pricing.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

CENT = Decimal("0.01")
BULK_QUANTITY = 10
BULK_DISCOUNT = Decimal("0.05")
FREE_SHIPPING_FROM = Decimal("50.00")
SHIPPING = Decimal("4.95")


class RateSource(Protocol):
    """Where exchange rates come from (a service over the network, in production)."""

    def rate(self, currency: str) -> Decimal:
        """How many units of `currency` one euro buys."""
        ...


@dataclass(frozen=True)
class Line:
    """One line of an order: a product, its unit price in euros, and how many."""

    sku: str
    unit_price: Decimal
    quantity: int


def line_total(line: Line) -> Decimal:
    """The line's price, 5% off from 10 items on, rounded to the cent (half up)."""
    if line.quantity < 1:
        raise ValueError(f"{line.sku}: quantity must be at least 1, got {line.quantity}")
    if line.unit_price < 0:
        raise ValueError(f"{line.sku}: unit price must not be negative, got {line.unit_price}")
    total = line.unit_price * line.quantity
    if line.quantity >= BULK_QUANTITY:
        total -= total * BULK_DISCOUNT
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def coupon_discount(code: str, subtotal: Decimal) -> Decimal:
    """What a coupon takes off the subtotal. Codes are case-insensitive.

    SAVE10 takes 10% off (rounded to the cent, half up); FIVEOFF takes 5 euros off, but
    never more than the subtotal. Any other code raises ValueError.
    """
    match code.strip().upper():
        case "SAVE10":
            return (subtotal * Decimal("0.10")).quantize(CENT, rounding=ROUND_HALF_UP)
        case "FIVEOFF":
            return Decimal("5.00")
        case _:
            raise ValueError(f"unknown coupon {code!r}")


def order_total(lines: Sequence[Line], coupon: str | None = None) -> Decimal:
    """The order's total in euros: its lines, less the coupon, plus shipping.

    Shipping (4.95) is free when the discounted subtotal is 50.00 or more. An order with
    no lines raises ValueError.
    """
    if not lines:
        raise ValueError("an order needs at least one line")
    subtotal = sum((line_total(line) for line in lines), Decimal("0"))
    if coupon is not None:
        subtotal -= coupon_discount(coupon, subtotal)
    shipping = Decimal("0") if subtotal >= FREE_SHIPPING_FROM else SHIPPING
    return subtotal + shipping


def in_currency(amount: Decimal, currency: str, rates: RateSource) -> Decimal:
    """`amount` euros in `currency`, rounded to the cent (half up).

    Euros are returned as they are, without asking `rates`; any other currency asks
    `rates` once. A rate that is not positive raises ValueError.
    """
    if currency == "EUR":
        return amount
    rate = rates.rate(currency)
    if rate <= 0:
        raise ValueError(f"the rate for {currency} must be positive, got {rate}")
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)
