"""Compare two snapshots of a warehouse's stock: which SKUs appeared, went, changed or moved,
and how each location's total changed."""

from __future__ import annotations

from collections import Counter, defaultdict
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
    """What changed from one snapshot to the next."""

    added: list[str]
    removed: list[str]
    changed: list[Change]
    moved: list[str]
    location_deltas: dict[str, int]


def find_duplicates(records: Iterable[Record]) -> list[tuple[str, str]]:
    """The (sku, location) pairs that have more than one record, each once, in the order in
    which their first record appears."""
    counts = Counter((sku, location) for sku, location, _ in records)
    return [key for key, count in counts.items() if count > 1]


def totals_by_location(records: Iterable[Record]) -> dict[str, int]:
    """Each location's total quantity, the locations in the order they first appear."""
    totals: dict[str, int] = {}
    for _, location, qty in records:
        totals[location] = totals.get(location, 0) + qty
    return totals


def _stock(records: list[Record]) -> dict[str, dict[str, int]]:
    """sku -> {location: qty}, after checking the snapshot."""
    if duplicates := find_duplicates(records):
        shown = ", ".join(f"{sku}@{location}" for sku, location in duplicates)
        raise ValueError(f"duplicate records: {shown}")
    if negative := [record for record in records if record[2] < 0]:
        raise ValueError(f"negative quantity: {negative[0]}")
    stock: defaultdict[str, dict[str, int]] = defaultdict(dict)
    for sku, location, qty in records:
        stock[sku][location] = qty
    return stock


def diff_inventories(old: Iterable[Record], new: Iterable[Record]) -> InventoryDiff:
    """Compare two snapshots; see the README for what each field of the result holds."""
    old_records, new_records = list(old), list(new)
    before, after = _stock(old_records), _stock(new_records)
    kept = before.keys() & after.keys()
    old_totals = {sku: sum(places.values()) for sku, places in before.items()}
    new_totals = {sku: sum(places.values()) for sku, places in after.items()}
    changed = [
        Change(sku, old_totals[sku], new_totals[sku])
        for sku in sorted(kept)
        if old_totals[sku] != new_totals[sku]
    ]
    moved = sorted(
        sku
        for sku in kept
        if old_totals[sku] == new_totals[sku]
        and {place: qty for place, qty in before[sku].items() if qty}
        != {place: qty for place, qty in after[sku].items() if qty}
    )
    old_places, new_places = totals_by_location(old_records), totals_by_location(new_records)
    deltas = {
        place: new_places.get(place, 0) - old_places.get(place, 0)
        for place in sorted(old_places.keys() | new_places.keys())
    }
    return InventoryDiff(
        added=sorted(after.keys() - before.keys()),
        removed=sorted(before.keys() - after.keys()),
        changed=changed,
        moved=moved,
        location_deltas={place: delta for place, delta in deltas.items() if delta},
    )
