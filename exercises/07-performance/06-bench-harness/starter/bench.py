"""The team's micro-benchmark helper: `timeit`'s method, with a report worth reading.

A statement is timed in *rounds*: one clock reading, `number` calls, another reading. The
clock is injected, so that the helper itself can be tested with a fake one.
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]
Statement = Callable[[], object]

# The units of `format_time`, largest first: each unit's name and its size in seconds.
UNITS = (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9))


def time_loops(stmt: Statement, number: int, clock: Clock = time.perf_counter) -> float:
    """Seconds that ``number`` calls of ``stmt`` take together, read from ``clock``.

    Read the clock once before the calls and once after. Turn the garbage collector off
    meanwhile (``gc.disable()``), and afterwards put it back in the state it was in
    (``gc.isenabled()`` tells), even if ``stmt`` raised.
    """
    raise NotImplementedError


def autorange(
    stmt: Statement, *, threshold: float = 0.2, clock: Clock = time.perf_counter
) -> tuple[int, float]:
    """The first ``number`` in 1, 2, 5, 10, 20, 50, 100, 200, ... whose round (one call of
    ``time_loops``) takes at least ``threshold`` seconds, and how long that round took."""
    raise NotImplementedError


def format_time(seconds: float) -> str:
    """``seconds`` in the largest unit of UNITS in which it is at least 1 (ns for anything
    smaller), with two decimals below 10, one below 100, none from 100 on::

        1.234e-6 -> "1.23 us"    45.6e-3 -> "45.6 ms"    789e-9 -> "789 ns"
        1500.0   -> "1500 s"     2.5e-10 -> "0.25 ns"
    """
    raise NotImplementedError


@dataclass(frozen=True)
class Measurement:
    """The seconds per loop of each round of one statement."""

    name: str
    number: int
    per_loop: tuple[float, ...]

    @property
    def best(self) -> float:
        """The fastest round's seconds per loop."""
        raise NotImplementedError

    @property
    def median(self) -> float:
        raise NotImplementedError

    @property
    def stdev(self) -> float:
        """The sample standard deviation of the rounds, 0.0 for a single round."""
        raise NotImplementedError

    def __str__(self) -> str:
        """Like timeit's command line, every time formatted with ``format_time``::

            join: 2000 loops, best of 5: 1.25 us per loop (median 1.30 us, stdev 20.0 ns)
            sort: 1 loop, best of 1: 250 ms per loop (median 250 ms, stdev 0.00 ns)
        """
        raise NotImplementedError


def bench(
    stmt: Statement,
    *,
    name: str = "stmt",
    number: int | None = None,
    repeat: int = 5,
    warmup: int = 1,
    threshold: float = 0.2,
    clock: Clock = time.perf_counter,
) -> Measurement:
    """Time ``stmt``: ``warmup`` rounds that are thrown away, then ``repeat`` rounds.

    - Raise ValueError, before running anything, if ``number`` (when given) or ``repeat``
      is below 1, ``warmup`` below 0, or ``threshold`` not positive.
    - Without a ``number``, ``autorange`` picks one for ``threshold`` first (its rounds
      are not reported either).
    - Each round is ``number`` calls; the Measurement holds each round's seconds per loop
      (the round's time divided by ``number``), in the order they ran.
    """
    raise NotImplementedError


@dataclass(frozen=True)
class Comparison:
    """Two measurements, the faster first."""

    faster: Measurement
    slower: Measurement

    @property
    def ratio(self) -> float:
        """How many times longer the slower one's best loop takes (``inf`` if the faster one
        took no measurable time, 1.0 if neither did)."""
        raise NotImplementedError

    def __str__(self) -> str:
        """``join is 3.20x faster than concat``: the ratio with two decimals."""
        raise NotImplementedError


def compare(first: Measurement, second: Measurement) -> Comparison:
    """Compare by best loop; on a tie, ``first`` counts as the faster."""
    raise NotImplementedError
