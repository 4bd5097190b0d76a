"""Inventory reconciliation: what the ledger says is on the shelves against what was counted.

The ledger is the opening stock plus every movement since (receipts, sales, returns,
write-offs); the stock-take is a CSV file that the warehouse staff filled in, aisle by aisle.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Movement:
    """A change of stock recorded in the ledger: `delta` units of `sku` in (+) or out (-)."""

    sku: str
    delta: int
    reason: str


@dataclass(frozen=True)
class Discrepancy:
    """A SKU whose counted stock differs from the ledger's."""

    sku: str
    expected: int
    counted: int

    @property
    def difference(self) -> int:
        """Counted minus expected: negative when units are missing."""
        raise NotImplementedError


class StockTakeError(ValueError):
    """A stock-take file that cannot be read, with the line at fault."""

    def __init__(self, line_number: int, problem: str) -> None:
        super().__init__(f"line {line_number}: {problem}")
        self.line_number = line_number


def read_counts(path: Path) -> Counter[str]:
    """Return the units counted per SKU in the stock-take CSV file at `path`.

    The file has a header line naming at least the columns `sku` and `quantity` (in any
    order; other columns are ignored). A SKU counted in several aisles has several rows:
    their quantities add up. Spaces around values do not matter.

    Raises StockTakeError, whose line number is the file's (header = line 1, blank lines
    counted), for a missing column (line 1: "missing column 'quantity'"), an empty SKU
    ("missing SKU"), a quantity that is not a whole number ("quantity 'x' is not a whole
    number") or a negative one ("quantity -2 is negative").
    """
    raise NotImplementedError


def expected_stock(opening: Mapping[str, int], movements: Iterable[Movement]) -> Counter[str]:
    """Return the opening stock plus every movement, per SKU, keeping zero and below.

    Every SKU of `opening` or of a movement is in the result, even one whose stock is now
    0 or negative (more shipped than the ledger had: the reconciliation must show it).
    """
    raise NotImplementedError


def reconcile(expected: Mapping[str, int], counted: Mapping[str, int]) -> list[Discrepancy]:
    """Return a Discrepancy for each SKU whose counts differ, sorted by SKU.

    A SKU missing from one side counts as 0 there.
    """
    raise NotImplementedError


def by_reason(movements: Iterable[Movement]) -> dict[str, list[Movement]]:
    """Group movements by reason, in the order each reason first appears.

    Within a reason the movements keep their order. The result is a plain dict: looking up
    a reason that never occurred raises KeyError.
    """
    raise NotImplementedError


def running_levels(opening: int, deltas: Iterable[int]) -> Iterator[int]:
    """Yield the opening level, then the level after each delta, lazily.

    `deltas` may be endless (a live feed): nothing is read before it is needed.
    """
    raise NotImplementedError


def first_shortfall(opening: int, deltas: Iterable[int]) -> int | None:
    """Return the index of the first delta that takes the level below zero, or None.

    Reads `deltas` only as far as that delta, so it answers for an endless feed that does
    go short.
    """
    raise NotImplementedError


def assign_bins(skus: Sequence[str], bins: Sequence[str]) -> dict[str, str]:
    """Return the bin of each SKU, pairing the two sequences in order.

    Raises ValueError if the sequences differ in length, or if a SKU is listed twice
    ("SKU 'A-1' is listed twice").
    """
    raise NotImplementedError
