"""Summarise a stream of numeric lines: count, total, minimum, maximum and mean.

This version gives the right answers, but it is EAGER: it copies every line into a
list, then builds more lists from that one. A log of a billion lines would need
gigabytes of memory just to compute five numbers.

Make it STREAM instead: ``read_numbers`` must become a generator (``yield``) that
reads one line, hands on its number, and only then reads the next; ``summarise``
must keep running totals while it consumes that generator, never a list.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple


class Summary(NamedTuple):
    """The statistics of the numbers in a stream. (Already complete.)

    ``n`` is how many numbers there are; ``mean`` is ``total / n``.
    """

    n: int
    total: float
    minimum: float
    maximum: float
    mean: float


def read_numbers(lines: Iterable[str]) -> Iterator[float]:
    """Yield the number on each line, one line at a time.

    Surrounding whitespace is ignored: ``"  2.5 \\n"`` gives ``2.5``. Blank lines and
    lines starting with ``#`` are skipped. A line that ``float`` cannot read raises
    ValueError naming its line number (counting from 1, blank lines and comments
    included), such as ``"line 3: 'abc' is not a number"``, when it is reached.
    """
    all_lines = list(lines)
    texts = [line.strip() for line in all_lines]
    numbers: list[float] = []
    for number, text in enumerate(texts, start=1):
        if not text or text.startswith("#"):
            continue
        try:
            numbers.append(float(text))
        except ValueError:
            raise ValueError(f"line {number}: {text!r} is not a number") from None
    return iter(numbers)


def summarise(lines: Iterable[str]) -> Summary:
    """Return the count, total, minimum, maximum and mean of the numbers in ``lines``.

    ``lines`` may be a generator, which can be read only once. Raises ValueError if
    there is no number at all, or on a line that is not a number.
    """
    values = list(read_numbers(lines))
    if not values:
        raise ValueError("no numbers to summarise")
    total = sum(values)
    return Summary(len(values), total, min(values), max(values), total / len(values))
