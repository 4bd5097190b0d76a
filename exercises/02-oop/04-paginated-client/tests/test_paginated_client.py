"""Tests for paginated.py."""

from __future__ import annotations

import itertools
import types
from collections.abc import Iterator, Mapping, Sequence

import pytest
from pygrade_graders.compare import assert_same

from paginated import CursorLoopError, Page, Pages, batched, records


class FakeApi:
    """A paginated endpoint over fixed pages, recording every cursor it is asked for.

    ``pages`` maps each cursor (None is the first page) to its items and the
    cursor of the next page.
    """

    def __init__(self, pages: Mapping[str | None, tuple[Sequence[int], str | None]]) -> None:
        self.pages = pages
        self.fetched: list[str | None] = []

    def __call__(self, cursor: str | None) -> Page[int]:
        self.fetched.append(cursor)
        items, next_cursor = self.pages[cursor]
        return Page(items=tuple(items), next_cursor=next_cursor)


def three_pages() -> FakeApi:
    return FakeApi(
        {
            None: ([1, 2], "c1"),
            "c1": ([3, 4], "c2"),
            "c2": ([5], None),
        }
    )


def five_pages_of_two() -> FakeApi:
    return FakeApi(
        {
            None: ([0, 1], "p1"),
            "p1": ([2, 3], "p2"),
            "p2": ([4, 5], "p3"),
            "p3": ([6, 7], "p4"),
            "p4": ([8, 9], None),
        }
    )


# --- Pages: a class-based iterator ------------------------------------------------


@pytest.mark.weight(2)
def test_pages_yields_each_page_in_order_following_the_cursors() -> None:
    api = three_pages()

    pages = list(Pages(api))

    assert_same([list(page.items) for page in pages], [[1, 2], [3, 4], [5]])
    assert_same([page.next_cursor for page in pages], ["c1", "c2", None])
    assert_same(api.fetched, [None, "c1", "c2"])


def test_pages_is_its_own_iterator() -> None:
    pages = Pages(three_pages())

    assert iter(pages) is pages, "__iter__ of an iterator returns the iterator itself"


@pytest.mark.weight(2)
def test_pages_fetches_nothing_until_asked_and_one_page_per_next() -> None:
    api = three_pages()

    pages = Pages(api)
    assert_same(api.fetched, [], "making a Pages must not fetch anything")

    first = next(pages)
    assert_same(list(first.items), [1, 2])
    assert_same(api.fetched, [None], "the first next() fetches the first page, and only it")

    second = next(pages)
    assert_same(list(second.items), [3, 4])
    assert_same(api.fetched, [None, "c1"])


@pytest.mark.weight(2)
def test_an_exhausted_pages_stays_exhausted_without_fetching_again() -> None:
    api = three_pages()
    pages = Pages(api)
    assert_same(len(list(pages)), 3)

    with pytest.raises(StopIteration):
        next(pages)
    with pytest.raises(StopIteration):
        next(pages)
    assert_same(list(pages), [])
    assert_same(api.fetched, [None, "c1", "c2"], "nothing may be fetched after the last page")


def test_a_single_page_listing() -> None:
    api = FakeApi({None: ([7, 8, 9], None)})

    pages = list(Pages(api))

    assert_same([list(page.items) for page in pages], [[7, 8, 9]])
    assert_same(api.fetched, [None])


def test_pages_starts_at_the_given_cursor() -> None:
    api = three_pages()

    pages = list(Pages(api, start="c1"))

    assert_same([list(page.items) for page in pages], [[3, 4], [5]])
    assert_same(api.fetched, ["c1", "c2"])


def test_pages_yields_empty_pages_in_the_middle() -> None:
    api = FakeApi({None: ([1], "a"), "a": ([], "b"), "b": ([2], None)})

    assert_same([list(page.items) for page in Pages(api)], [[1], [], [2]])


@pytest.mark.weight(2)
def test_a_cursor_handed_out_twice_raises_instead_of_looping() -> None:
    api = FakeApi({None: ([1], "a"), "a": ([2], "b"), "b": ([3], "a")})
    pages = Pages(api)

    assert_same([list(next(pages).items) for _ in range(3)], [[1], [2], [3]])
    with pytest.raises(CursorLoopError) as caught:
        next(pages)

    assert_same(caught.value.cursor, "a")
    assert "'a'" in str(caught.value), "the message should name the cursor"
    assert_same(api.fetched, [None, "a", "b"], "the repeated cursor must not be fetched again")


def test_a_page_pointing_at_itself_is_a_loop() -> None:
    api = FakeApi({None: ([1], "same"), "same": ([2], "same")})
    pages = Pages(api)
    next(pages)
    next(pages)

    with pytest.raises(CursorLoopError) as caught:
        next(pages)
    assert_same(caught.value.cursor, "same")
    assert_same(api.fetched, [None, "same"])


def test_the_start_cursor_counts_as_fetched() -> None:
    api = FakeApi({"s": ([1], "t"), "t": ([2], "s")})
    pages = Pages(api, start="s")
    next(pages)
    next(pages)

    with pytest.raises(CursorLoopError) as caught:
        next(pages)
    assert_same(caught.value.cursor, "s")


def test_cursor_loop_error_is_a_runtime_error() -> None:
    error = CursorLoopError("x")

    assert isinstance(error, RuntimeError)
    assert_same(error.cursor, "x")


