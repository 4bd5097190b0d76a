"""An order and its lines as immutable values: frozen dataclasses, checked when they are made."""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field


def _require_int(name: str, value: object) -> None:
    # A dataclass checks no types at run time; bool is an int subclass, but True is no quantity.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")


@dataclass(frozen=True, slots=True, order=True)
class OrderLine:
    """One product of an order: how many, at what unit price in cents."""

    sku: str
    quantity: int
    unit_price_cents: int

    def __post_init__(self) -> None:
        if not self.sku.strip():
            raise ValueError("an order line needs a SKU")
        _require_int("quantity", self.quantity)
        _require_int("unit_price_cents", self.unit_price_cents)
        if self.quantity < 1:
            raise ValueError(f"{self.sku}: quantity must be at least 1, not {self.quantity}")
        if self.unit_price_cents < 0:
            raise ValueError(f"{self.sku}: unit price must not be negative")

    @property
    def total_cents(self) -> int:
        """The line's price: quantity times unit price."""
        return self.quantity * self.unit_price_cents


@dataclass(frozen=True, slots=True)
class Order:
    """An order: its lines, one per SKU and kept sorted, and its tags."""

    order_id: str
    customer_id: str
    lines: tuple[OrderLine, ...] = ()
    tags: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.order_id.strip():
            raise ValueError("an order needs an id")
        if not self.customer_id.strip():
            raise ValueError(f"order {self.order_id}: needs a customer id")
        lines = tuple(self.lines)
        for line in lines:
            if not isinstance(line, OrderLine):
                raise TypeError(f"order {self.order_id}: expected OrderLine, got {type(line).__name__}")
        repeated = sorted(sku for sku, count in Counter(line.sku for line in lines).items() if count > 1)
        if repeated:
            raise ValueError(f"order {self.order_id}: more than one line for {', '.join(repeated)}")
        # Frozen: the generated __setattr__ refuses, so normalise through object's own.
        object.__setattr__(self, "lines", tuple(sorted(lines)))
        if isinstance(self.tags, str):
            raise TypeError(f"order {self.order_id}: tags must be a collection of strings, not one string")
        object.__setattr__(self, "tags", frozenset(self.tags))

    @property
    def total_cents(self) -> int:
        """The sum of the lines' totals."""
        return sum(line.total_cents for line in self.lines)

    def with_line(self, line: OrderLine) -> Order:
        """A copy with ``line`` added, or merged into the line of the same SKU.

        Merging adds the quantities; the unit prices must be the same (ValueError).
        """
        old = self._line_for(line.sku)
        if old is not None:
            if old.unit_price_cents != line.unit_price_cents:
                raise ValueError(
                    f"order {self.order_id}: {line.sku} is priced at {old.unit_price_cents}, "
                    f"not {line.unit_price_cents}"
                )
            line = dataclasses.replace(old, quantity=old.quantity + line.quantity)
        return dataclasses.replace(self, lines=(*self._lines_except(line.sku), line))

    def with_quantity(self, sku: str, quantity: int) -> Order:
        """A copy in which the line of ``sku`` has ``quantity``; 0 removes the line.

        KeyError if the order has no line for ``sku``; ValueError for a negative quantity.
        """
        old = self._line_for(sku)
        if old is None:
            raise KeyError(sku)
        others = self._lines_except(sku)
        if quantity == 0:
            return dataclasses.replace(self, lines=others)
        return dataclasses.replace(self, lines=(*others, dataclasses.replace(old, quantity=quantity)))

    def tagged(self, *tags: str) -> Order:
        """A copy with ``tags`` added to the order's tags."""
        return dataclasses.replace(self, tags=self.tags | frozenset(tags))

    def _line_for(self, sku: str) -> OrderLine | None:
        return next((line for line in self.lines if line.sku == sku), None)

    def _lines_except(self, sku: str) -> tuple[OrderLine, ...]:
        return tuple(line for line in self.lines if line.sku != sku)
