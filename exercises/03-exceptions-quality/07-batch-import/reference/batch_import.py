"""Import a stock file into the inventory store, all of it or none of it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


class Store(Protocol):
    """A transactional key-value store: writes are kept only once committed."""

    def begin(self) -> None:
        """Start a transaction."""
        ...

    def write(self, sku: str, quantity: int) -> None:
        """Set `sku`'s stock in the transaction; may raise StoreError."""
        ...

    def commit(self) -> None:
        """Keep the transaction's writes; a commit that raises has kept none of them."""
        ...

    def rollback(self) -> None:
        """Drop the transaction's writes."""
        ...


class Lock(Protocol):
    """The part of `threading.Lock` that the import uses."""

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        """Take the lock; with `blocking=False`, return False at once if it is held."""
        ...

    def release(self) -> None:
        """Give the lock back."""
        ...


class StoreError(Exception):
    """The store failed (a lost connection, a full disk, a constraint)."""


class BatchImportError(Exception):
    """Base class of the errors of an import."""


class ImportBusyError(BatchImportError):
    """Another import holds the lock."""


class RecordError(BatchImportError):
    """A line of the file that is not a valid record."""

    line_number: int

    def __init__(self, line_number: int, reason: str) -> None:
        super().__init__(f"line {line_number}: {reason}")
        self.line_number = line_number


@dataclass(frozen=True)
class ImportResult:
    """What an import kept: how many records it wrote, and which lines it skipped."""

    written: int
    skipped: tuple[int, ...]


def parse_record(line_number: int, line: str) -> tuple[str, int]:
    """Read `sku,quantity`, spaces around each field allowed, into `(sku, quantity)`."""
    fields = line.split(",")
    if len(fields) != 2:
        raise RecordError(line_number, "expected 'sku,quantity'")
    sku, raw_quantity = (field.strip() for field in fields)
    if not sku:
        raise RecordError(line_number, "empty sku")
    try:
        quantity = int(raw_quantity)
    except ValueError as err:
        raise RecordError(line_number, f"quantity {raw_quantity!r} is not an integer") from err
    if quantity < 0:
        raise RecordError(line_number, f"quantity {quantity} is negative")
    return sku, quantity


def import_batch(
    store: Store, lock: Lock, lines: Iterable[str], *, skip_invalid: bool = False
) -> ImportResult:
    """Write every record of `lines` to `store` in one transaction, holding `lock`."""
    if not lock.acquire(blocking=False):
        raise ImportBusyError("another import is running")
    try:
        store.begin()
        written = 0
        skipped: list[int] = []
        try:
            for line_number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    sku, quantity = parse_record(line_number, line)
                except RecordError:
                    if not skip_invalid:
                        raise
                    skipped.append(line_number)
                    continue
                store.write(sku, quantity)
                written += 1
        except BaseException as err:
            store.rollback()
            err.add_note(f"import rolled back after {written} writes")
            raise
        else:
            store.commit()
    finally:
        lock.release()
    return ImportResult(written, tuple(skipped))
