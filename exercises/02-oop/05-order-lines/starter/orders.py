"""An order and its lines as immutable values: frozen dataclasses, checked when they are made."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field


class OrderLine:
    """One product of an order: how many, at what unit price in cents.

    Make this a dataclass that is frozen, has slots and is ordered (by its
    fields, in this order), so that ``sorted(lines)`` sorts by SKU.
    """

    sku: str
    quantity: int
    unit_price_cents: int

    def __post_init__(self) -> None:
        """Check the line: a SKU that is not blank (ValueError); a quantity and a
        unit price that are ints, not bools or floats (TypeError); a quantity of
        at least 1 and a unit price of at least 0 (ValueError)."""
        raise NotImplementedError

    @property
    def total_cents(self) -> int:
        """The line's price: quantity times unit price."""
        raise NotImplementedError


class Order:
    """An order: its lines, one per SKU and kept sorted, and its tags.

    Make this a dataclass that is frozen and has slots. ``tags`` defaults to
    an empty frozenset, declared with ``field(default_factory=...)``.
    """

    order_id: str
    customer_id: str
    lines: tuple[OrderLine, ...] = ()
    tags: frozenset[str]

    def __post_init__(self) -> None:
        """Check and normalise the order.

        ``order_id`` and ``customer_id`` must not be blank (ValueError). Every
        line must be an OrderLine (TypeError), and no two lines may have the
        same SKU (ValueError naming it). ``lines`` is stored as a tuple sorted
        by SKU and ``tags`` as a frozenset, whatever iterable was given (a
        single string as ``tags`` is a TypeError).
        """
        raise NotImplementedError

    @property
    def total_cents(self) -> int:
        """The sum of the lines' totals."""
        raise NotImplementedError

    def with_line(self, line: OrderLine) -> Order:
        """A copy with ``line`` added, or merged into the line of the same SKU.

        Merging adds the quantities; the unit prices must be the same (ValueError).
        """
        raise NotImplementedError

    def with_quantity(self, sku: str, quantity: int) -> Order:
        """A copy in which the line of ``sku`` has ``quantity``; 0 removes the line.

        KeyError if the order has no line for ``sku``; ValueError for a negative quantity.
        """
        raise NotImplementedError

    def tagged(self, *tags: str) -> Order:
        """A copy with ``tags`` added to the order's tags."""
        raise NotImplementedError
