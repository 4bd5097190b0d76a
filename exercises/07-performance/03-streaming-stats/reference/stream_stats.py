"""Summarise a stream of numeric lines in one pass, holding one line at a time."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import NamedTuple


class Summary(NamedTuple):
    """The statistics of the numbers in a stream.

    ``n`` is how many numbers there are; ``mean`` is ``total / n``.
    """

    n: int
    total: float
    minimum: float
    maximum: float
    mean: float


def read_numbers(lines: Iterable[str]) -> Iterator[float]:
    """Yield the number on each line, one line at a time.

    Surrounding whitespace is ignored; blank lines and lines starting with ``#`` are
    skipped. A line that ``float`` cannot read raises ValueError naming its line
    number (counting from 1, blank lines and comments included), when it is reached.
    """
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            yield float(text)
        except ValueError:
            raise ValueError(f"line {number}: {text!r} is not a number") from None


def summarise(lines: Iterable[str]) -> Summary:
    """Return the count, total, minimum, maximum and mean of the numbers in ``lines``.

    One pass over ``lines`` with running totals, so memory use does not grow with
    the input. Raises ValueError if there is no number at all, or on a bad line.
    """
    count = 0
    total = 0.0
    minimum = math.inf
    maximum = -math.inf
    for value in read_numbers(lines):
        count += 1
        total += value
        if value < minimum:
            minimum = value
        if value > maximum:
            maximum = value
    if count == 0:
        raise ValueError("no numbers to summarise")
    return Summary(count, total, minimum, maximum, total / count)
