"""Lazy iteration over a cursor-paginated API: its pages, its records, and batches of them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
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
    """The API handed out a cursor that was already fetched: following it would never end.

    ``err.cursor`` is that cursor, and ``str(err)`` names it.
    """

    def __init__(self, cursor: str) -> None:
        raise NotImplementedError


class Pages(Generic[T]):
    """The pages of a listing, each fetched only when the caller asks for it.

    A class-based iterator: ``__iter__`` returns the iterator itself, and each
    ``__next__`` fetches one page with ``fetch_page``, starting at ``start``
    (None: the first page) and following each page's ``next_cursor``.

    - Making a ``Pages`` fetches nothing; each ``__next__`` fetches exactly one page.
    - After the page whose ``next_cursor`` is None, ``__next__`` raises
      StopIteration, on that call and every later one, without fetching.
    - ``__next__`` raises CursorLoopError instead of fetching a cursor it has
      already fetched (the start cursor included).
    - When ``fetch_page`` raises, the error reaches the caller and the iterator
      stays where it was: the next ``__next__`` tries the same cursor again.
    """

    def __init__(self, fetch_page: FetchPage[T], start: str | None = None) -> None:
        raise NotImplementedError

    def __iter__(self) -> Pages[T]:
        raise NotImplementedError

    def __next__(self) -> Page[T]:
        raise NotImplementedError


def records(fetch_page: FetchPage[T], start: str | None = None) -> Iterator[T]:
    """Yield every item of every page, in order, fetching each page only when it is reached.

    Write it as a generator over ``Pages`` (``yield from``). Empty pages are
    skipped; a CursorLoopError comes after the items of the pages before it.
    """
    raise NotImplementedError


def batched(items: Iterable[T], n: int) -> Iterator[tuple[T, ...]]:
    """Yield tuples of ``n`` items from ``items``; the last one may be shorter.

    Takes only the items each batch needs, so it works on an endless iterator.
    Raises ValueError at once (not at the first ``next``) when ``n`` is less than 1.
    """
    raise NotImplementedError
