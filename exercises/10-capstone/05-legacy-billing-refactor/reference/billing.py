"""Invoice totals for the web shop. Amounts are in cents.

Finance reconciles against these numbers every month, so what they are must not change:
the rules below are the legacy module's, quirks included (each rounding, each cap).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

KINDS = ("product", "service", "shipping")

TIER_DISCOUNT_PERCENT = {"gold": 5, "platinum": 10}
VOLUME_DISCOUNT_FROM = 100_000
VOLUME_DISCOUNT_PERCENT = 3

WELCOME_COUPON = "WELCOME10"
WELCOME_PERCENT = 10
WELCOME_CAP = 2_000
FREE_SHIPPING_COUPON = "FREESHIP"
FREE_SHIPPING_COUPON_FROM = 5_000
GOLD_FREE_SHIPPING_FROM = 10_000

VAT_PERCENT = {"DE": 19, "FR": 20, "NL": 21, "AT": 20}


class Customer(TypedDict, total=False):
    """Who is billed: ``tier`` defaults to "standard"; ``country`` is needed unless exempt."""

    tier: str
    country: str
    tax_exempt: bool


class Line(TypedDict):
    """One line of an order: ``kind`` is "product", "service" or "shipping"."""

    sku: str
    kind: str
    qty: int
    unit_price: int


class Invoice(TypedDict):
    """The totals of an invoice, in cents."""

    subtotal: int
    discount: int
    shipping: int
    tax: int
    total: int


def percent(amount: int, rate: int) -> int:
    """``rate`` percent of ``amount``, rounded down."""
    return amount * rate // 100


def vat(amount: int, rate: int) -> int:
    """``rate`` percent of ``amount``, rounded half up."""
    return (amount * rate + 50) // 100


def compute_invoice(
    customer: Customer, lines: Iterable[Line], coupon: str | None = None
) -> Invoice:
    """Return the invoice's totals for ``customer``'s ``lines`` and an optional coupon.

    Raises:
        ValueError: for a line with a quantity below 1, a negative price or an unknown
            kind (naming the line, from 1), or for an unknown coupon.
    """
    totals = sum_by_kind(lines)
    products, services = totals["product"], totals["service"]
    tier = customer.get("tier", "standard")
    discount = tier_discount(tier, products) + coupon_discount(coupon, tier, products)
    discounted = products - discount
    shipping = shipping_cost(totals["shipping"], tier, coupon, discounted)
    tax = 0
    if not customer.get("tax_exempt", False):
        rate = VAT_PERCENT.get(customer["country"], 0)
        tax = vat(discounted, rate) + vat(services, rate) + vat(shipping, rate)
    return {
        "subtotal": products + services,
        "discount": discount,
        "shipping": shipping,
        "tax": tax,
        "total": discounted + services + shipping + tax,
    }


def sum_by_kind(lines: Iterable[Line]) -> dict[str, int]:
    """The sum of ``qty * unit_price`` of the lines of each kind, checking every line."""
    totals = dict.fromkeys(KINDS, 0)
    for number, line in enumerate(lines, start=1):
        kind = line["kind"]
        if kind not in totals:
            raise ValueError(f"line {number}: unknown kind {kind!r}")
        if line["qty"] <= 0:
            raise ValueError(f"line {number}: quantity must be positive")
        if line["unit_price"] < 0:
            raise ValueError(f"line {number}: price must not be negative")
        totals[kind] += line["qty"] * line["unit_price"]
    return totals


def tier_discount(tier: str, products: int) -> int:
    """The tier's discount on products, plus the volume discount on large orders."""
    discount = percent(products, TIER_DISCOUNT_PERCENT.get(tier, 0))
    if products >= VOLUME_DISCOUNT_FROM:
        discount += percent(products, VOLUME_DISCOUNT_PERCENT)
    return discount


def coupon_discount(coupon: str | None, tier: str, products: int) -> int:
    """What a coupon takes off the products: WELCOME10 gives customers without a tier
    discount 10%, at most 20.00.

    Raises:
        ValueError: for a coupon that is neither WELCOME10 nor FREESHIP.
    """
    if coupon not in (None, WELCOME_COUPON, FREE_SHIPPING_COUPON):
        raise ValueError(f"unknown coupon {coupon!r}")
    if coupon == WELCOME_COUPON and tier not in TIER_DISCOUNT_PERCENT:
        return min(percent(products, WELCOME_PERCENT), WELCOME_CAP)
    return 0


def shipping_cost(shipping: int, tier: str, coupon: str | None, discounted: int) -> int:
    """The shipping charged: free for platinum, for gold from 100.00 of discounted products,
    and with FREESHIP from 50.00."""
    free = (
        tier == "platinum"
        or (tier == "gold" and discounted >= GOLD_FREE_SHIPPING_FROM)
        or (coupon == FREE_SHIPPING_COUPON and discounted >= FREE_SHIPPING_COUPON_FROM)
    )
    return 0 if free else shipping
