"""Invoice totals for the webshop.

`calc` was written the night before a launch. It works, but nobody dares touch it. The
typed API below it is where the callers are moving: make it do the work, then delete `calc`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass


def calc(d, c, exp=False):
    # d = list of (sku, qty, price in cents, cat)  cat = "std" or "red"
    if len(d) == 0:
        raise ValueError("an invoice needs at least one line")
    s = 0
    v = 0
    c = c.upper()
    for x in d:
        if x[1] < 1:
            raise ValueError("line " + repr(x[0]) + ": quantity must be at least 1, got " + str(x[1]))
        if x[2] < 0:
            raise ValueError("line " + repr(x[0]) + ": unit price must not be negative, got " + str(x[2]))
        n = x[1] * x[2]
        s = s + n
        if c == "NL":
            if x[3] == "std":
                t = n * 21 + 50
                t = t // 100
                v = v + t
            elif x[3] == "red":
                t = n * 9 + 50
                t = t // 100
                v = v + t
            else:
                raise ValueError("bad cat")
        elif c == "DE":
            if x[3] == "std":
                t = n * 19 + 50
                t = t // 100
                v = v + t
            elif x[3] == "red":
                t = n * 7 + 50
                t = t // 100
                v = v + t
            else:
                raise ValueError("bad cat")
        elif c == "BE":
            if x[3] == "std":
                t = n * 21 + 50
                t = t // 100
                v = v + t
            elif x[3] == "red":
                t = n * 6 + 50
                t = t // 100
                v = v + t
            else:
                raise ValueError("bad cat")
        else:
            # not in the EU: export, no VAT
            if x[3] != "std" and x[3] != "red":
                raise ValueError("bad cat")
            v = v + 0
    if exp == True:
        sh = 1295
    else:
        if s >= 5000:
            sh = 0
        else:
            sh = 495
    r = {}
    r["sub"] = s
    r["vat"] = v
    r["ship"] = sh
    r["tot"] = s + v + sh
    return r


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


@dataclass(frozen=True)
class Totals:
    """What an invoice adds up to, in cents."""

    subtotal: int  # the lines' net amounts, before any discount
    discount: int  # the volume discounts of all lines
    vat: int
    shipping: int
    total: int  # subtotal - discount + vat + shipping


def vat_rate(country: str, category: Category) -> int:
    """Return the VAT rate, in percent, for a product of `category` sold into `country`."""
    raise NotImplementedError


def line_discount(line: Line) -> int:
    """Return the volume discount of one line, in cents (0 below the volume threshold)."""
    raise NotImplementedError


def shipping_cost(goods: int, shipping: Shipping) -> int:
    """Return the shipping cost, in cents, of an order whose goods cost `goods` cents."""
    raise NotImplementedError


def invoice_totals(
    lines: Sequence[Line], country: str, shipping: Shipping = Shipping.STANDARD
) -> Totals:
    """Return the totals of an invoice for a customer in `country`."""
    raise NotImplementedError
