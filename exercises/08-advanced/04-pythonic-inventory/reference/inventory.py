"""Inventory reconciliation: what the ledger says is on the shelves against what was counted.

The ledger is the opening stock plus every movement since (receipts, sales, returns,
write-offs); the stock-take is a CSV file that the warehouse staff filled in, aisle by aisle.
"""

from __future__ import annotations

import csv
import itertools
from collections import Counter, defaultdict
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
        return self.counted - self.expected


class StockTakeError(ValueError):
    """A stock-take file that cannot be read, with the line at fault."""

    def __init__(self, line_number: int, problem: str) -> None:
        super().__init__(f"line {line_number}: {problem}")
        self.line_number = line_number


REQUIRED_COLUMNS = ("sku", "quantity")


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
    counts: Counter[str] = Counter()
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        missing = [name for name in REQUIRED_COLUMNS if name not in (reader.fieldnames or [])]
        if missing:
            raise StockTakeError(1, f"missing column {missing[0]!r}")
        for row in reader:
            sku = (row["sku"] or "").strip()
            if not sku:
                raise StockTakeError(reader.line_num, "missing SKU")
            counts[sku] += parse_quantity(row["quantity"] or "", reader.line_num)
    return counts


def parse_quantity(raw: str, line_number: int) -> int:
    """Return the quantity `raw` as a whole number of units, at least 0."""
    try:
        quantity = int(raw)
    except ValueError:
        raise StockTakeError(
            line_number, f"quantity {raw.strip()!r} is not a whole number"
        ) from None
    if quantity < 0:
        raise StockTakeError(line_number, f"quantity {quantity} is negative")
    return quantity


def expected_stock(opening: Mapping[str, int], movements: Iterable[Movement]) -> Counter[str]:
    """Return the opening stock plus every movement, per SKU, keeping zero and below.

    Every SKU of `opening` or of a movement is in the result, even one whose stock is now
    0 or negative (more shipped than the ledger had: the reconciliation must show it).
    """
    stock = Counter(opening)
    for movement in movements:
        stock[movement.sku] += movement.delta
    return stock


def reconcile(expected: Mapping[str, int], counted: Mapping[str, int]) -> list[Discrepancy]:
    """Return a Discrepancy for each SKU whose counts differ, sorted by SKU.

    A SKU missing from one side counts as 0 there.
    """
    discrepancies = (
        Discrepancy(sku, expected.get(sku, 0), counted.get(sku, 0))
        for sku in sorted(expected.keys() | counted.keys())
    )
    return [d for d in discrepancies if d.difference]


def by_reason(movements: Iterable[Movement]) -> dict[str, list[Movement]]:
    """Group movements by reason, in the order each reason first appears.

    Within a reason the movements keep their order. The result is a plain dict: looking up
    a reason that never occurred raises KeyError.
    """
    groups: defaultdict[str, list[Movement]] = defaultdict(list)
    for movement in movements:
        groups[movement.reason].append(movement)
    return dict(groups)


def running_levels(opening: int, deltas: Iterable[int]) -> Iterator[int]:
    """Yield the opening level, then the level after each delta, lazily.

    `deltas` may be endless (a live feed): nothing is read before it is needed.
    """
    return itertools.accumulate(deltas, initial=opening)


def first_shortfall(opening: int, deltas: Iterable[int]) -> int | None:
    """Return the index of the first delta that takes the level below zero, or None.

    Reads `deltas` only as far as that delta, so it answers for an endless feed that does
    go short.
    """
    levels = itertools.islice(running_levels(opening, deltas), 1, None)
    return next((index for index, level in enumerate(levels) if level < 0), None)


def assign_bins(skus: Sequence[str], bins: Sequence[str]) -> dict[str, str]:
    """Return the bin of each SKU, pairing the two sequences in order.

    Raises ValueError if the sequences differ in length, or if a SKU is listed twice
    ("SKU 'A-1' is listed twice").
    """
    if len(set(skus)) != len(skus):
        duplicate = next(sku for sku, n in Counter(skus).items() if n > 1)
        raise ValueError(f"SKU {duplicate!r} is listed twice")
    return dict(zip(skus, bins, strict=True))
