"""Tests for batch_import.py: one transaction, rolled back on any error, the lock always freed."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pygrade_graders.compare import assert_same

from batch_import import (
    BatchImportError,
    ImportBusyError,
    ImportResult,
    RecordError,
    StoreError,
    import_batch,
    parse_record,
)

Event = tuple[str, ...]


class FakeStore:
    """Records every call; each step can be made to fail with a given exception."""

    def __init__(
        self,
        *,
        fail_begin: BaseException | None = None,
        fail_write: dict[str, BaseException] | None = None,
        fail_commit: BaseException | None = None,
        fail_rollback: BaseException | None = None,
    ) -> None:
        self.events: list[Event] = []
        self.fail_begin = fail_begin
        self.fail_write = fail_write or {}
        self.fail_commit = fail_commit
        self.fail_rollback = fail_rollback

    def begin(self) -> None:
        self.events.append(("begin",))
        if self.fail_begin is not None:
            raise self.fail_begin

    def write(self, sku: str, quantity: int) -> None:
        self.events.append(("write", sku, str(quantity)))
        if sku in self.fail_write:
            raise self.fail_write[sku]

    def commit(self) -> None:
        self.events.append(("commit",))
        if self.fail_commit is not None:
            raise self.fail_commit

    def rollback(self) -> None:
        self.events.append(("rollback",))
        if self.fail_rollback is not None:
            raise self.fail_rollback


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def lock() -> threading.Lock:
    return threading.Lock()


STOCK = ["MUG-01,12", "", "PEN-02 , 300", "   ", "LAMP-04,0"]


def notes(error: BaseException) -> list[str] | None:
    return getattr(error, "__notes__", None)


# --- parse_record ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [("MUG-01,12", ("MUG-01", 12)), ("  PEN-02 ,  300 \n", ("PEN-02", 300)), ("X,0", ("X", 0))],
)
def test_parse_record_reads_sku_and_quantity(line: str, expected: tuple[str, int]) -> None:
    assert_same(parse_record(1, line), expected)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("MUG-01", "line 7: expected 'sku,quantity'"),
        ("MUG-01,1,2", "line 7: expected 'sku,quantity'"),
        (" ,5", "line 7: empty sku"),
        ("MUG-01,-1", "line 7: quantity -1 is negative"),
        ("MUG-01,", "line 7: quantity '' is not an integer"),
    ],
)
def test_parse_record_refuses_bad_lines(line: str, message: str) -> None:
    with pytest.raises(RecordError) as caught:
        parse_record(7, line)
    assert_same(str(caught.value), message)
    assert_same(caught.value.line_number, 7)
    assert isinstance(caught.value, BatchImportError)
    assert not isinstance(caught.value, ValueError)


def test_a_quantity_that_is_not_an_integer_is_raised_from_int_s_error() -> None:
    with pytest.raises(RecordError) as caught:
        parse_record(3, "MUG-01,twelve")
    assert_same(str(caught.value), "line 3: quantity 'twelve' is not an integer")
    assert isinstance(caught.value.__cause__, ValueError), (
        "raise the RecordError `from` the ValueError of int()"
    )


# --- the happy path --------------------------------------------------------------------


@pytest.mark.weight(2)
def test_an_import_writes_every_record_in_one_committed_transaction(
    store: FakeStore, lock: threading.Lock
) -> None:
    result = import_batch(store, lock, STOCK)
    assert_same(result, ImportResult(written=3, skipped=()))
    assert_same(
        store.events,
        [
            ("begin",),
            ("write", "MUG-01", "12"),
            ("write", "PEN-02", "300"),
            ("write", "LAMP-04", "0"),
            ("commit",),
        ],
    )
    assert not lock.locked(), "the lock must be released after the import"


def test_an_empty_file_commits_an_empty_transaction(
    store: FakeStore, lock: threading.Lock
) -> None:
    assert_same(import_batch(store, lock, iter([])), ImportResult(0, ()))
    assert_same(store.events, [("begin",), ("commit",)])
    assert not lock.locked()


# --- errors inside the transaction -----------------------------------------------------


@pytest.mark.weight(2)
def test_a_bad_record_rolls_back_everything(store: FakeStore, lock: threading.Lock) -> None:
    with pytest.raises(RecordError) as caught:
        import_batch(store, lock, ["MUG-01,12", "", "PEN-02,many", "LAMP-04,1"])
    assert_same(caught.value.line_number, 3, "line numbers count blank lines too")
    assert_same(store.events, [("begin",), ("write", "MUG-01", "12"), ("rollback",)])
    assert_same(notes(caught.value), ["import rolled back after 1 writes"])
    assert isinstance(caught.value.__cause__, ValueError), "keep the cause when re-raising"
    assert not lock.locked()


@pytest.mark.weight(2)
def test_a_store_error_rolls_back_and_propagates_as_it_is(lock: threading.Lock) -> None:
    failure = StoreError("disk full")
    store = FakeStore(fail_write={"PEN-02": failure})
    with pytest.raises(StoreError) as caught:
        import_batch(store, lock, STOCK)
    assert caught.value is failure, "re-raise the store's own error with a bare `raise`"
    assert_same(store.events[-1], ("rollback",))
    assert_same(store.events.count(("rollback",)), 1)
    assert ("commit",) not in store.events
    assert_same(notes(failure), ["import rolled back after 1 writes"])
    assert not lock.locked()


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    "bug", [KeyError("sku"), TypeError("bad argument"), ZeroDivisionError()], ids=repr
)
def test_an_unexpected_error_is_never_swallowed(lock: threading.Lock, bug: Exception) -> None:
    store = FakeStore(fail_write={"MUG-01": bug})
    with pytest.raises(type(bug)) as caught:
        import_batch(store, lock, STOCK)
    assert caught.value is bug
    assert_same(store.events, [("begin",), ("write", "MUG-01", "12"), ("rollback",)])
    assert_same(notes(bug), ["import rolled back after 0 writes"])
    assert not lock.locked()


def test_an_interrupt_still_rolls_back_and_frees_the_lock(lock: threading.Lock) -> None:
    store = FakeStore(fail_write={"LAMP-04": KeyboardInterrupt()})
    with pytest.raises(KeyboardInterrupt):
        import_batch(store, lock, STOCK)
    assert_same(store.events[-1], ("rollback",))
    assert not lock.locked(), "release the lock in `finally`, which runs for every exception"


def test_an_error_while_reading_the_file_rolls_back(
    store: FakeStore, lock: threading.Lock
) -> None:
    def lines() -> Iterator[str]:
        yield "MUG-01,12"
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    with pytest.raises(UnicodeDecodeError):
        import_batch(store, lock, lines())
    assert_same(store.events, [("begin",), ("write", "MUG-01", "12"), ("rollback",)])
    assert not lock.locked()


def test_a_rollback_that_fails_keeps_the_first_error_as_its_context(
    lock: threading.Lock,
) -> None:
    first = StoreError("connection reset")
    second = StoreError("rollback failed: connection closed")
    store = FakeStore(fail_write={"MUG-01": first}, fail_rollback=second)
    with pytest.raises(StoreError) as caught:
        import_batch(store, lock, STOCK)
    assert caught.value is second
    assert caught.value.__context__ is first
    assert not lock.locked()


# --- errors outside it -----------------------------------------------------------------


@pytest.mark.weight(2)
def test_a_failed_commit_propagates_without_a_rollback(lock: threading.Lock) -> None:
    failure = StoreError("serialization failure")
    store = FakeStore(fail_commit=failure)
    with pytest.raises(StoreError) as caught:
        import_batch(store, lock, STOCK)
    assert caught.value is failure
    assert_same(store.events[-1], ("commit",))
    assert ("rollback",) not in store.events, (
        "a failed commit has already dropped the transaction: commit in `else`, outside the "
        "`except` that rolls back"
    )
    assert_same(notes(failure), None)
    assert not lock.locked()


def test_a_failed_begin_propagates_and_frees_the_lock(lock: threading.Lock) -> None:
    failure = StoreError("no connection")
    store = FakeStore(fail_begin=failure)
    with pytest.raises(StoreError) as caught:
        import_batch(store, lock, STOCK)
    assert caught.value is failure
    assert_same(store.events, [("begin",)], "nothing began, so there is nothing to roll back")
    assert not lock.locked()


@pytest.mark.weight(2)
def test_a_busy_lock_refuses_the_import_and_stays_held(
    store: FakeStore, lock: threading.Lock
) -> None:
    lock.acquire()
    with pytest.raises(ImportBusyError) as caught:
        import_batch(store, lock, STOCK)
    assert isinstance(caught.value, BatchImportError)
    assert_same(store.events, [], "a refused import must not touch the store")
    assert lock.locked(), "the lock belongs to the other import: do not release it"


# --- skipping invalid lines ------------------------------------------------------------


@pytest.mark.weight(2)
def test_skip_invalid_skips_bad_records_and_commits_the_rest(
    store: FakeStore, lock: threading.Lock
) -> None:
    lines = ["MUG-01,12", "nonsense", "", "PEN-02,-3", "LAMP-04,2", ",1"]
    result = import_batch(store, lock, lines, skip_invalid=True)
    assert_same(result, ImportResult(written=2, skipped=(2, 4, 6)))
    assert_same(
        store.events,
        [("begin",), ("write", "MUG-01", "12"), ("write", "LAMP-04", "2"), ("commit",)],
    )
    assert not lock.locked()


@pytest.mark.weight(2)
def test_skip_invalid_skips_only_record_errors(lock: threading.Lock) -> None:
    failure = StoreError("constraint violated")
    store = FakeStore(fail_write={"LAMP-04": failure})
    with pytest.raises(StoreError) as caught:
        import_batch(store, lock, ["bad", "MUG-01,1", "LAMP-04,2"], skip_invalid=True)
    assert caught.value is failure, "a store error is not a bad line: never skip it"
    assert_same(store.events[-1], ("rollback",))
    assert_same(notes(failure), ["import rolled back after 1 writes"])
    assert not lock.locked()


def test_skip_invalid_is_off_by_default(store: FakeStore, lock: threading.Lock) -> None:
    with pytest.raises(RecordError):
        import_batch(store, lock, ["MUG-01,1", "bad"])
    assert_same(store.events[-1], ("rollback",))
