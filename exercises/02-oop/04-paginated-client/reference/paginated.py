"""Lazy iteration over a cursor-paginated API: its pages, its records, and batches of them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One response of the API: its items, and the cursor of the next page (None on the last)."""

    items: Sequence[T]
    next_cursor: str | None = None


FetchPage = Callable[[str | None], Page[T]]
"""Fetches the page at a cursor; the cursor None is the first page."""


class CursorLoopError(RuntimeError):
    """The API handed out a cursor that was already fetched: following it would never end."""

    def __init__(self, cursor: str) -> None:
        super().__init__(f"cursor {cursor!r} was already fetched: the API is going round in a loop")
        self.cursor = cursor


class Pages(Generic[T]):
    """The pages of a listing, each fetched only when the caller asks for it."""

    def __init__(self, fetch_page: FetchPage[T], start: str | None = None) -> None:
        self._fetch_page = fetch_page
        self._cursor = start
        self._fetched: set[str] = set()
        self._finished = False

    def __iter__(self) -> Pages[T]:
        return self

    def __next__(self) -> Page[T]:
        if self._finished:
            raise StopIteration
        cursor = self._cursor
        if cursor is not None and cursor in self._fetched:
            raise CursorLoopError(cursor)
        # Only a fetch that succeeded moves the iterator on: after an error, the next call
        # tries the same cursor again.
        page = self._fetch_page(cursor)
        if cursor is not None:
            self._fetched.add(cursor)
        if page.next_cursor is None:
            self._finished = True
        self._cursor = page.next_cursor
        return page


def records(fetch_page: FetchPage[T], start: str | None = None) -> Iterator[T]:
    """Yield every item of every page, in order, fetching each page only when it is reached."""
    for page in Pages(fetch_page, start):
        yield from page.items


def batched(items: Iterable[T], n: int) -> Iterator[tuple[T, ...]]:
    """Yield tuples of ``n`` items from ``items``; the last one may be shorter.

    Raises ValueError at once (not at the first ``next``) when ``n`` is less than 1.
    """
    if n < 1:
        raise ValueError(f"a batch holds at least one item, not {n}")
    return _batches(iter(items), n)


def _batches(iterator: Iterator[T], n: int) -> Iterator[tuple[T, ...]]:
    # One iterator for the whole run: `islice` on a list would start again at its first item.
    while batch := tuple(islice(iterator, n)):
        yield batch
