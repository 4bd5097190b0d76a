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
        """Store ``line_number``; the message is ``line 3: <reason>``."""
        raise NotImplementedError


@dataclass(frozen=True)
class ImportResult:
    """What an import kept: how many records it wrote, and which lines it skipped."""

    written: int
    skipped: tuple[int, ...]


def parse_record(line_number: int, line: str) -> tuple[str, int]:
    """Read ``sku,quantity``, spaces around each field allowed, into ``(sku, quantity)``.

    Raises:
        RecordError: for a line without exactly two fields, an empty sku, a quantity that
            is not an integer (raised *from* the ValueError of ``int()``) or a negative one.
    """
    raise NotImplementedError


def import_batch(
    store: Store, lock: Lock, lines: Iterable[str], *, skip_invalid: bool = False
) -> ImportResult:
    """Write every record of ``lines`` to ``store`` in one transaction, holding ``lock``.

    Take the lock without waiting (ImportBusyError if it is held); begin; write each record
    (blank lines are ignored; with ``skip_invalid``, a RecordError skips its line); commit
    when everything was written. On any error inside the transaction: roll back, add the
    note ``import rolled back after N writes`` and re-raise the same error. Release the
    lock, whatever happened, once it was taken.
    """
    raise NotImplementedError
