"""A lazy data pipeline built from generators, plus a memoised recursive function."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import NamedTuple, TypeVar

T = TypeVar("T")


class Record(NamedTuple):
    """One parsed line of input: a name and its score."""

    name: str
    score: int


def read_records(lines: Iterable[str]) -> Iterator[Record]:
    """Parse ``name,score`` lines into records, one at a time.

    Surrounding whitespace is ignored. Blank lines and lines starting with ``#``
    are skipped. A line that is not ``name,score`` with an integer score raises
    ValueError, but only when the pipeline actually reaches that line.
    """
    for line in lines:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split(",")
        if len(parts) != 2:
            raise ValueError(f"expected 'name,score', got {text!r}")
        name, score = parts
        yield Record(name.strip(), int(score.strip()))


def top_scores(records: Iterable[Record], threshold: int) -> Iterator[Record]:
    """Yield the records whose score is at least ``threshold``, in input order."""
    for record in records:
        if record.score >= threshold:
            yield record


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Group ``items`` into lists of ``size`` items; the last list may be shorter.

    Raises ValueError if ``size`` is less than 1.
    """
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}")
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@functools.lru_cache(maxsize=None)
def ways_to_climb(n: int) -> int:
    """Count the ways to climb ``n`` stairs taking 1, 2 or 3 steps at a time.

    There is exactly one way to climb 0 stairs (do nothing) and no way to climb
    a negative number of stairs.
    """
    if n < 0:
        return 0
    if n == 0:
        return 1
    return ways_to_climb(n - 1) + ways_to_climb(n - 2) + ways_to_climb(n - 3)
