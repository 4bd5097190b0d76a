"""Characterisation tests of the billing module: what it computes today, written down.

They pass on the legacy code as it is, and must still pass on the refactored one. Each case
gives the customer, the lines and the coupon, and the invoice the legacy code returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pygrade_graders.compare import assert_same

import billing

# The tests pin what the code computes with the plain dicts the legacy code took, whatever
# types the refactoring gives its arguments and its invoice.
compute_invoice: Callable[..., Any] = billing.compute_invoice


def product(qty: int, unit_price: int, sku: str = "BOOK") -> dict[str, Any]:
    return {"sku": sku, "kind": "product", "qty": qty, "unit_price": unit_price}


def service(qty: int, unit_price: int) -> dict[str, Any]:
    return {"sku": "GIFTWRAP", "kind": "service", "qty": qty, "unit_price": unit_price}


def shipping(unit_price: int) -> dict[str, Any]:
    return {"sku": "DHL", "kind": "shipping", "qty": 1, "unit_price": unit_price}


def invoice(subtotal: int, discount: int, shipping: int, tax: int, total: int) -> dict[str, int]:
    return {
        "subtotal": subtotal,
        "discount": discount,
        "shipping": shipping,
        "tax": tax,
        "total": total,
    }


CASES: dict[str, tuple[dict[str, Any], list[dict[str, Any]], str | None, dict[str, int]]] = {
    "standard-de-products": (
        {"tier": "standard", "country": "DE"},
        [product(2, 1250), product(1, 499, "PEN")],
        None,
        invoice(2999, 0, 0, 570, 3569),
    ),
    "no-tier-fr-services-and-shipping": (
        {"country": "FR"},
        [product(1, 4000), service(2, 350), shipping(590)],
        None,
        invoice(4700, 0, 590, 1058, 6348),
    ),
    "gold-nl-pays-shipping-below-100": (
        {"tier": "gold", "country": "NL"},
        [product(3, 2000), shipping(490)],
        None,
        invoice(6000, 300, 490, 1300, 7490),
    ),
    "gold-de-free-shipping-from-100": (
        {"tier": "gold", "country": "DE"},
        [product(1, 12000), shipping(490)],
        None,
        invoice(12000, 600, 0, 2166, 13566),
    ),
    "platinum-at-volume-discount": (
        {"tier": "platinum", "country": "AT"},
        [product(10, 15000), shipping(1500)],
        None,
        invoice(150000, 19500, 0, 26100, 156600),
    ),
    "standard-volume-discount": (
        {"tier": "standard", "country": "US"},
        [product(4, 25000), shipping(900)],
        None,
        invoice(100000, 3000, 900, 0, 97900),
    ),
    "welcome-coupon": (
        {"tier": "standard", "country": "DE"},
        [product(1, 8000), shipping(490)],
        "WELCOME10",
        invoice(8000, 800, 490, 1461, 9151),
    ),
    "freeship-coupon": (
        {"tier": "standard", "country": "FR"},
        [product(1, 6000), service(1, 500), shipping(490)],
        "FREESHIP",
        invoice(6500, 0, 0, 1300, 7800),
    ),
    "tax-exempt": (
        {"tier": "standard", "country": "DE", "tax_exempt": True},
        [product(1, 3000), shipping(490)],
        None,
        invoice(3000, 0, 490, 0, 3490),
    ),
    "taxed-when-not-exempt": (
        {"country": "DE", "tax_exempt": False},
        [service(1, 1000)],
        None,
        invoice(1000, 0, 0, 190, 1190),
    ),
    "empty-order": ({"country": "DE"}, [], None, invoice(0, 0, 0, 0, 0)),
}


@pytest.mark.weight(2)
@pytest.mark.parametrize("case", list(CASES))
def test_invoice(case: str) -> None:
    customer, lines, coupon, expected = CASES[case]

    assert_same(dict(compute_invoice(customer, lines, coupon)), expected)


def test_the_coupon_is_optional() -> None:
    assert_same(
        dict(compute_invoice({"country": "DE"}, [product(1, 1000)])),
        invoice(1000, 0, 0, 190, 1190),
    )


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([product(1, 100), product(0, 100)], "line 2: quantity must be positive"),
        ([service(-1, 100)], "line 1: quantity must be positive"),
        ([product(1, 100), shipping(-1)], "line 2: price must not be negative"),
        (
            [product(1, 1), {"sku": "X", "kind": "gift", "qty": 1, "unit_price": 1}],
            "line 2: unknown kind 'gift'",
        ),
    ],
)
def test_bad_lines_are_refused(lines: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        compute_invoice({"country": "DE"}, lines)

    assert_same(str(caught.value), message)


def test_an_unknown_coupon_is_refused() -> None:
    with pytest.raises(ValueError) as caught:
        compute_invoice({"country": "DE"}, [product(1, 100)], "SUMMER50")

    assert_same(str(caught.value), "unknown coupon 'SUMMER50'")
