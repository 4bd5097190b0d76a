"""A lazy data pipeline built from generators, plus a memoised recursive function.

Every pipeline function below must be a *generator*: use ``yield`` and never
build the whole result as a list. The pipeline must work on inputs that are too
big to hold in memory, or even endless.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import NamedTuple, TypeVar

T = TypeVar("T")


class Record(NamedTuple):
    """One parsed line of input: a name and its score. (Already complete.)"""

    name: str
    score: int


def read_records(lines: Iterable[str]) -> Iterator[Record]:
    """Parse ``name,score`` lines into records, one at a time.

    Surrounding whitespace is ignored: ``"  alice , 90 \\n"`` becomes
    ``Record("alice", 90)``. Blank lines and lines starting with ``#`` are
    skipped. A line that is not ``name,score`` with an integer score raises
    ValueError, but only when the pipeline actually reaches that line.
    """
    raise NotImplementedError


def top_scores(records: Iterable[Record], threshold: int) -> Iterator[Record]:
    """Yield the records whose score is at least ``threshold``, in input order."""
    raise NotImplementedError


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Group ``items`` into lists of ``size`` items; the last list may be shorter.

    ``chunked([1, 2, 3, 4, 5], 2)`` yields ``[1, 2]``, ``[3, 4]``, ``[5]``.
    ``items`` may be any iterable (including a generator), so do not use
    ``len()`` or slicing on it. Raises ValueError if ``size`` is less than 1.
    """
    raise NotImplementedError


def ways_to_climb(n: int) -> int:
    """Count the ways to climb ``n`` stairs taking 1, 2 or 3 steps at a time.

    There is exactly one way to climb 0 stairs (do nothing) and no way to climb
    a negative number of stairs; for larger ``n`` the last step was 1, 2 or 3
    stairs long. ``ways_to_climb(4) == 7``.

    Memoise it with ``@functools.lru_cache`` so that ``ways_to_climb(200)``
    answers instantly.
    """
    raise NotImplementedError
