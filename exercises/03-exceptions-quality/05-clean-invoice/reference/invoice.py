"""Invoice totals for the webshop: VAT, volume discounts and shipping.

Every amount is a whole number of cents, so no float rounding creeps into a bill.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass


class Category(enum.Enum):
    """The VAT category of a product."""

    STANDARD = "standard"
    REDUCED = "reduced"


class Shipping(enum.Enum):
    """How an order is shipped."""

    STANDARD = "standard"
    EXPRESS = "express"


@dataclass(frozen=True)
class Line:
    """One line of an invoice: so many units of one product."""

    sku: str
    quantity: int
    unit_price: int  # cents
    category: Category

    @property
    def net(self) -> int:
        """The line's amount before discount and VAT, in cents."""
        return self.quantity * self.unit_price


@dataclass(frozen=True)
class Totals:
    """What an invoice adds up to, in cents."""

    subtotal: int  # the lines' net amounts, before any discount
    discount: int  # the volume discounts of all lines
    vat: int
    shipping: int
    total: int  # subtotal - discount + vat + shipping


# VAT rates in percent by country; a country not listed is outside the EU (export, no VAT).
VAT_RATES: dict[str, dict[Category, int]] = {
    "NL": {Category.STANDARD: 21, Category.REDUCED: 9},
    "DE": {Category.STANDARD: 19, Category.REDUCED: 7},
    "BE": {Category.STANDARD: 21, Category.REDUCED: 6},
}
EXPORT_VAT_RATE = 0

VOLUME_DISCOUNT_MIN_QUANTITY = 10
VOLUME_DISCOUNT_PERCENT = 5

STANDARD_SHIPPING = 495
EXPRESS_SHIPPING = 1295
FREE_SHIPPING_FROM = 5000


def percent_of(amount: int, percent: int) -> int:
    """Return `percent` percent of `amount` cents, rounded to the nearest cent, half up."""
    return (amount * percent + 50) // 100


def vat_rate(country: str, category: Category) -> int:
    """Return the VAT rate, in percent, for a product of `category` sold into `country`."""
    rates = VAT_RATES.get(country.upper())
    if rates is None:
        return EXPORT_VAT_RATE
    return rates[category]


def line_discount(line: Line) -> int:
    """Return the volume discount of one line, in cents (0 below the volume threshold)."""
    if line.quantity < VOLUME_DISCOUNT_MIN_QUANTITY:
        return 0
    return percent_of(line.net, VOLUME_DISCOUNT_PERCENT)


def shipping_cost(goods: int, shipping: Shipping) -> int:
    """Return the shipping cost, in cents, of an order whose goods cost `goods` cents."""
    if shipping is Shipping.EXPRESS:
        return EXPRESS_SHIPPING
    if goods >= FREE_SHIPPING_FROM:
        return 0
    return STANDARD_SHIPPING


def check_line(line: Line) -> None:
    """Raise ValueError if `line` cannot be billed."""
    if line.quantity < 1:
        raise ValueError(
            f"line {line.sku!r}: quantity must be at least 1, got {line.quantity}"
        )
    if line.unit_price < 0:
        raise ValueError(
            f"line {line.sku!r}: unit price must not be negative, got {line.unit_price}"
        )


def invoice_totals(
    lines: Sequence[Line], country: str, shipping: Shipping = Shipping.STANDARD
) -> Totals:
    """Return the totals of an invoice for a customer in `country`."""
    if not lines:
        raise ValueError("an invoice needs at least one line")
    for line in lines:
        check_line(line)
    subtotal = sum(line.net for line in lines)
    discount = sum(line_discount(line) for line in lines)
    vat = sum(
        percent_of(line.net - line_discount(line), vat_rate(country, line.category))
        for line in lines
    )
    shipping_fee = shipping_cost(subtotal - discount, shipping)
    return Totals(
        subtotal=subtotal,
        discount=discount,
        vat=vat,
        shipping=shipping_fee,
        total=subtotal - discount + vat + shipping_fee,
    )
