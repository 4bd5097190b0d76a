"""Compare two snapshots of a warehouse's stock: which SKUs appeared, went, changed or moved,
and how each location's total changed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

Record = tuple[str, str, int]  # (sku, location, qty)


@dataclass(frozen=True)
class Change:
    """A SKU whose total quantity, over every location, changed."""

    sku: str
    before: int
    after: int


@dataclass(frozen=True)
class InventoryDiff:
    """What changed from one snapshot to the next.

    - ``added``: SKUs with records only in the new snapshot, sorted.
    - ``removed``: SKUs with records only in the old snapshot, sorted.
    - ``changed``: SKUs in both whose total quantity changed, sorted by SKU.
    - ``moved``: SKUs in both with the same total but another quantity in some location (a
      quantity of 0 counts as no stock there), sorted.
    - ``location_deltas``: new total minus old total of each location whose total changed,
      the locations sorted.
    """

    added: list[str]
    removed: list[str]
    changed: list[Change]
    moved: list[str]
    location_deltas: dict[str, int]


def find_duplicates(records: Iterable[Record]) -> list[tuple[str, str]]:
    """The (sku, location) pairs that have more than one record, each once, in the order in
    which their first record appears."""
    raise NotImplementedError


def totals_by_location(records: Iterable[Record]) -> dict[str, int]:
    """Each location's total quantity, the locations in the order they first appear."""
    raise NotImplementedError


def diff_inventories(old: Iterable[Record], new: Iterable[Record]) -> InventoryDiff:
    """Compare two snapshots.

    Either snapshot may be any iterable, a generator included. A snapshot with duplicate
    (sku, location) records or a negative quantity raises ValueError.
    """
    raise NotImplementedError