@pytest.mark.weight(2)
def test_after_a_failed_fetch_the_next_call_retries_the_same_cursor() -> None:
    api = three_pages()
    failures = ["c1"]

    def flaky(cursor: str | None) -> Page[int]:
        if cursor in failures:
            failures.remove(cursor)
            raise ConnectionError("connection reset")
        return api(cursor)

    pages = Pages(flaky)
    assert_same(list(next(pages).items), [1, 2])
    with pytest.raises(ConnectionError):
        next(pages)

    assert_same(list(next(pages).items), [3, 4], "the failed page is fetched again, not skipped")
    assert_same(list(next(pages).items), [5])
    with pytest.raises(StopIteration):
        next(pages)


def test_a_failed_first_fetch_is_retried_too() -> None:
    api = three_pages()
    calls: list[str | None] = []

    def flaky(cursor: str | None) -> Page[int]:
        calls.append(cursor)
        if len(calls) == 1:
            raise TimeoutError("read timed out")
        return api(cursor)

    pages = Pages(flaky, start="c2")
    with pytest.raises(TimeoutError):
        next(pages)

    assert_same(list(next(pages).items), [5])
    assert_same(calls, ["c2", "c2"])


# --- records: a generator ---------------------------------------------------------


@pytest.mark.weight(2)
def test_records_yields_every_item_of_every_page_in_order() -> None:
    assert_same(list(records(three_pages())), [1, 2, 3, 4, 5])


def test_records_is_a_generator() -> None:
    assert isinstance(records(three_pages()), types.GeneratorType), "write records with yield"


@pytest.mark.weight(2)
def test_records_fetches_a_page_only_when_its_first_item_is_needed() -> None:
    api = five_pages_of_two()

    stream = records(api)
    assert_same(api.fetched, [], "calling records must not fetch anything")

    assert_same(list(itertools.islice(stream, 2)), [0, 1])
    assert_same(api.fetched, [None])

    assert_same(list(itertools.islice(stream, 1)), [2])
    assert_same(api.fetched, [None, "p1"])


def test_islice_of_records_fetches_only_the_pages_it_reads() -> None:
    api = five_pages_of_two()

    assert_same(list(itertools.islice(records(api), 3, 5)), [3, 4])
    assert_same(api.fetched, [None, "p1", "p2"])


def test_records_skips_empty_pages() -> None:
    api = FakeApi({None: ([], "a"), "a": ([1, 2], "b"), "b": ([], "c"), "c": ([3], "d"), "d": ([], None)})

    assert_same(list(records(api)), [1, 2, 3])


def test_records_of_an_empty_listing_is_empty() -> None:
    assert_same(list(records(FakeApi({None: ([], None)}))), [])


def test_records_starts_at_the_given_cursor() -> None:
    api = three_pages()

    assert_same(list(records(api, start="c2")), [5])
    assert_same(api.fetched, ["c2"])


def test_records_yields_the_items_before_a_cursor_loop() -> None:
    api = FakeApi({None: ([1, 2], "a"), "a": ([3], "a")})
    stream = records(api)
    seen: list[int] = []

    with pytest.raises(CursorLoopError):
        for item in stream:
            seen.append(item)

    assert_same(seen, [1, 2, 3])


# --- batched ----------------------------------------------------------------------


@pytest.mark.weight(2)
def test_batched_groups_items_into_tuples_with_a_shorter_last_one() -> None:
    assert_same(list(batched(range(7), 3)), [(0, 1, 2), (3, 4, 5), (6,)])


def test_batched_of_an_exact_multiple_has_no_empty_tail() -> None:
    assert_same(list(batched("abcdef", 2)), [("a", "b"), ("c", "d"), ("e", "f")])


def test_batched_of_one_is_one_tuple_per_item() -> None:
    assert_same(list(batched([4, 5, 6], 1)), [(4,), (5,), (6,)])


def test_batched_larger_than_the_input_is_one_batch() -> None:
    assert_same(list(batched([4, 5], 10)), [(4, 5)])


def test_batched_of_nothing_is_nothing() -> None:
    assert_same(list(batched([], 3)), [])


def test_batched_walks_a_list_once_rather_than_restarting_it() -> None:
    assert_same(list(batched([1, 2, 3, 4, 5], 2)), [(1, 2), (3, 4), (5,)])


@pytest.mark.parametrize("n", [0, -1])
def test_batched_refuses_a_size_below_one_at_once(n: int) -> None:
    with pytest.raises(ValueError):
        batched([1, 2, 3], n)  # no next(): the error comes from the call itself


def test_batched_takes_only_the_items_each_batch_needs() -> None:
    pulled: list[int] = []

    def source() -> Iterator[int]:
        for item in range(100):
            pulled.append(item)
            yield item

    batches = batched(source(), 3)
    assert_same(pulled, [], "batched must not read anything before it is asked")

    assert_same(next(batches), (0, 1, 2))
    assert_same(pulled, [0, 1, 2], "the first batch needs three items, not a fourth")

    assert_same(next(batches), (3, 4, 5))
    assert_same(pulled, [0, 1, 2, 3, 4, 5])


def test_batched_works_on_an_endless_iterator() -> None:
    assert_same(next(batched(itertools.count(), 4)), (0, 1, 2, 3))


@pytest.mark.weight(2)
def test_batched_records_fetch_only_the_pages_of_the_batches_read() -> None:
    api = five_pages_of_two()

    batches = batched(records(api), 3)
    assert_same(api.fetched, [])

    assert_same(next(batches), (0, 1, 2))
    assert_same(api.fetched, [None, "p1"])

    assert_same(next(batches), (3, 4, 5))
    assert_same(api.fetched, [None, "p1", "p2"])

    assert_same(list(batches), [(6, 7, 8), (9,)])
    assert_same(api.fetched, [None, "p1", "p2", "p3", "p4"])
